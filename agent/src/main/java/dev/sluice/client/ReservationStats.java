package dev.sluice.client;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How one endpoint's token reservations compare with what the calls were finally charged, for JMX: corrections
 * (refunds and extra charges, in calls and tokens) and the estimator's error on the prompt over the most recent
 * {@value #WINDOW} calls whose usage the provider reported. Cheap on the call path: striped counters and one slot
 * of a ring written per finished call.
 */
public final class ReservationStats {
    /** Calls the estimator error is averaged over. */
    public static final int WINDOW = 256;
    /** Errors are kept in parts per million, clamped to +-1000x. */
    private static final long CLAMP_PPM = 1_000_000_000L;

    private final LongAdder refunds = new LongAdder();
    private final LongAdder refundedTokens = new LongAdder();
    private final LongAdder extraCharges = new LongAdder();
    private final LongAdder extraTokens = new LongAdder();
    private final AtomicIntegerArray errorPpm = new AtomicIntegerArray(WINDOW);
    private final AtomicLong samples = new AtomicLong();

    /**
     * One finished call: {@code reserved} tokens taken at admission, {@code charged} finally (-1: the reservation
     * was kept), the prompt part of the estimate and the prompt the provider reported (-1: not reported).
     */
    public void record(long reserved, long charged, long promptEstimate, long promptActual) {
        if (charged >= 0 && charged != reserved) {
            if (charged < reserved) {
                refunds.increment();
                refundedTokens.add(reserved - charged);
            } else {
                extraCharges.increment();
                extraTokens.add(charged - reserved);
            }
        }
        if (promptActual > 0 && promptEstimate >= 0) {
            double rel = (double) (promptEstimate - promptActual) / promptActual;
            long ppm = Math.max(-CLAMP_PPM, Math.min(CLAMP_PPM, Math.round(rel * 1e6)));
            long n = samples.getAndIncrement();
            errorPpm.lazySet((int) (n % WINDOW), (int) ppm); // read only by JMX: no fence needed on the call path
        }
    }

    /** Calls charged less than they reserved (the difference went back to the TPM bucket). */
    public long refunds() {
        return refunds.sum();
    }

    public long refundedTokens() {
        return refundedTokens.sum();
    }

    /** Calls charged more than they reserved (the difference was taken from the TPM bucket afterwards). */
    public long extraCharges() {
        return extraCharges.sum();
    }

    public long extraChargedTokens() {
        return extraTokens.sum();
    }

    /** Calls whose reported prompt was compared with the estimate (all time; the averages use the last {@link #WINDOW}). */
    public long samples() {
        return samples.get();
    }

    /** Mean of |estimate - actual| / actual of the prompt, in percent, over the recent calls; 0 with none. */
    public double meanAbsoluteErrorPercent() {
        return mean(true);
    }

    /** Mean of (estimate - actual) / actual, in percent: positive = the estimator overestimates. */
    public double meanErrorPercent() {
        return mean(false);
    }

    private double mean(boolean absolute) {
        int n = (int) Math.min(WINDOW, samples.get());
        if (n == 0) return 0.0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int v = errorPpm.get(i);
            sum += absolute ? Math.abs((double) v) : v;
        }
        return sum / n / 1e4;
    }

    public void reset() {
        refunds.reset();
        refundedTokens.reset();
        extraCharges.reset();
        extraTokens.reset();
        samples.set(0);
        for (int i = 0; i < WINDOW; i++) errorPpm.set(i, 0);
    }
}
