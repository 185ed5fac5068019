package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.GateMonitor;
import dev.sluice.core.RefusalReason;

import java.util.ArrayDeque;

/**
 * Derives one endpoint's windowed figures from its gate's cumulative counters. Called by the watcher thread
 * only (not thread-safe): the call path pays nothing but the counters' own increments.
 *
 * Rates are the counter's increase over the window divided by the time it spans (a sliding-window average,
 * so a burst shows for one window and then goes). The recent average wait is exact (sum of wait time over
 * number of waits, both from deltas). The recent longest wait is exact when a wait in the window set a new
 * since-reset record; otherwise the monitor only says "no longer than the record", and the sampler uses the
 * interval's average as a lower bound (see the core request in the operations notes for an exact figure).
 * A counter that goes down means the monitor was reset: the window starts again.
 */
public final class EndpointSampler {
    // counter slots in a sample
    private static final int ENQ = 0;
    private static final int DEQ = 1;
    private static final int ADM = 2;
    private static final int CMP = 3;
    private static final int WOULD = 4;
    private static final int U429 = 5;
    private static final int FAIL = 6;
    private static final int WAITS = 7;
    private static final int WAIT_NANOS = 8;
    private static final int REJ = 9; // RefusalReason.count() slots from here
    private static final int SLOTS = REJ + RefusalReason.count();

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long lastMaxWaitTotal;
    private boolean seen;
    private BreakerState lastBreaker;
    private boolean lastCongested;
    private long breakerTransitions;
    private long congestionEpisodes;

    private static final class Sample {
        final long at;
        final long[] c;
        long intervalMaxWait;

        Sample(long at, long[] c) {
            this.at = at;
            this.c = c;
        }
    }

    public EndpointSampler(long windowNanos) {
        if (windowNanos <= 0) throw new IllegalArgumentException("window must be > 0");
        this.windowNanos = windowNanos;
    }

    /** Counts a breaker transition reported by the gate itself (so a flip between two ticks is not missed). */
    public void countBreakerTransition() {
        breakerTransitions++;
    }

    /** Counts the start of a congestion episode reported by the gate itself. */
    public void countCongestionEpisode() {
        congestionEpisodes++;
    }

    /** Forgets the history (after resetStats). */
    public void reset() {
        samples.clear();
        breakerTransitions = 0;
        congestionEpisodes = 0;
    }

    /**
     * Takes a sample now and returns the figures. {@code polledTransitions}: whether breaker and congestion
     * changes seen between ticks count as transitions (false when the gate reports them itself, through
     * {@link #countBreakerTransition()} and {@link #countCongestionEpisode()}).
     */
    public Figures sample(GateMonitor m, int queueCapacity, long now, boolean polledTransitions) {
        long[] c = new long[SLOTS];
        c[ENQ] = m.enqueued();
        c[DEQ] = m.dequeued();
        c[ADM] = m.admitted();
        c[CMP] = m.completed();
        long would = 0;
        for (RefusalReason r : RefusalReason.values()) {
            c[REJ + r.ordinal()] = m.refused(r);
            would += m.wouldRefuse(r);
        }
        c[WOULD] = would;
        c[U429] = m.upstreamRateLimited();
        c[FAIL] = m.failures();
        c[WAITS] = m.waits();
        c[WAIT_NANOS] = m.totalWaitNanos();
        long maxWaitTotal = m.maxWaitNanos();

        Sample s = new Sample(now, c);
        Sample prev = samples.peekLast();
        if (prev != null && wentDown(prev.c, c)) {
            samples.clear();
            prev = null;
            breakerTransitions = 0;
            congestionEpisodes = 0;
        }
        if (prev != null) {
            long waits = c[WAITS] - prev.c[WAITS];
            long waitNanos = c[WAIT_NANOS] - prev.c[WAIT_NANOS];
            long est = waits > 0 ? waitNanos / waits : 0;
            if (maxWaitTotal > lastMaxWaitTotal) est = Math.max(est, maxWaitTotal);
            s.intervalMaxWait = est;
        }
        lastMaxWaitTotal = maxWaitTotal;
        samples.addLast(s);
        while (samples.size() > 2 && samples.peekFirst().at < now - windowNanos) samples.removeFirst();
        // the span is now between one tick short of the window and the window
        Sample first = samples.peekFirst();

        Figures f = new Figures();
        f.atNanos = now;
        f.queueDepth = m.queueDepth();
        f.queueCapacity = queueCapacity;
        f.inFlight = m.inFlight();
        f.utilization = m.utilization();
        f.congested = m.congested();
        BreakerState b = m.breakerState();
        f.breaker = b == null ? BreakerState.CLOSED : b;
        f.paused = m.pausedForNanos() > 0;
        f.availableRequests = m.availableRequests();
        f.availableTokens = m.availableTokens();
        f.rejected = m.refusedTotal();
        f.upstream429 = c[U429];
        f.failures = c[FAIL];
        f.admitted = c[ADM];
        f.avgWaitTotalNanos = c[WAITS] == 0 ? 0 : (double) c[WAIT_NANOS] / c[WAITS];
        f.maxWaitTotalNanos = maxWaitTotal;

        if (seen && polledTransitions) {
            if (lastBreaker != f.breaker) breakerTransitions++;
            if (f.congested && !lastCongested) congestionEpisodes++;
        }
        seen = true;
        lastBreaker = f.breaker;
        lastCongested = f.congested;
        f.breakerTransitions = breakerTransitions;
        f.congestionEpisodes = congestionEpisodes;

        if (first != s) {
            double secs = (now - first.at) / 1e9;
            f.windowSeconds = secs;
            f.enqueueRate = rate(first, s, ENQ, secs);
            f.dequeueRate = rate(first, s, DEQ, secs);
            f.admitRate = rate(first, s, ADM, secs);
            f.completeRate = rate(first, s, CMP, secs);
            f.wouldRejectRate = rate(first, s, WOULD, secs);
            f.upstream429Rate = rate(first, s, U429, secs);
            f.failureRate = rate(first, s, FAIL, secs);
            double all = 0;
            for (RefusalReason r : RefusalReason.values()) {
                double v = rate(first, s, REJ + r.ordinal(), secs);
                f.rejectRateByReason[r.ordinal()] = v;
                all += v;
            }
            f.rejectRate = all;
            long waits = c[WAITS] - first.c[WAITS];
            f.avgWaitNanos = waits > 0 ? (double) (c[WAIT_NANOS] - first.c[WAIT_NANOS]) / waits : 0;
            long max = 0;
            boolean skipFirst = true;
            for (Sample x : samples) {
                if (skipFirst) { skipFirst = false; continue; } // its interval ended before the window
                max = Math.max(max, x.intervalMaxWait);
            }
            f.maxWaitNanos = max;
        }
        return f;
    }

    private static boolean wentDown(long[] before, long[] now) {
        for (int i = 0; i < now.length; i++) if (now[i] < before[i]) return true;
        return false;
    }

    private static double rate(Sample a, Sample b, int slot, double secs) {
        return secs <= 0 ? 0 : (b.c[slot] - a.c[slot]) / secs;
    }
}
