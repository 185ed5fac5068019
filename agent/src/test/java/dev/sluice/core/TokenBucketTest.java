package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    static final long NPM = 60_000_000_000L;
    final ManualClock clock = new ManualClock();

    /** Tokens owed after {@code nanos} at {@code perMinute}, exactly. */
    static long owed(long perMinute, BigInteger nanos) {
        return nanos.multiply(BigInteger.valueOf(perMinute)).divide(BigInteger.valueOf(NPM)).longValueExact();
    }

    @Test
    void startsFullAndConsumes() {
        TokenBucket b = new TokenBucket(60, 10, clock);
        assertEquals(10, b.available());
        assertTrue(b.tryConsume(4));
        assertEquals(6, b.available());
        assertFalse(b.tryConsume(7));
        assertTrue(b.tryConsume(6));
        assertEquals(0, b.available());
        assertEquals(1_000_000_000L, b.nanosUntil(1));
        clock.advance(999_999_999L);
        assertFalse(b.tryConsume(1));
        clock.advance(1);
        assertTrue(b.tryConsume(1));
    }

    @Test
    void aRefundAtAnEarlierTimeIsTheSameAsARefundNow() {
        SplittableRandom rnd = new SplittableRandom(42);
        ManualClock c = new ManualClock();
        TokenBucket now = new TokenBucket(6_000, 500, c);
        TokenBucket early = new TokenBucket(6_000, 500, c);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            times.add(c.nanoTime());
            c.advance(rnd.nextInt(20_000_000));
            int op = rnd.nextInt(10);
            long n = 1 + rnd.nextInt(300);
            if (op < 4) {
                assertEquals(now.tryConsume(n), early.tryConsume(n), "step " + i);
            } else if (op < 8) {
                long t = times.get(Math.max(0, times.size() - 1 - rnd.nextInt(50))); // up to ~50 steps back
                now.refund(n);
                early.refund(n, t);
            } else if (op < 9) {
                now.forceConsume(n);
                early.forceConsume(n);
            } else if (rnd.nextInt(100) == 0) {
                long rate = 600 + rnd.nextInt(60_000);
                long cap = 1 + rnd.nextInt(2_000);
                now.setLimits(rate, cap);
                early.setLimits(rate, cap);
            }
            assertEquals(now.available(), early.available(), "step " + i);
        }
    }

    @Test
    void refillIsExactForOddRatesOverAMillionSteps() {
        long[] rates = {1, 7, 123_456_789L, 8_571_428_571L /* ~1 token per 7 ns */, 10_000_000_000L, 99_999_999_989L};
        for (long rate : rates) {
            ManualClock c = new ManualClock();
            TokenBucket b = new TokenBucket(rate, TokenBucket.MAX_CAPACITY, c);
            assertTrue(b.tryConsume(TokenBucket.MAX_CAPACITY));
            SplittableRandom rnd = new SplittableRandom(rate);
            long elapsed = 0;
            long taken = 0;
            for (int i = 0; i < 1_000_000; i++) {
                long step = 1 + rnd.nextInt(2_000); // odd, irregular steps
                c.advance(step);
                elapsed += step;
                if ((i & 7) == 0) { // take everything now and then: partial tokens must carry over exactly
                    long a = b.available();
                    assertTrue(b.tryConsume(a) || a == 0);
                    taken += a;
                }
            }
            assertEquals(owed(rate, BigInteger.valueOf(elapsed)), taken + b.available(), "rate " + rate);
        }
    }

    @Test
    void longIdleAtHighRateStaysExact() {
        long rate = 10_000_000_000L; // 64-bit product overflows after ~0.9 s: the 128-bit path and re-basing take over
        TokenBucket b = new TokenBucket(rate, 1_000_000_000_000L, clock);
        assertTrue(b.tryConsume(1_000_000_000_000L));
        BigInteger elapsed = BigInteger.ZERO;
        long[] steps = {5_000_000_001L, 3, 700_000_000_007L, 1_234_567L, 86_400_000_000_000L};
        long taken = 0;
        for (long s : steps) {
            clock.advance(s);
            elapsed = elapsed.add(BigInteger.valueOf(s));
            long a = b.available();
            long expected = Math.min(1_000_000_000_000L, owed(rate, elapsed) - taken);
            assertEquals(expected, a, "after " + elapsed);
            assertTrue(b.tryConsume(a));
            taken += a;
            // once the bucket was capped the owed figure restarts from the cap
            if (expected == 1_000_000_000_000L) {
                elapsed = BigInteger.ZERO;
                taken = 0;
            }
        }
    }

    @Test
    void hugeValuesDoNotOverflow() {
        TokenBucket b = new TokenBucket(TokenBucket.MAX_RATE, 1_000_000_000_000L, clock);
        clock.advance(Long.MAX_VALUE / 2);
        assertEquals(1_000_000_000_000L, b.available());
        b.forceConsume(Long.MAX_VALUE);
        long level = b.available();
        assertTrue(level < 0 && level >= -TokenBucket.MAX_DEBT, "debt bounded: " + level);
        long wait = b.nanosUntil(1);
        assertTrue(wait > 0 && wait < Long.MAX_VALUE, "finite wait " + wait);
        b.refund(Long.MAX_VALUE);
        assertEquals(1_000_000_000_000L, b.available());
        assertEquals(0, b.nanosUntil(Long.MAX_VALUE)); // oversized: served when full

        TokenBucket slow = new TokenBucket(1, TokenBucket.MAX_CAPACITY, clock);
        assertTrue(slow.tryConsume(TokenBucket.MAX_CAPACITY));
        long w = slow.nanosUntil(TokenBucket.MAX_CAPACITY);
        assertTrue(w > 0, "2^50 minutes: " + w); // saturates rather than wrapping
        assertEquals(NPM, slow.nanosUntil(1));

        assertThrowsIae(() -> new TokenBucket(TokenBucket.MAX_RATE + 1, 1, clock));
        assertThrowsIae(() -> new TokenBucket(1, 0, clock));
    }

    private static void assertThrowsIae(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("expected IllegalArgumentException");
    }

    @Test
    void debtAndRefund() {
        TokenBucket b = new TokenBucket(6000, 100, clock); // 100/s: 1 per 10 ms
        b.forceConsume(150);
        assertEquals(-50, b.available());
        assertFalse(b.tryConsume(1));
        assertEquals(51 * 10_000_000L, b.nanosUntil(1));
        b.refund(30);
        assertEquals(-20, b.available());
        b.refund(1_000);
        assertEquals(100, b.available(), "never above capacity");
    }

    @Test
    void requestLargerThanCapacityIsTakenWhenFullIntoDebt() {
        TokenBucket b = new TokenBucket(600, 10, clock); // 10/s
        assertTrue(b.tryConsume(25));
        assertEquals(-15, b.available());
        assertFalse(b.tryConsume(25));
        assertEquals(2_500_000_000L, b.nanosUntil(25), "waits for a full bucket, not for 25 present");
        clock.advance(2_499_999_999L);
        assertFalse(b.tryConsume(25));
        clock.advance(1);
        assertTrue(b.tryConsume(25));
        assertEquals(4_000_000_000L, b.nanosToServe(25), "serving 25 more ignores the capacity");
    }

    @Test
    void lowerToNeverRaises() {
        TokenBucket b = new TokenBucket(60, 100, clock);
        b.lowerTo(30);
        assertEquals(30, b.available());
        b.lowerTo(50);
        assertEquals(30, b.available());
        b.lowerTo(-5);
        assertEquals(-5, b.available());
    }

    @Test
    void setLimitsKeepsLevelAndFraction() {
        TokenBucket b = new TokenBucket(1, 10, clock); // one per minute
        assertTrue(b.tryConsume(10));
        clock.advance(30_000_000_000L); // half a token
        b.setLimits(2, 10);             // now one per 30 s: the half carries over
        assertEquals(0, b.available());
        assertEquals(15_000_000_000L, b.nanosUntil(1));
        clock.advance(14_999_999_999L);
        assertEquals(0, b.available());
        clock.advance(1);
        assertEquals(1, b.available());

        b.setLimits(60, 100);
        assertEquals(1, b.available(), "a larger capacity does not add tokens");
        clock.advance(10_000_000_000L);
        assertEquals(11, b.available());
        b.setLimits(60, 5);
        assertEquals(5, b.available(), "clamped to the smaller capacity");
        b.setLimits(60, 50);
        assertEquals(5, b.available(), "and tokens dropped by the clamp stay dropped");
        b.fill();
        assertEquals(50, b.available());

        b.setLimits(0, 50); // no refill
        assertTrue(b.tryConsume(50));
        assertEquals(Long.MAX_VALUE, b.nanosUntil(1));
    }

    @Test
    void nanosUntilIsExactAtOddRates() {
        TokenBucket b = new TokenBucket(7, 3, clock);
        assertTrue(b.tryConsume(3));
        long w = b.nanosUntil(1);
        assertEquals(8_571_428_572L, w); // ceil(60e9 / 7)
        clock.advance(w - 1);
        assertFalse(b.tryConsume(1));
        clock.advance(1);
        assertTrue(b.tryConsume(1));
        // the 4/7 ns carried past the first token shortens the next wait
        assertEquals(8_571_428_571L, b.nanosUntil(1));
        assertEquals(2 * 60_000_000_000L / 7 - 8_571_428_572L + 1, b.nanosUntil(1));
    }

    @Test
    void refillOver() {
        TokenBucket b = new TokenBucket(6000, 10, clock);
        assertEquals(100, b.refillOver(1_000_000_000L));
        assertEquals(0, b.refillOver(-5));
        TokenBucket big = new TokenBucket(TokenBucket.MAX_RATE, 10, clock);
        assertEquals(owed(TokenBucket.MAX_RATE, BigInteger.valueOf(Long.MAX_VALUE / 4)), big.refillOver(Long.MAX_VALUE / 4));
    }

    @Test
    void div128MatchesBigInteger() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 50_000; i++) {
            long d = 1 + rnd.nextLong((1L << 40) - 1);
            long hi = rnd.nextInt(4) == 0 ? rnd.nextLong(d) : rnd.nextLong(Math.min(d, 1 << 20));
            long lo = rnd.nextLong();
            BigInteger n = BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
            BigInteger q = n.divide(BigInteger.valueOf(d));
            long expected = q.bitLength() <= 63 ? q.longValue() : Long.MAX_VALUE;
            assertEquals(expected, TokenBucket.div128(hi, lo, d), hi + ":" + lo + "/" + d);
        }
        assertEquals(Long.MAX_VALUE, TokenBucket.div128(5, 0, 5));
    }

    @Test
    void concurrentConsumersNeverOverdraw() throws Exception {
        TokenBucket b = new TokenBucket(0, 1_000_000, NanoClock.SYSTEM); // no refill: conservation is exact
        int threads = 8;
        AtomicLong taken = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    long n = 1 + rnd.nextInt(20);
                    if (b.tryConsume(n)) {
                        taken.addAndGet(n);
                        if (n >= 3 && rnd.nextInt(4) == 0) { // give part back: never more than was taken
                            b.refund(3);
                            taken.addAndGet(-3);
                        }
                    }
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) th.join();
        assertEquals(1_000_000 - taken.get(), b.available(), "every token accounted for");
        b.refund(Long.MAX_VALUE);
        assertEquals(1_000_000, b.available());
    }
}
