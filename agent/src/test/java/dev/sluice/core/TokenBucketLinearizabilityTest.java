package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A linearizability-style check of {@link TokenBucket} under contention, against the exact supply function.
 *
 * <p>Time moves in phases: the clock stands still while the threads race, and moves by a random step between
 * phases (odd rates, so the refill is fractional most of the time). Whatever order the CAS loops interleave in,
 * the operations of one phase commute, so the bucket's level after it is known exactly:
 * {@code L1 = min(capacity, L_prev + S(t) - S(t_prev)) - taken + refunded - forced}, with {@code S} the supply owed
 * since the bucket's creation, computed here in BigInteger. That equation is checked after every phase: no token
 * lost, none spent twice, the refill neither short nor long by one. In consume-only phases the level only falls, so
 * a refused {@code tryConsume(n)} proves the level was below {@code min(n, capacity)} when it failed, hence at the
 * phase's end too: a refusal with the tokens there would be a lost permit.
 *
 * <p>Seeded ({@code -Dsluice.seed=}); the seed is in every failure message.
 */
class TokenBucketLinearizabilityTest {
    static final long NPM = 60_000_000_000L;
    static final long SEED = Long.getLong("sluice.seed", System.nanoTime());
    static final int THREADS = 8;
    static final int PHASES = 4_000;

    @Test
    void phasedRacesMatchTheExactSupply() throws Exception {
        for (long[] rc : new long[][] {{7_777_777, 5_000}, {61, 3}, {1_000_000_007L, 1_000_000}, {1, 1}}) {
            run(rc[0], rc[1]);
        }
    }

    private void run(long perMinute, long capacity) throws Exception {
        String why = "rate " + perMinute + "/min, capacity " + capacity + ", seed " + SEED
                + " (re-run with -Dsluice.seed=" + SEED + ")";
        ManualClock clock = new ManualClock();
        long origin = clock.nanoTime();
        TokenBucket b = new TokenBucket(perMinute, capacity, clock);
        SplittableRandom master = new SplittableRandom(SEED ^ perMinute);
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        CyclicBarrier end = new CyclicBarrier(THREADS + 1);
        AtomicLong taken = new AtomicLong();
        AtomicLong refunded = new AtomicLong();
        AtomicLong forced = new AtomicLong();
        /** The smallest amount refused in the current phase (consume-only phases check it). */
        AtomicLong minRefused = new AtomicLong(Long.MAX_VALUE);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean[] consumeOnly = new boolean[1];
        boolean[] stop = new boolean[1];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom rnd = master.split();
            Thread th = new Thread(() -> {
                try {
                    while (true) {
                        start.await(30, TimeUnit.SECONDS);
                        if (stop[0]) return;
                        long mine = 0;
                        int ops = 1 + rnd.nextInt(40);
                        for (int i = 0; i < ops; i++) {
                            int op = consumeOnly[0] ? 0 : rnd.nextInt(10);
                            long n = rnd.nextInt(8) == 0 ? 1 + rnd.nextLong(capacity * 2) : 1 + rnd.nextInt(4);
                            if (op < 7) {
                                if (b.tryConsume(n)) {
                                    taken.addAndGet(n);
                                    mine += n;
                                } else {
                                    minRefused.accumulateAndGet(Math.min(n, capacity), Math::min);
                                }
                            } else if (op < 9) {
                                long back = mine == 0 ? 0 : 1 + rnd.nextLong(mine);
                                b.refund(back); // never more than this thread took this phase: the cap cannot bite
                                refunded.addAndGet(back);
                                mine -= back;
                            } else {
                                long f = 1 + rnd.nextInt(3);
                                b.forceConsume(f);
                                forced.addAndGet(f);
                            }
                        }
                        end.await(30, TimeUnit.SECONDS);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bucket-" + t);
            threads.add(th);
            th.start();
        }
        long level = capacity;
        long supplied = 0; // S(now), exactly
        long checkedRefusals = 0;
        try {
            for (int phase = 0; phase < PHASES; phase++) {
                long step = master.nextInt(4) == 0 ? 0 : master.nextLong(NPM / Math.max(1, Math.min(perMinute, 1_000)));
                clock.advance(step);
                long s = BigInteger.valueOf(clock.nanoTime() - origin).multiply(BigInteger.valueOf(perMinute))
                        .divide(BigInteger.valueOf(NPM)).longValueExact();
                long before = Math.min(capacity, level + (s - supplied));
                supplied = s;
                assertEquals(before, b.available(), why + ": level after the refill, phase " + phase);
                taken.set(0);
                refunded.set(0);
                forced.set(0);
                minRefused.set(Long.MAX_VALUE);
                consumeOnly[0] = master.nextBoolean();
                start.await(30, TimeUnit.SECONDS);
                end.await(30, TimeUnit.SECONDS);
                level = before - taken.get() + refunded.get() - forced.get();
                assertEquals(level, b.available(), why + ": conservation in phase " + phase + " (start " + before
                        + ", taken " + taken + ", refunded " + refunded + ", forced " + forced + ")");
                if (consumeOnly[0] && minRefused.get() != Long.MAX_VALUE) {
                    assertTrue(level < minRefused.get(), why + ": a tryConsume(" + minRefused + ") was refused in phase "
                            + phase + " though " + level + " tokens were still there at its end");
                    checkedRefusals++;
                }
                if (failure.get() != null) fail(why, failure.get());
            }
        } finally {
            stop[0] = true;
            try {
                start.await(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // threads already gone
            }
            for (Thread th : threads) th.join(5_000);
        }
        if (failure.get() != null) fail(why, failure.get());
        assertTrue(checkedRefusals > 0 || capacity > 100_000, why + ": refusals were checked");
        System.out.println("FIGURES token bucket " + perMinute + "/min cap " + capacity + ": " + PHASES + " phases x "
                + THREADS + " threads, " + checkedRefusals + " phases with refusals checked, seed " + SEED);
    }
}
