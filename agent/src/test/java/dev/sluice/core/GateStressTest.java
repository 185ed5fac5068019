package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many threads hammer one gate with the real clock and the real shared timer: blocking, deadline and async
 * acquires, cancels racing grants, interrupts, double completions. Afterwards nothing may be left over: no slot,
 * no waiter, no permit completed twice or never, every token accounted for.
 */
class GateStressTest {
    static final long MS = 1_000_000L;
    static final int PLATFORM_THREADS = 16;
    static final int VIRTUAL_THREADS = 200;

    final Map<Permit, Boolean> handedOut = new ConcurrentHashMap<>();
    final LongAdder obtained = new LongAdder();
    final LongAdder completedByUs = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder interrupted = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final Queue<Throwable> problems = new ConcurrentLinkedQueue<>();

    /**
     * Concurrency-bound: 4 slots, a small room with drop-oldest, short max-wait. TPM at 1 token per minute so
     * that no refill happens during the run and the bucket's level must be exactly its capacity less every charge.
     */
    @Test
    void slotsRoomAndTokensStayConsistent() throws Exception {
        GateLimits limits = GateLimits.builder().tpm(1).burst(1000).maxConcurrent(4).queueCapacity(48)
                .overflow(Overflow.DROP_OLDEST).maxWaitNanos(300 * MS).breakerFailures(1_000_000).build();
        assertEquals(1000, limits.tokenCapacity());
        Gate g = new Gate("stress-slots", limits);
        List<Thread> threads = run(g, 2_000 * MS, true);
        finish(g, threads);
        GateMonitor m = g.monitor();
        assertEquals(1000 - m.tokensCharged(), m.availableTokens(), "tokens conserved");
        assertTrue(m.refused(RefusalReason.DROPPED) + m.refused(RefusalReason.WAIT_TOO_LONG)
                + m.refused(RefusalReason.TIMEOUT) > 0, "the room overflowed now and then: " + refused.sum());
    }

    /** Rate-bound: the timer path. The bucket can never have produced more than capacity + rate x time. */
    @Test
    void rateBoundAdmissionsNeverExceedTheQuota() throws Exception {
        GateLimits limits = GateLimits.builder().rpm(120_000).burst(0.1 / 60).burstMarginNanos(0) // 2000/s, capacity 200
                .queueCapacity(256).overflow(Overflow.DROP_RANDOM).maxWaitNanos(500 * MS)
                .shedLow(1.0).shedNormal(1.0).shedHigh(1.0).build();
        assertEquals(200, limits.requestCapacity());
        long t0 = System.nanoTime();
        Gate g = new Gate("stress-rate", limits);
        List<Thread> threads = run(g, 2_000 * MS, false);
        finish(g, threads);
        long elapsed = System.nanoTime() - t0;
        long bound = 200 + (long) (2000.0 * elapsed / 1e9) + 1;
        assertTrue(g.monitor().admitted() <= bound, g.monitor().admitted() + " admitted, bound " + bound);
        assertTrue(g.monitor().admitted() > 0);
        long avail = g.monitor().availableRequests();
        assertTrue(avail >= 0 && avail <= 200, "level within the bucket: " + avail);
    }

