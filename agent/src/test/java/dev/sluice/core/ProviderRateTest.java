package dev.sluice.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderRateTest {
    /** A provider's bucket: capacity and per-second rate; reports floor(level) and the time until full. */
    static final class Bucket {
        final double capacity;
        final double perSecond;
        double level;

        Bucket(double capacity, double perSecond) {
            this.capacity = capacity;
            this.perSecond = perSecond;
            this.level = capacity;
        }

        void advance(double seconds) {
            level = Math.min(capacity, level + perSecond * seconds);
        }

        long remaining() {
            return (long) Math.floor(level);
        }

        long resetNanos() {
            return (long) Math.ceil((capacity - level) / perSecond * 1e9);
        }
    }

    @Test
    void theSlopeOfRemainingAgainstResetIsTheRefillRate() {
        ProviderRate r = new ProviderRate();
        Bucket b = new Bucket(50, 50);              // 3,000 per minute, configured 6,000
        long answer = ProviderRate.KEEP;
        int n = 0;
        while (b.remaining() > 2) {                 // 150 calls/s against 50/s
            b.level -= 1;
            answer = r.sample(b.remaining(), b.resetNanos(), 6000);
            b.advance(1 / 150.0);
            n++;
            if (n < ProviderRate.MIN_SAMPLES) assertEquals(ProviderRate.KEEP, answer);
        }
        assertTrue(answer > 2700 && answer <= 3000, "about 3,000 less its uncertainty: " + answer);
    }

    @Test
    void theEstimateIsLowWhileUncertainAndRisesWithTheSpread() {
        ProviderRate r = new ProviderRate();
        long first = -1;
        long last = -1;
        for (int remaining = 49; remaining >= 0; remaining--) {
            long a = r.sample(remaining, (50 - remaining) * 20_000_000L, 6000); // exactly 50/s
            if (a > 0 && first < 0) first = a;
            if (a > 0) last = a;
        }
        assertTrue(first > 0 && first < 3000 * 0.8, "the first estimate errs low: " + first);
        assertTrue(last > 2900 && last <= 3000, "then close: " + last);
    }

    @Test
    void aProviderAtTheConfiguredRateNeedsNoCap() {
        ProviderRate r = new ProviderRate();
        Bucket b = new Bucket(100, 100);            // 6,000 per minute, as configured
        long answer = ProviderRate.KEEP;
        for (int i = 0; i < 60; i++) {
            b.level -= 1;
            long a = r.sample(b.remaining(), b.resetNanos(), 6000);
            if (a != ProviderRate.KEEP) answer = a;
            assertTrue(a == ProviderRate.KEEP || a == ProviderRate.CONFIGURED, "never capped: " + a);
            b.advance(1 / 200.0);
        }
        assertEquals(ProviderRate.CONFIGURED, answer);
    }

    @Test
    void aCapIsLiftedWhenTheProviderRaisesItsLimit() {
        ProviderRate r = new ProviderRate();
        for (int remaining = 40; remaining >= 30; remaining--) r.sample(remaining, (50 - remaining) * 20_000_000L, 6000);
        assertTrue(r.sample(29, 21 * 20_000_000L, 6000) > 0);
        long a = ProviderRate.KEEP;
        for (int remaining = 90; remaining >= 20; remaining--) {
            a = r.sample(remaining, (100 - remaining) * 10_000_000L, 6000); // now 100/s
        }
        assertEquals(ProviderRate.CONFIGURED, a, "the old samples have left the window");
    }

    @Test
    void countsRoundedToThousandsAreTrustedOnlyOverAWiderSpread() {
        ProviderRate r = new ProviderRate();
        // 1,000,000 tokens per minute (16,667/s) reported in thousands: a spread of two units says little
        long a = r.sample(80_000, 1_200_000_000L, 2_000_000);
        for (long rem : new long[]{79_000, 78_000, 79_000, 78_000}) {
            a = r.sample(rem, (long) ((100_000 - rem) / 16_667.0 * 1e9), 2_000_000);
        }
        assertEquals(ProviderRate.KEEP, a);
        for (long rem = 77_000; rem >= 50_000; rem -= 1000) {
            a = r.sample(rem, (long) ((100_000 - rem) / 16_667.0 * 1e9), 2_000_000);
        }
        assertTrue(a > 900_000 && a <= 1_000_000, "about 1,000,000 per minute: " + a);
    }

    @Test
    void scatteredResetTimesAreNoEvidence() {
        // 50/s, but each reset read up to 200 ms late (an RFC 3339 instant against a busy local clock)
        ProviderRate r = new ProviderRate();
        java.util.Random rnd = new java.util.Random(7);
        long a = ProviderRate.KEEP;
        for (int remaining = 49; remaining >= 0; remaining--) {
            long reset = (50 - remaining) * 20_000_000L - rnd.nextInt(200_000_000);
            a = r.sample(remaining, Math.max(0, reset), 6000);
        }
        assertEquals(ProviderRate.CONFIGURED, a);
    }

    @Test
    void missingFiguresChangeNothing() {
        ProviderRate r = new ProviderRate();
        assertEquals(ProviderRate.KEEP, r.sample(-1, 10, 6000));
        assertEquals(ProviderRate.KEEP, r.sample(10, -1, 6000));
        assertEquals(ProviderRate.KEEP, r.sample(10, 10, 0));
        for (int i = 0; i < 10; i++) assertEquals(ProviderRate.KEEP, r.sample(5, 100, 6000), "no spread, no slope");
    }

    /**
     * The fit as first written, three passes over the window about its means: the one {@link ProviderRate} must
     * answer exactly as, over series of every kind (small and billion-token buckets, thousands-rounded counts,
     * scattered reset times, stray zero resets, windows wrapping many times).
     */
    static final class ReferenceFit {
        final double[] x = new double[ProviderRate.SAMPLES];
        final long[] y = new long[ProviderRate.SAMPLES];
        int count;
        int next;

        long sample(long remainingNow, long resetNanos, long configuredPerMinute) {
            if (remainingNow < 0 || resetNanos < 0 || configuredPerMinute <= 0) return ProviderRate.KEEP;
            x[next] = resetNanos / 1e9;
            y[next] = remainingNow;
            next = (next + 1) % ProviderRate.SAMPLES;
            if (count < ProviderRate.SAMPLES) count++;
            if (count < ProviderRate.MIN_SAMPLES) return ProviderRate.KEEP;
            double sx = 0;
            double sy = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            boolean thousands = true;
            for (int i = 0; i < count; i++) {
                sx += x[i];
                sy += y[i];
                min = Math.min(min, y[i]);
                max = Math.max(max, y[i]);
                thousands &= y[i] % 1000 == 0;
            }
            long unit = thousands ? 1000 : 1;
            long spread = max - min;
            if (spread < ProviderRate.MIN_SPREAD * unit) return ProviderRate.KEEP;
            double mx = sx / count;
            double my = sy / count;
            double sxy = 0;
            double sxx = 0;
            for (int i = 0; i < count; i++) {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
            }
            if (sxx <= 0) return ProviderRate.KEEP;
            double slope = sxy / sxx;
            if (!(-slope > 0)) return ProviderRate.KEEP;
            double sse = 0;
            for (int i = 0; i < count; i++) {
                double e = y[i] - (my + slope * (x[i] - mx));
                sse += e * e;
            }
            if (Math.sqrt(sse / count) > ProviderRate.MAX_SCATTER * unit) return ProviderRate.CONFIGURED;
            double perMinute = -slope * 60;
            double uncertainty = (double) unit / spread;
            if (perMinute * (1 + uncertainty) >= configuredPerMinute * ProviderRate.RESTORE) return ProviderRate.CONFIGURED;
            return Math.max(1, (long) (perMinute * (1 - uncertainty)));
        }
    }

    @Test
    void answersAsTheTextbookFitDoesOverRandomSeries() {
        java.util.Random rnd = new java.util.Random(42);
        long lowered = 0;
        long restored = 0;
        for (int series = 0; series < 3000; series++) {
            ProviderRate fast = new ProviderRate();
            ReferenceFit ref = new ReferenceFit();
            long[] capacities = {10_000, 400_000, 150_000_000L, 2_000_000_000L};
            long cap = capacities[rnd.nextInt(capacities.length)];
            double perSecond = cap / 60.0 * (0.2 + rnd.nextDouble());
            boolean thousands = rnd.nextInt(3) == 0;
            double jitter = rnd.nextInt(3) == 0 ? rnd.nextDouble() * 5e-3 : 0;
            long configured = (long) (cap * (0.5 + rnd.nextDouble()));
            long level = (long) (cap * rnd.nextDouble());
            int length = 10 + rnd.nextInt(200);
            for (int i = 0; i < length; i++) {
                int step = (int) Math.max(2, cap / 50);
                level = Math.max(0, Math.min(cap, level - rnd.nextInt(step) + rnd.nextInt(step * 5 / 6)));
                long remaining = thousands ? level / 1000 * 1000 : level;
                long reset = Math.max(0, (long) (((cap - level) / perSecond + jitter * rnd.nextGaussian()) * 1e9));
                if (rnd.nextInt(50) == 0) reset = rnd.nextInt(3) * 1_000_000_000L;
                long expected = ref.sample(remaining, reset, configured);
                assertEquals(expected, fast.sample(remaining, reset, configured),
                        "series " + series + ", sample " + i + ": capacity " + cap + (thousands ? ", thousands" : ""));
                if (expected > 0) lowered++;
                if (expected == ProviderRate.CONFIGURED) restored++;
            }
        }
        assertTrue(lowered > 10_000 && restored > 10_000, "the series reach both answers: " + lowered + ", " + restored);
    }
}
