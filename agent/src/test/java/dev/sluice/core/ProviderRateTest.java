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
}