    /**
     * Every thread re-arms its own permit call after call, while the real lease sweep (a 2 ms lease, swept every
     * 1 ms) reclaims the calls that outlast it: a reclaim may land at any moment of an arming, and its owner re-arms
     * the permit as soon as its late hand-back is refused. A reclaim that hit the next arming, or released what the
     * next arming took, would show as a slot left taken, a charge that is not the one the callers made (reservations
     * of 0 to 50 tokens, a reclaim charges its arming's), or an answer left uncounted.
     */
    @Test
    void reArmedPermitsRacingTheLeaseSweep() throws Exception {
        GateLimits limits = GateLimits.builder().tpm(TokenBucket.MAX_RATE).maxConcurrent(64).queueCapacity(64)
                .maxWaitNanos(5_000 * MS).leaseNanos(2 * MS).breakerFailures(1_000_000).build();
        LongAdder expectedCharge = new LongAdder();
        Gate g = new Gate("stress-reuse", limits);
        long end = System.nanoTime() + 1_500 * MS;
        LongAdder lateRefused = new LongAdder();
        LongAdder reArmed = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PLATFORM_THREADS; i++) {
            SplittableRandom rnd = new SplittableRandom(100 + i);
            Thread t = new Thread(() -> {
                Permit mine = null;
                while (System.nanoTime() < end) {
                    long tokens = rnd.nextInt(51);
                    Permit pm;
                    try {
                        pm = g.acquire(Priority.NORMAL, tokens, 0, mine);
                    } catch (Refusal r) {
                        refused.increment();
                        continue;
                    } catch (Throwable e) {
                        problems.add(e);
                        return;
                    }
                    if (pm == mine) reArmed.increment();
                    mine = pm;
                    obtained.increment();
                    if (pm.reservedTokens() != tokens) problems.add(new AssertionError("armed with another call's tokens"));
                    long spinUntil = System.nanoTime() + rnd.nextLong(3 * MS); // some outlast the 2 ms lease
                    while (System.nanoTime() < spinUntil) Thread.onSpinWait();
                    long charge = rnd.nextInt(2) == 0 ? Permit.KEEP_RESERVATION : rnd.nextInt(60);
                    if (pm.complete(200, charge)) {
                        completedByUs.increment();
                        expectedCharge.add(charge == Permit.KEEP_RESERVATION ? tokens : charge);
                        if (pm.complete(200, 0)) problems.add(new AssertionError("one arming completed twice"));
                    } else {
                        lateRefused.increment(); // reclaimed while in use: charged its reservation
                        expectedCharge.add(tokens);
                    }
                }
            }, "reuse-" + i);
            threads.add(t);
            t.start();
        }
        joinAndReport(threads);
        GateMonitor m = g.monitor();
        assertEquals(0, m.inFlight(), "no slot left taken");
        assertEquals(obtained.sum(), m.admitted());
        assertEquals(completedByUs.sum(), m.completed());
        assertEquals(lateRefused.sum(), m.reclaimedLeases(), "every refused hand-back was a reclaim, and only those");
        assertTrue(m.reclaimedLeases() > 0, "the sweep reclaimed calls in use: " + m.reclaimedLeases());
        assertTrue(reArmed.sum() > obtained.sum() / 2, "permits were re-armed: " + reArmed.sum() + " of " + obtained.sum());
        assertEquals(expectedCharge.sum(), m.tokensCharged(), "each arming charged what its caller or its reclaim said");
        assertEquals(0, g.awaitingAnswer(), "every arming's answer counted once");
        assertEquals(0, g.awaitingTokens(), "and its own reservation with it");
        System.out.printf("%s: %d admitted, %d re-armed, %d reclaimed in use, %d refused%n", g.name(), obtained.sum(),
                reArmed.sum(), m.reclaimedLeases(), refused.sum());
    }

    private List<Thread> run(Gate g, long durationNanos, boolean withInterrupts) throws Exception {
        long end = System.nanoTime() + durationNanos;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PLATFORM_THREADS; i++) {
            int seed = i;
            Thread t = new Thread(() -> work(g, seed, start, end), "stress-" + i);
            threads.add(t);
            t.start();
        }
        Method ofVirtual = virtualBuilder();
        if (ofVirtual != null) { // JDK 21+: the build targets 17, so only by reflection
            Object builder = ofVirtual.invoke(null);
            Method startVirtual = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
            for (int i = 0; i < VIRTUAL_THREADS; i++) {
                int seed = 1000 + i;
                threads.add((Thread) startVirtual.invoke(builder, (Runnable) () -> work(g, seed, start, end)));
            }
        }
        start.countDown();
        if (withInterrupts) {
            SplittableRandom rnd = new SplittableRandom(7);
            while (System.nanoTime() < end) {
                threads.get(rnd.nextInt(PLATFORM_THREADS)).interrupt();
                Thread.sleep(1); // pacing of the interrupter only; nothing is asserted on timing
            }
        }
        return threads;
    }

    private static Method virtualBuilder() {
        try {
            return Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private void work(Gate g, int seed, CountDownLatch start, long end) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Priority[] ps = Priority.values();
        while (System.nanoTime() < end) {
            Priority p = ps[rnd.nextInt(3)];
            long tokens = rnd.nextInt(2);
            Permit pm = null;
            try {
                int op = rnd.nextInt(10);
                if (op < 4) {
                    pm = g.acquire(p, tokens);
                } else if (op < 6) {
                    pm = g.acquire(p, tokens, System.nanoTime() + rnd.nextInt(50) * MS);
                } else {
                    CompletableFuture<Permit> f = g.acquireAsync(p, tokens);
                    if (op >= 8 && f.cancel(false)) { // races the grant: a permit won meanwhile must go back
                        cancelled.increment();
                        continue;
                    }
                    pm = f.join();
                }
            } catch (Refusal r) {
                refused.increment();
                continue;
            } catch (InterruptedException e) {
                interrupted.increment();
                continue;
            } catch (CompletionException e) {
                if (e.getCause() instanceof Refusal) refused.increment();
                else problems.add(e);
                continue;
            } catch (CancellationException e) {
                problems.add(e);
                continue;
            } catch (Throwable t) {
                problems.add(t);
                continue;
            }
            if (handedOut.putIfAbsent(pm, Boolean.TRUE) != null) problems.add(new AssertionError("permit handed out twice"));
            obtained.increment();
            for (int i = rnd.nextInt(200); i > 0; i--) Thread.onSpinWait(); // the call
            int c = rnd.nextInt(20);
            long charge = c < 17 ? 0 : c < 19 ? Permit.KEEP_RESERVATION : pm.reservedTokens() + 1;
            int status = c == 0 ? Permit.CANCELLED : c == 1 ? 429 : c == 2 ? 503 : 200;
            boolean first = pm.complete(status, charge);
            if (!first) problems.add(new AssertionError("first completion refused: " + pm));
            else completedByUs.increment();
            if (rnd.nextInt(10) == 0 && pm.complete(200, 0)) problems.add(new AssertionError("completed twice"));
        }
        Thread.interrupted();
    }

    /** Waits for the workers; any problem they recorded fails the test, the first as the message. */
    private void joinAndReport(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(30_000);
            assertFalse(t.isAlive(), "worker stuck: " + t);
        }
        if (!problems.isEmpty()) {
            AssertionError e = new AssertionError(problems.size() + " problems, first: " + problems.peek());
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }

    private void finish(Gate g, List<Thread> threads) throws InterruptedException {
        joinAndReport(threads);
        GateMonitor m = g.monitor();
        assertNull(problems.peek());
        assertEquals(0, m.inFlight(), "no slot left taken");
        assertEquals(0, m.queueDepth(), "no waiter left");
        assertEquals(m.enqueued(), m.dequeued(), "everyone who entered the room left it");
        assertEquals(obtained.sum(), completedByUs.sum());
        assertEquals(obtained.sum(), m.admitted(), "admitted = permits the callers actually got");
        assertEquals(m.admitted(), m.completed(), "each completed exactly once");
        assertEquals(0, m.reclaimedLeases());
        for (Permit p : handedOut.keySet()) assertTrue(p.isCompleted());
        System.out.printf("%s: %d admitted, %d refused, %d cancelled, %d interrupted, waits %d (max %d ms)%n",
                g.name(), obtained.sum(), refused.sum(), cancelled.sum(), interrupted.sum(), m.waits(),
                m.maxWaitNanos() / MS);
    }

    /** Probe of the reflection path itself, so a JDK without virtual threads still runs the rest. */
    @Test
    void virtualThreadsDetection() {
        Method m = virtualBuilder();
        assertEquals(Runtime.version().feature() >= 21, m != null);
    }

}
