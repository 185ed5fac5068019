package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class GateTest {
    static final long MS = 1_000_000L;
    static final long SEC = 1_000_000_000L;

    final ManualClock clock = new ManualClock();
    final ManualScheduler sched = new ManualScheduler(clock);

    Gate gate(GateLimits.Builder b) {
        return new Gate("test", b.build(), clock, sched);
    }

    static GateLimits.Builder limits() {
        return GateLimits.builder().burstMarginNanos(0);
    }

    static Refusal refusalOf(CompletableFuture<Permit> f) {
        assertTrue(f.isCompletedExceptionally(), "refused: " + f);
        try {
            f.join();
        } catch (CompletionException e) {
            return (Refusal) e.getCause();
        }
        throw new AssertionError("not refused");
    }

    static Permit permitOf(CompletableFuture<Permit> f) {
        assertTrue(f.isDone() && !f.isCompletedExceptionally(), "admitted: " + f);
        return f.join();
    }

    static Refusal refused(Runnable r) {
        try {
            r.run();
        } catch (Refusal e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    Permit now(Gate g, Priority p, long tokens) {
        return permitOf(g.acquireAsync(p, tokens));
    }

    // ---------------------------------------------------------------- fast path, slots, order

    @Test
    void fastPathAdmitsAndCompletionReleases() {
        Gate g = gate(limits().rpm(600).tpm(60_000).maxConcurrent(2));
        Permit p = now(g, Priority.NORMAL, 100);
        assertEquals(1, g.monitor().inFlight());
        assertEquals(599, g.monitor().availableRequests());
        assertEquals(59_900, g.monitor().availableTokens());
        assertEquals(100, p.reservedTokens());
        assertSame(g, p.gate());
        assertFalse(p.isCompleted());
        assertTrue(p.complete(200, 40));
        assertFalse(p.complete(200, 40), "exactly once");
        assertTrue(p.isCompleted());
        assertEquals(0, g.monitor().inFlight());
        assertEquals(59_960, g.monitor().availableTokens(), "unused reservation refunded");
        assertEquals(1, g.monitor().admitted());
        assertEquals(1, g.monitor().completed());
        assertEquals(100, g.monitor().tokensReserved());
        assertEquals(40, g.monitor().tokensCharged());
        Permit q = now(g, Priority.NORMAL, 100);
        q.complete(200, 250);
        assertEquals(59_960 - 250, g.monitor().availableTokens(), "under-estimate charged");
        Permit r = now(g, Priority.NORMAL, 100);
        r.complete(200, Permit.KEEP_RESERVATION);
        assertEquals(59_960 - 350, g.monitor().availableTokens());
    }

    @Test
    void unlimitedGateReportsMinusOne() throws Exception {
        Gate g = gate(limits());
        assertEquals(-1, g.monitor().availableRequests());
        assertEquals(-1, g.monitor().availableTokens());
        Permit p = g.acquire(Priority.HIGH, 1_000_000);
        assertEquals(Priority.HIGH, p.priority());
        p.complete(200, 5);
        assertEquals(0, g.monitor().inFlight());
    }

    @Test
    void concurrencyCapQueuesAndReleaseGrantsInPriorityOrder() {
        Gate g = gate(limits().maxConcurrent(1));
        Permit first = now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> low = g.acquireAsync(Priority.LOW, 0);
        CompletableFuture<Permit> normal = g.acquireAsync(Priority.NORMAL, 0);
        CompletableFuture<Permit> high = g.acquireAsync(Priority.HIGH, 0);
        CompletableFuture<Permit> normal2 = g.acquireAsync(Priority.NORMAL, 0);
        assertEquals(4, g.monitor().queueDepth());
        assertFalse(low.isDone() || normal.isDone() || high.isDone());
        List<CompletableFuture<Permit>> order = new ArrayList<>();
        Permit cur = first;
        for (int i = 0; i < 4; i++) {
            cur.complete(200, Permit.KEEP_RESERVATION);
            CompletableFuture<Permit> granted = null;
            for (CompletableFuture<Permit> f : List.of(low, normal, high, normal2)) {
                if (f.isDone() && !order.contains(f)) {
                    assertTrue(granted == null, "one at a time");
                    granted = f;
                }
            }
            assertNotNull(granted);
            order.add(granted);
            cur = granted.join();
        }
        assertEquals(List.of(high, normal, normal2, low), order);
        cur.complete(200, 0);
        assertEquals(0, g.monitor().inFlight());
        assertEquals(4, g.monitor().enqueued());
        assertEquals(4, g.monitor().dequeued());
        assertEquals(4, g.monitor().waits());
        assertEquals(5, g.monitor().admitted());
    }

    @Test
    void newcomersQueueBehindWaitersInsteadOfOvertaking() {
        Gate g = gate(limits().tpm(600)); // 10 tokens/s, capacity 600
        now(g, Priority.NORMAL, 590);
        CompletableFuture<Permit> big = g.acquireAsync(Priority.NORMAL, 50); // needs 40 more: 4 s
        assertFalse(big.isDone());
        CompletableFuture<Permit> small = g.acquireAsync(Priority.NORMAL, 5); // 5 would be there now
        assertFalse(small.isDone(), "must not overtake the waiter");
        sched.advance(4 * SEC - 1);
        assertFalse(big.isDone());
        sched.advance(1);
        assertTrue(big.isDone());
        assertFalse(small.isDone());
        sched.advance(500 * MS);
        assertTrue(small.isDone());
    }

    @Test
    void rateBoundWaitersAreServedAtTheRefillRate() {
        Gate g = gate(limits().rpm(60).burst(1.0 / 60)); // 1/s, capacity 1
        now(g, Priority.NORMAL, 0);
        List<CompletableFuture<Permit>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) fs.add(g.acquireAsync(Priority.NORMAL, 0));
        for (int i = 0; i < 5; i++) {
            sched.advance(SEC - 1);
            assertFalse(fs.get(i).isDone(), "waiter " + i + " not before its second");
            sched.advance(1);
            assertTrue(fs.get(i).isDone(), "waiter " + i);
            if (i + 1 < 5) assertFalse(fs.get(i + 1).isDone());
        }
        assertTrue(g.monitor().maxWaitNanos() >= 5 * SEC);
        assertEquals(0, g.monitor().queueDepth());
        assertEquals(0, sched.pending() - (sched.pending() > 0 ? 1 : 0), "at most the lease sweep is pending");
    }

    // ---------------------------------------------------------------- shedding, congestion, overflow

    @Test
    void shedsLowThenNormalThenHighAsUtilizationRises() {
        // one slot + 20 places: utilization = (inFlight + waiting) / 21; watermarks out of the way
        Gate g = gate(limits().maxConcurrent(1).queueCapacity(20).highWater(20).lowWater(0));
        now(g, Priority.HIGH, 0);
        for (int i = 0; i < 17; i++) assertFalse(g.acquireAsync(Priority.HIGH, 0).isDone());
        // 18/21 = 0.857: everyone still queues
        assertFalse(g.acquireAsync(Priority.LOW, 0).isDone());
        // 19/21 = 0.905 >= 0.90: LOW shed
        Refusal r = refusalOf(g.acquireAsync(Priority.LOW, 0));
        assertEquals(RefusalReason.SHED, r.reason());
        assertFalse(g.acquireAsync(Priority.NORMAL, 0).isDone());
        // 20/21 = 0.952 >= 0.95: NORMAL shed too, HIGH queues
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.NORMAL, 0)).reason());
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.LOW, 0)).reason());
        assertFalse(g.acquireAsync(Priority.HIGH, 0).isDone());
        // 21/21 = 1.0 >= 0.98: HIGH shed as well
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.HIGH, 0)).reason());
        assertEquals(1.0, g.monitor().utilization(), 1e-9);
        assertEquals(4, g.monitor().refused(RefusalReason.SHED));
    }

    @Test
    void thresholdOfOneNeverSheds() {
        Gate g = gate(limits().maxConcurrent(1).queueCapacity(2).highWater(2).lowWater(0)
                .shedLow(1.0).shedNormal(1.0).shedHigh(1.0));
        now(g, Priority.LOW, 0);
        g.acquireAsync(Priority.NORMAL, 0);
        g.acquireAsync(Priority.NORMAL, 0);
        assertEquals(RefusalReason.QUEUE_FULL, refusalOf(g.acquireAsync(Priority.HIGH, 0)).reason());
    }

    @Test
    void congestionRefusesLowWithHysteresisAndTellsTheListener() {
        Gate g = gate(limits().maxConcurrent(1).queueCapacity(10).highWater(4).lowWater(1)
                .shedLow(1.0).shedNormal(1.0).shedHigh(1.0));
        List<Boolean> events = new ArrayList<>();
        g.setListener(new GateListener() {
            @Override
            public void onCongested(boolean congested) {
                events.add(congested);
            }
        });
        Permit p = now(g, Priority.NORMAL, 0);
        List<CompletableFuture<Permit>> ws = new ArrayList<>();
        for (int i = 0; i < 3; i++) ws.add(g.acquireAsync(Priority.LOW, 0));
        assertFalse(g.monitor().congested());
        ws.add(g.acquireAsync(Priority.NORMAL, 0)); // depth 4: congested
        assertTrue(g.monitor().congested());
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.LOW, 0)).reason());
        ws.add(g.acquireAsync(Priority.NORMAL, 0));
        assertFalse(ws.get(4).isDone(), "normal still queues");
        // drain to 2: still congested (hysteresis)
        for (int i = 0; i < 3; i++) {
            p.complete(200, 0);
            p = firstDone(ws);
        }
        assertEquals(2, g.monitor().queueDepth());
        assertTrue(g.monitor().congested());
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.LOW, 0)).reason());
        p.complete(200, 0);
        p = firstDone(ws);
        assertEquals(1, g.monitor().queueDepth());
        assertFalse(g.monitor().congested());
        assertFalse(g.acquireAsync(Priority.LOW, 0).isDone(), "low queues again");
        assertEquals(List.of(true, false), events);
    }

    private static Permit firstDone(List<CompletableFuture<Permit>> ws) {
        for (CompletableFuture<Permit> f : ws) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                ws.remove(f);
                return f.join();
            }
        }
        throw new AssertionError("none admitted");
    }

    @Test
    void forceShedLow() {
        Gate g = gate(limits());
        g.forceShedLow(true);
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.LOW, 0)).reason());
        now(g, Priority.NORMAL, 0);
        g.forceShedLow(false);
        now(g, Priority.LOW, 0);
    }

    /** The integration test's scenario: one slot held, room of 5 filled low,low,normal,normal,low, then 3 high. */
    List<String> overflowScenario(Overflow policy) {
        Gate g = gate(limits().maxConcurrent(1).queueCapacity(5).overflow(policy).highWater(5).lowWater(0)
                .shedLow(1.0).shedNormal(1.0).shedHigh(1.0));
        now(g, Priority.HIGH, 0);
        Priority[] ps = {Priority.LOW, Priority.LOW, Priority.NORMAL, Priority.NORMAL, Priority.LOW,
                Priority.HIGH, Priority.HIGH, Priority.HIGH};
        List<CompletableFuture<Permit>> fs = new ArrayList<>();
        for (Priority p : ps) fs.add(g.acquireAsync(p, 0));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) {
            CompletableFuture<Permit> f = fs.get(i);
            if (f.isCompletedExceptionally()) out.add((i + 1) + ":" + refusalOf(f).reason().label());
        }
        assertEquals(5, g.monitor().queueDepth());
        return out;
    }

    @Test
    void overflowRejectNew() {
        assertEquals(List.of("6:queue-full", "7:queue-full", "8:queue-full"), overflowScenario(Overflow.REJECT_NEW));
    }

    @Test
    void overflowDropOldest() {
        assertEquals(List.of("1:dropped", "2:dropped", "3:dropped"), overflowScenario(Overflow.DROP_OLDEST));
    }

    @Test
    void overflowDropLowestPriority() {
        assertEquals(List.of("1:dropped", "2:dropped", "5:dropped"), overflowScenario(Overflow.DROP_LOWEST_PRIORITY));
    }

    @Test
    void overflowDropRandom() {
        List<String> out = overflowScenario(Overflow.DROP_RANDOM);
        assertEquals(3, out.size());
        for (String s : out) {
            int i = Integer.parseInt(s.substring(0, s.indexOf(':')));
            assertTrue(s.endsWith(":dropped"), s);
            assertTrue(i <= 7, "a waiter is dropped, never the newcomer being queued: " + out);
        }
    }

    @Test
    void dropLowestPriorityRefusesANewcomerNoHigherThanTheLowest() {
        Gate g = gate(limits().maxConcurrent(1).queueCapacity(1).overflow(Overflow.DROP_LOWEST_PRIORITY)
                .highWater(1).lowWater(0).shedLow(1.0).shedNormal(1.0).shedHigh(1.0));
        now(g, Priority.HIGH, 0);
        CompletableFuture<Permit> n = g.acquireAsync(Priority.NORMAL, 0);
        assertEquals(RefusalReason.QUEUE_FULL, refusalOf(g.acquireAsync(Priority.NORMAL, 0)).reason());
        assertFalse(n.isDone());
        CompletableFuture<Permit> h = g.acquireAsync(Priority.HIGH, 0);
        assertEquals(RefusalReason.DROPPED, refusalOf(n).reason());
        assertFalse(h.isDone());
    }

    // ---------------------------------------------------------------- waiting limits

    @Test
    void expectedWaitOverMaxWaitIsRefusedAtOnce() {
        Gate g = gate(limits().rpm(60).burst(1.0 / 60).maxWaitNanos(2500 * MS)); // 1/s
        now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> a = g.acquireAsync(Priority.NORMAL, 0); // 1 s
        CompletableFuture<Permit> b = g.acquireAsync(Priority.NORMAL, 0); // 2 s
        Refusal r = refusalOf(g.acquireAsync(Priority.NORMAL, 0));       // 3 s > 2.5 s
        assertEquals(RefusalReason.WAIT_TOO_LONG, r.reason());
        assertEquals(3 * SEC, r.retryAfterNanos());
        assertFalse(a.isDone() || b.isDone());
        // a HIGH newcomer only counts the HIGH waiters ahead of it
        CompletableFuture<Permit> h = g.acquireAsync(Priority.HIGH, 0);
        assertFalse(h.isDone());
        sched.advance(SEC);
        assertTrue(h.isDone(), "high first");
        assertEquals(1, g.monitor().refused(RefusalReason.WAIT_TOO_LONG));
    }

    @Test
    void tokenBoundExpectedWait() {
        Gate g = gate(limits().tpm(6000).maxWaitNanos(10 * SEC)); // 100 tokens/s, capacity 6000
        now(g, Priority.NORMAL, 6000);
        CompletableFuture<Permit> a = g.acquireAsync(Priority.NORMAL, 500); // 5 s
        assertFalse(a.isDone());
        Refusal r = refusalOf(g.acquireAsync(Priority.NORMAL, 600));       // 11 s
        assertEquals(RefusalReason.WAIT_TOO_LONG, r.reason());
        assertEquals(11 * SEC, r.retryAfterNanos());
        sched.advance(5 * SEC);
        assertTrue(a.isDone());
    }

    @Test
    void waiterStillWaitingAtMaxWaitIsRefused() {
        Gate g = gate(limits().maxConcurrent(1).maxWaitNanos(5 * SEC));
        Permit p = now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0);
        sched.advance(5 * SEC - 1);
        assertFalse(w.isDone());
        sched.advance(1);
        assertEquals(RefusalReason.WAIT_TOO_LONG, refusalOf(w).reason());
        assertEquals(0, g.monitor().queueDepth());
        assertEquals(1, g.monitor().waits());
        assertEquals(5 * SEC, g.monitor().maxWaitNanos());
        p.complete(200, 0);
        assertEquals(0, g.monitor().inFlight());
    }

    @Test
    void callerDeadlineTimesOut() {
        Gate g = gate(limits().maxConcurrent(1));
        now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0, clock.nanoTime() + 2 * SEC);
        sched.advance(2 * SEC);
        assertEquals(RefusalReason.TIMEOUT, refusalOf(w).reason());
        // already past: refused at once
        assertEquals(RefusalReason.TIMEOUT,
                refusalOf(g.acquireAsync(Priority.NORMAL, 0, clock.nanoTime() - 1)).reason());
    }

    @Test
    void expectedWaitBeyondTheDeadlineTimesOutAtOnce() throws Exception {
        Gate g = gate(limits().rpm(60).burst(1.0 / 60));
        now(g, Priority.NORMAL, 0);
        Refusal r = refused(() -> {
            try {
                g.acquire(Priority.NORMAL, 0, clock.nanoTime() + 500 * MS); // needs 1 s
            } catch (InterruptedException e) {
                fail(e);
            }
        });
        assertEquals(RefusalReason.TIMEOUT, r.reason());
        assertEquals(SEC, r.retryAfterNanos());
    }

    @Test
    void pauseHoldsEveryoneAndResumeReleases() {
        Gate g = gate(limits().maxWaitNanos(30 * SEC));
        g.pauseFor(10 * SEC);
        g.pauseFor(SEC); // never shortens
        assertEquals(10 * SEC, g.monitor().pausedForNanos());
        CompletableFuture<Permit> a = g.acquireAsync(Priority.NORMAL, 0);
        assertFalse(a.isDone(), "no admission while paused, fast path included");
        sched.advance(10 * SEC - 1);
        assertFalse(a.isDone());
        sched.advance(1);
        assertTrue(a.isDone());
        g.pauseFor(5 * SEC);
        CompletableFuture<Permit> b = g.acquireAsync(Priority.NORMAL, 0);
        assertFalse(b.isDone());
        g.resume();
        assertTrue(b.isDone());
        assertEquals(0, g.monitor().pausedForNanos());
        g.pauseFor(40 * SEC);
        Refusal r = refusalOf(g.acquireAsync(Priority.NORMAL, 0));
        assertEquals(RefusalReason.WAIT_TOO_LONG, r.reason(), "a pause longer than max-wait refuses at once");
        assertEquals(40 * SEC, r.retryAfterNanos());
    }

    // ---------------------------------------------------------------- cancellation, interruption, leases

    @Test
    void cancellingAnAsyncWaiterLeavesNoTrace() {
        Gate g = gate(limits().maxConcurrent(1).tpm(1000));
        Permit p = now(g, Priority.NORMAL, 10);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 10);
        CompletableFuture<Permit> w2 = g.acquireAsync(Priority.NORMAL, 10);
        assertTrue(w.cancel(false));
        assertEquals(1, g.monitor().queueDepth());
        p.complete(200, Permit.KEEP_RESERVATION);
        assertTrue(w2.isDone(), "the next waiter gets the slot");
        permitOf(w2).complete(200, Permit.KEEP_RESERVATION);
        assertEquals(0, g.monitor().inFlight());
        assertEquals(980, g.monitor().availableTokens(), "the cancelled waiter took nothing");
        assertEquals(2, g.monitor().admitted());
    }

    @Test
    void permitWonInARaceWithCancelIsHandedBack() {
        Gate g = gate(limits().rpm(600).tpm(1000));
        g.pauseFor(SEC);
        CompletableFuture<Permit> w1 = g.acquireAsync(Priority.NORMAL, 10);
        CompletableFuture<Permit> w2 = g.acquireAsync(Priority.NORMAL, 10);
        // Both are granted in one dispatch; w1's answer (delivered first) cancels w2, whose grant is already
        // decided: w2's permit must be handed back, with everything it took.
        w1.thenRun(() -> assertTrue(w2.cancel(false)));
        g.resume();
        assertTrue(w1.isDone());
        assertTrue(w2.isCancelled());
        assertEquals(1, g.monitor().inFlight(), "w2's slot was given back");
        assertEquals(990, g.monitor().availableTokens(), "only w1's reservation remains taken");
        assertEquals(599, g.monitor().availableRequests());
        assertEquals(1, g.monitor().admitted(), "w2 never counted as admitted");
        assertEquals(10, g.monitor().tokensReserved());
        permitOf(w1).complete(200, Permit.KEEP_RESERVATION);
        assertEquals(0, g.monitor().inFlight());

        // A reset starts both figures from zero; the permit handed back before it is not subtracted again.
        g.monitor().reset();
        assertEquals(0, g.monitor().admitted());
        assertEquals(0, g.monitor().tokensReserved());
        now(g, Priority.NORMAL, 7).complete(200, Permit.KEEP_RESERVATION);
        assertEquals(1, g.monitor().admitted());
        assertEquals(7, g.monitor().tokensReserved());
        assertEquals(1, g.monitor().completed());
    }

    @Test
    void externalCompletionLeavesTheRoom() {
        Gate g = gate(limits().maxConcurrent(1));
        now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0);
        w.completeExceptionally(new RuntimeException("orTimeout"));
        assertEquals(0, g.monitor().queueDepth());
        assertEquals(1, g.monitor().dequeued());
    }

    @Test
    void blockingAcquireWaitsThenIsAdmitted() throws Exception {
        Gate g = gate(limits().maxConcurrent(1));
        Permit p = g.acquire(Priority.NORMAL, 0);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                got.set(g.acquire(Priority.NORMAL, 0));
            } catch (Throwable e) {
                got.set(e);
            }
        });
        t.start();
        awaitDepth(g, 1);
        p.complete(200, 0);
        t.join(10_000);
        assertTrue(got.get() instanceof Permit, String.valueOf(got.get()));
        ((Permit) got.get()).complete(200, 0);
        assertEquals(0, g.monitor().inFlight());
    }

    @Test
    void blockingAcquireInterruptedLeavesTheRoom() throws Exception {
        Gate g = gate(limits().maxConcurrent(1));
        Permit p = g.acquire(Priority.NORMAL, 0);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                got.set(g.acquire(Priority.NORMAL, 0));
            } catch (Throwable e) {
                got.set(e);
            }
        });
        t.start();
        awaitDepth(g, 1);
        t.interrupt();
        t.join(10_000);
        assertTrue(got.get() instanceof InterruptedException, String.valueOf(got.get()));
        assertEquals(0, g.monitor().queueDepth());
        p.complete(200, 0);
        assertEquals(0, g.monitor().inFlight(), "nobody was granted the released slot");
    }

    @Test
    void blockingAcquireRefusedAtMaxWait() throws Exception {
        Gate g = gate(limits().maxConcurrent(1).maxWaitNanos(3 * SEC));
        g.acquire(Priority.NORMAL, 0);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                got.set(g.acquire(Priority.NORMAL, 0));
            } catch (Throwable e) {
                got.set(e);
            }
        });
        t.start();
        awaitDepth(g, 1);
        sched.advance(3 * SEC);
        t.join(10_000);
        assertTrue(got.get() instanceof Refusal, String.valueOf(got.get()));
        assertEquals(RefusalReason.WAIT_TOO_LONG, ((Refusal) got.get()).reason());
    }

    static void awaitDepth(Gate g, int depth) throws InterruptedException {
        long end = System.nanoTime() + 10 * SEC;
        while (g.monitor().queueDepth() != depth) {
            if (System.nanoTime() > end) fail("depth " + depth + " not reached: " + g.monitor().queueDepth());
            Thread.yield();
        }
    }

    @Test
    void abandonedPermitIsReclaimedAfterItsLease() {
        Gate g = gate(limits().maxConcurrent(1).leaseNanos(10 * SEC).maxWaitNanos(60 * SEC));
        List<Permit> reclaimed = new ArrayList<>();
        g.setListener(new GateListener() {
            @Override
            public void onLeaseReclaimed(Permit permit) {
                reclaimed.add(permit);
            }
        });
        Permit lost = now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0);
        sched.advance(9 * SEC);
        assertFalse(w.isDone());
        sched.advance(2 * SEC);
        assertTrue(w.isDone(), "the slot came back");
        assertEquals(List.of(lost), reclaimed);
        assertEquals(1, g.monitor().reclaimedLeases());
        assertTrue(lost.isCompleted());
        assertFalse(lost.complete(200, 0), "a late hand-back does nothing");
        assertEquals(1, g.monitor().inFlight());
        permitOf(w).complete(200, 0);
        assertEquals(0, g.monitor().inFlight());
        sched.advance(5 * SEC);
        assertEquals(0, sched.pending(), "no sweep while nothing is outstanding");
    }

    @Test
    void moreOutstandingPermitsThanLeaseSlotsAreAllReclaimed() {
        Gate g = gate(limits().leaseNanos(10 * SEC));
        List<Permit> reclaimed = new ArrayList<>();
        g.setListener(new GateListener() {
            @Override
            public void onLeaseReclaimed(Permit permit) {
                reclaimed.add(permit);
            }
        });
        List<Permit> lost = new ArrayList<>();
        for (int i = 0; i < 3000; i++) lost.add(now(g, Priority.NORMAL, 0)); // past the table: some in the list
        Permit done = now(g, Priority.NORMAL, 0);
        assertTrue(done.complete(200, 0));
        sched.advance(11 * SEC);
        assertEquals(3000, reclaimed.size());
        assertEquals(new java.util.HashSet<>(lost), new java.util.HashSet<>(reclaimed));
        assertEquals(0, g.monitor().inFlight());
        assertEquals(3000, g.monitor().reclaimedLeases());
        sched.advance(5 * SEC);
        assertEquals(0, sched.pending(), "no sweep while nothing is outstanding");
    }

    @Test
    void aHandedBackPermitIsNotKeptByTheGate() throws InterruptedException {
        Gate g = gate(limits().leaseNanos(10 * SEC));
        Permit keep = now(g, Priority.NORMAL, 0); // outstanding, so the sweep stays scheduled
        java.lang.ref.WeakReference<Permit> ref = new java.lang.ref.WeakReference<>(now(g, Priority.NORMAL, 0));
        assertTrue(ref.get().complete(200, 0));
        long end = System.nanoTime() + 10 * SEC;
        while (ref.get() != null && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(null, ref.get(), "a completed permit is garbage before any sweep");
        assertTrue(keep.complete(200, 0));
    }

    // ---------------------------------------------------------------- a permit re-armed by its owner

    @Test
    void aHandedBackPermitIsReArmedAndAccountedAsANewCall() throws InterruptedException {
        Gate g = gate(limits().tpm(60_000).burst(1.0 / 60).maxConcurrent(2)); // 1000 tokens; the clock stands still
        Permit p = g.acquire(Priority.NORMAL, 100);
        assertTrue(p.complete(200, 40));
        Permit again = g.acquire(Priority.HIGH, 200, 0, p);
        assertSame(p, again, "re-armed, not allocated");
        assertFalse(again.isCompleted());
        assertEquals(Priority.HIGH, again.priority());
        assertEquals(200, again.reservedTokens());
        assertEquals(1, g.monitor().inFlight());
        assertTrue(again.complete(200, 250));
        assertFalse(again.complete(200, 0), "a second hand-back of one arming does nothing");
        GateMonitor m = g.monitor();
        assertEquals(2, m.admitted());
        assertEquals(2, m.completed());
        assertEquals(290, m.tokensCharged());
        assertEquals(1000 - 290, m.availableTokens(), "each arming refunded or charged its own reservation");
        assertEquals(0, m.inFlight());
    }

    @Test
    void anActivePermitIsNeverReArmed() throws InterruptedException {
        Gate g = gate(limits().maxConcurrent(2));
        Permit p = g.acquire(Priority.NORMAL, 0);
        Permit other = g.acquire(Priority.NORMAL, 0, 0, p);
        assertNotSame(p, other, "still in use: a new permit instead");
        assertTrue(p.complete(200, 0));
        assertTrue(other.complete(200, 0));
        assertEquals(0, g.monitor().inFlight());
    }

    @Test
    void aReclaimedPermitMayBeReArmedAndTheLateHandBackCannotTouchTheNewCall() throws InterruptedException {
        Gate g = gate(limits().maxConcurrent(1).leaseNanos(10 * SEC));
        Permit p = g.acquire(Priority.NORMAL, 0);
        sched.advance(11 * SEC);
        assertEquals(1, g.monitor().reclaimedLeases());
        Permit again = g.acquire(Priority.NORMAL, 0, 0, p); // the slot came back with the reclaim
        assertSame(p, again);
        assertEquals(1, g.monitor().inFlight());
        sched.advance(5 * SEC);
        assertEquals(1, g.monitor().reclaimedLeases(), "the new arming has its own lease: not reclaimed at 5 s");
        assertTrue(again.complete(200, 0));
        assertEquals(0, g.monitor().inFlight());
        sched.advance(11 * SEC);
        assertEquals(1, g.monitor().reclaimedLeases(), "a handed-back arming is never reclaimed");
        assertEquals(0, sched.pending(), "no sweep while nothing is outstanding");
    }

    @Test
    void aPermitInTheOverflowListIsNotReArmedUntilTheSweepUnlinksIt() throws InterruptedException {
        Gate g = gate(limits().leaseNanos(10 * SEC));
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < 2000; i++) held.add(g.acquire(Priority.NORMAL, 0)); // past the table: some listed
        Permit listed = held.stream().filter(x -> x.listed).findFirst().orElseThrow();
        assertTrue(listed.complete(200, 0));
        Permit next = g.acquire(Priority.NORMAL, 0, 0, listed);
        assertNotSame(listed, next, "still linked in the lease list");
        sched.advance(2 * SEC); // a sweep unlinks handed-back permits
        assertFalse(listed.listed);
        assertTrue(next.complete(200, 0));
        assertSame(listed, g.acquire(Priority.NORMAL, 0, 0, listed));
        assertTrue(listed.complete(200, 0));
        for (Permit h : held) h.complete(200, 0);
        assertEquals(0, g.monitor().inFlight());
        assertEquals(0, g.monitor().reclaimedLeases());
    }

    // ---------------------------------------------------------------- breaker through the gate

    @Test
    void breakerRefusesThenProbes() {
        Gate g = gate(limits().breakerFailures(2).breakerOpenNanos(10 * SEC).maxConcurrent(1));
        List<String> events = new ArrayList<>();
        g.setListener(new GateListener() {
            @Override
            public void onBreakerState(BreakerState from, BreakerState to) {
                events.add(from.label() + ">" + to.label());
            }
        });
        now(g, Priority.NORMAL, 0).complete(500, 0);
        Permit p = now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> waiting = g.acquireAsync(Priority.NORMAL, 0);
        p.complete(Permit.IO_ERROR, 0);
        assertEquals(BreakerState.OPEN, g.monitor().breakerState());
        Refusal w = refusalOf(waiting);
        assertEquals(RefusalReason.BREAKER_OPEN, w.reason(), "waiters are refused when it opens");
        Refusal r = refusalOf(g.acquireAsync(Priority.HIGH, 0));
        assertEquals(RefusalReason.BREAKER_OPEN, r.reason());
        assertEquals(10 * SEC, r.retryAfterNanos());
        assertEquals(2, g.monitor().failures());
        sched.advance(10 * SEC);
        Permit probe = now(g, Priority.NORMAL, 0);
        assertEquals(BreakerState.HALF_OPEN, g.monitor().breakerState());
        assertEquals(RefusalReason.BREAKER_OPEN, refusalOf(g.acquireAsync(Priority.NORMAL, 0)).reason());
        probe.complete(200, 0);
        assertEquals(BreakerState.CLOSED, g.monitor().breakerState());
        now(g, Priority.NORMAL, 0).complete(429, 0);
        assertEquals(List.of("closed>open", "open>half-open", "half-open>closed"), events);
        g.openBreaker();
        assertEquals(BreakerState.OPEN, g.monitor().breakerState());
        g.resetBreaker();
        assertEquals(BreakerState.CLOSED, g.monitor().breakerState());
    }

    @Test
    void tryAcquireAdmitsWhenThereIsRoomAndOtherwiseTakesNothing() {
        Gate g = gate(limits().rpm(600).tpm(60_000).maxConcurrent(1).breakerFailures(1));
        Permit p = g.tryAcquire(Priority.NORMAL, 100, 0);
        assertNotNull(p, "room now: admitted");
        assertEquals(1, g.monitor().inFlight());
        assertEquals(59_900, g.monitor().availableTokens());
        // No slot left: null, and nothing taken, queued or counted.
        assertNull(g.tryAcquire(Priority.NORMAL, 100, 0));
        assertEquals(1, g.monitor().inFlight());
        assertEquals(599, g.monitor().availableRequests());
        assertEquals(59_900, g.monitor().availableTokens());
        assertEquals(0, g.monitor().enqueued());
        assertEquals(0, g.monitor().queueDepth());
        assertEquals(0, g.monitor().refusedTotal());
        assertEquals(1, g.monitor().admitted());
        // With a waiter queued, still null: a caller that tries first never goes ahead of it.
        CompletableFuture<Permit> waiting = g.acquireAsync(Priority.NORMAL, 100);
        assertFalse(waiting.isDone());
        assertNull(g.tryAcquire(Priority.NORMAL, 100, 0));
        assertTrue(p.complete(200, 100)); // the slot goes to the waiter
        Permit granted = permitOf(waiting);
        assertTrue(granted.complete(500, 100)); // a failure: the breaker opens
        // Refused outright: thrown, as acquire does.
        assertEquals(RefusalReason.BREAKER_OPEN, refused(() -> g.tryAcquire(Priority.NORMAL, 100, 0)).reason());
        assertEquals(2, g.monitor().admitted());
    }

    @Test
    void tryAcquireNeverWaitsWhileObserving() {
        Gate g = gate(limits().mode(Mode.OBSERVE).maxConcurrent(1));
        Permit a = g.tryAcquire(Priority.NORMAL, 0, 0);
        Permit b = g.tryAcquire(Priority.NORMAL, 0, 0);
        assertNotNull(a);
        assertNotNull(b, "observe mode admits what enforcing would queue");
        assertEquals(1, g.monitor().wouldWait());
        a.complete(200, 0);
        b.complete(200, 0);
    }

    // ---------------------------------------------------------------- observe mode

    @Test
    void observeModeCountsButNeverBlocks() {
        Gate g = gate(limits().mode(Mode.OBSERVE).maxConcurrent(1).rpm(60).burst(1.0 / 60)
                .maxWaitNanos(2500 * MS).breakerFailures(1));
        Permit a = now(g, Priority.NORMAL, 0);
        Permit b = now(g, Priority.NORMAL, 0); // would wait: no slot, no request left
        Permit c = now(g, Priority.NORMAL, 0);
        assertEquals(3, g.monitor().inFlight());
        assertEquals(2, g.monitor().wouldWait());
        assertEquals(-2, g.monitor().availableRequests(), "taken into debt so the figures stay meaningful");
        now(g, Priority.NORMAL, 0); // expected wait 3 s+ > 2.5 s
        assertEquals(1, g.monitor().wouldRefuse(RefusalReason.WAIT_TOO_LONG));
        assertEquals(-2, g.monitor().availableRequests(), "a call enforcing would refuse takes nothing");
        a.complete(500, 0);
        now(g, Priority.NORMAL, 0);
        assertEquals(1, g.monitor().wouldRefuse(RefusalReason.BREAKER_OPEN));
        assertEquals(0, g.monitor().refusedTotal());
        assertEquals(0, g.monitor().queueDepth());
        b.complete(200, 0);
        c.complete(200, 0);
    }

    @Test
    void switchingToObserveReleasesWaiters() {
        Gate g = gate(limits().maxConcurrent(1));
        now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0);
        assertFalse(w.isDone());
        g.setLimits(g.limits().toBuilder().mode(Mode.OBSERVE).build());
        assertTrue(w.isDone());
        assertEquals(2, g.monitor().inFlight());
    }

    // ---------------------------------------------------------------- provider feedback, live limits

    @Test
    void syncRemainingLowersNeverRaises() {
        Gate g = gate(limits().rpm(600).tpm(100_000)); // capacities 600 and 100000
        Permit p = now(g, Priority.NORMAL, 1000);
        for (int i = 0; i < 5; i++) now(g, Priority.NORMAL, 100);
        assertEquals(594, g.monitor().availableRequests());
        g.syncRemaining(p, 100, 50_000);
        assertEquals(95, g.monitor().availableRequests(), "100 left at p's arrival, 5 admitted since");
        assertEquals(49_500, g.monitor().availableTokens(), "50000 at p's arrival, 500 reserved since");
        g.syncRemaining(p, 10_000, 10_000_000);
        assertEquals(95, g.monitor().availableRequests(), "never raised");
        assertEquals(49_500, g.monitor().availableTokens());
        g.syncRemaining(p, -1, -1);
        assertEquals(95, g.monitor().availableRequests());
        // the provider's bucket refilled since p's arrival as well: 1 s at 10/s
        clock.advance(SEC);
        g.syncRemaining(p, 0, -1);
        assertEquals(5, g.monitor().availableRequests(), "0 - 5 + 10 refilled");
    }

    @Test
    void callsStillAwaitingTheirAnswerCountAgainstTheProvidersFigure() {
        Gate g = gate(limits().rpm(600)); // 10/s, capacity 600
        Permit early = now(g, Priority.NORMAL, 0);
        Permit late = now(g, Priority.NORMAL, 0);
        // late's answer came first: early (admitted before it) may not have reached the provider yet
        g.syncRemaining(late, 10, -1);
        assertEquals(9, g.monitor().availableRequests(), "10 - the one call still awaiting its answer");
        early.answered();
        early.complete(200, Permit.KEEP_RESERVATION);
        late.complete(200, Permit.KEEP_RESERVATION);
        Permit third = now(g, Priority.NORMAL, 0);
        g.syncRemaining(third, 5, -1);
        assertEquals(5, g.monitor().availableRequests(), "nothing else outstanding");
    }

    @Test
    void learnsTheProvidersSlowerRefillFromItsHeadersAndForgetsItOnNewLimits() {
        Gate g = gate(limits().rpm(6000).burst(1.0 / 60)); // 100/s, capacity 100
        double provider = 50;                                // the provider: 50/s, capacity 50
        for (int i = 0; i < 40; i++) {
            Permit p = now(g, Priority.NORMAL, 0);
            provider -= 1;
            long remaining = (long) Math.floor(provider);
            g.syncRemaining(p, remaining, (long) Math.ceil((50 - provider) / 50 * 1e9), -1, -1);
            p.complete(200, Permit.KEEP_RESERVATION);
            clock.advance(5 * MS);
            provider = Math.min(50, provider + 50 * 0.005);
        }
        long learned = g.providerRequestRate();
        assertTrue(learned > 2500 && learned <= 3000, "about 3,000 per minute: " + learned);
        // the bucket now refills at that rate: empty it, wait a second
        while (g.monitor().availableRequests() > 0) now(g, Priority.NORMAL, 0).complete(200, Permit.KEEP_RESERVATION);
        clock.advance(SEC);
        long refilled = g.monitor().availableRequests();
        assertTrue(refilled >= learned / 60 - 1 && refilled <= learned / 60 + 1, "one second at the learned rate: " + refilled);
        g.setLimits(g.limits().toBuilder().rpm(6000).build());
        assertEquals(0, g.providerRequestRate(), "new limits start from the configured rate");
    }

    @Test
    void setLimitsKeepsBucketsBreakerWaitersAndCounters() {
        Gate g = gate(limits().rpm(60).burst(10.0 / 60).breakerFailures(1)); // 1/s, capacity 10
        for (int i = 0; i < 10; i++) now(g, Priority.NORMAL, 0);
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0);
        assertFalse(w.isDone());
        g.setLimits(g.limits().toBuilder().queueCapacity(50).build());
        assertEquals(0, g.monitor().availableRequests(), "level kept");
        assertEquals(1, g.monitor().queueDepth(), "waiter kept");
        assertEquals(10, g.monitor().admitted(), "counters kept");
        g.setLimits(g.limits().toBuilder().rpm(6000).burst(1.0 / 60).build()); // 100/s: 10 ms per request
        sched.advance(10 * MS);
        assertTrue(w.isDone(), "served at the new rate");
        g.setLimits(g.limits().toBuilder().rpm(0).build());
        assertEquals(-1, g.monitor().availableRequests());
        now(g, Priority.NORMAL, 0);
        g.setLimits(g.limits().toBuilder().rpm(60).burst(10.0 / 60).build());
        assertEquals(10, g.monitor().availableRequests(), "a bucket that was unlimited starts full");
        assertEquals(60, g.limits().rpm());
    }

    @Test
    void refusalsCarryUsefulRetryHints() {
        Gate g = gate(limits().rpm(60).burst(1.0 / 60).queueCapacity(1).highWater(1).lowWater(0).shedLow(1.0)
                .shedNormal(1.0).shedHigh(1.0));
        now(g, Priority.NORMAL, 0);
        g.acquireAsync(Priority.NORMAL, 0);
        Refusal full = refusalOf(g.acquireAsync(Priority.HIGH, 0));
        assertEquals(RefusalReason.QUEUE_FULL, full.reason());
        assertEquals(SEC, full.retryAfterNanos(), "when the head will be served");
        assertTrue(full.getMessage().contains("'test'") && full.getMessage().contains("waiting room full"),
                full.getMessage());
        assertEquals(RefusalReason.SHED, refusalOf(g.acquireAsync(Priority.LOW, 0)).reason(), "congested");
    }

    @Test
    void upstream429IsCounted() {
        Gate g = gate(limits());
        g.recordUpstreamRateLimited();
        assertEquals(1, g.monitor().upstreamRateLimited());
        g.monitor().reset();
        assertEquals(0, g.monitor().upstreamRateLimited());
        assertEquals("test", g.name());
    }

    @Test
    void windowedRates() {
        Gate g = gate(limits().maxConcurrent(1));
        assertEquals(0.0, g.monitor().enqueueRate());
        Permit p = now(g, Priority.NORMAL, 0);
        for (int i = 0; i < 10; i++) {
            CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 0);
            sched.advance(SEC);
            p.complete(200, 0);
            p = permitOf(w);
        }
        assertEquals(1.0, g.monitor().enqueueRate(), 0.01);
        assertEquals(1.0, g.monitor().dequeueRate(), 0.01);
        assertEquals(1000.0, g.monitor().recentAverageWaitMillis(), 0.01);
    }

    @Test
    void fastPathAllocatesLittleMoreThanThePermit() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean)) return;
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
        if (!tmx.isThreadAllocatedMemorySupported()) return;
        tmx.setThreadAllocatedMemoryEnabled(true);
        Gate g = gate(limits().rpm(TokenBucket.MAX_RATE).tpm(TokenBucket.MAX_RATE).maxConcurrent(8));
        long id = Thread.currentThread().getId();
        long perCall = Long.MAX_VALUE;
        for (int round = 0; round < 5 && perCall > 120; round++) { // a few rounds: the JIT must have settled
            long before = tmx.getThreadAllocatedBytes(id);
            for (int i = 0; i < 100_000; i++) {
                clock.advance(7);
                Permit p;
                try {
                    p = g.acquire(Priority.NORMAL, 100);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                p.complete(200, 90);
            }
            perCall = (tmx.getThreadAllocatedBytes(id) - before) / 100_000;
        }
        System.out.println("fast path: " + perCall + " bytes per acquire+complete");
        assertTrue(perCall <= 120, "bytes allocated per acquire+complete: " + perCall);
    }
}
