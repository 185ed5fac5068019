package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate asks its {@link QuotaStore} for both buckets, and follows the waits a store reports. */
class GateQuotaStoreTest {
    static final long MS = 1_000_000L;

    final ManualClock clock = new ManualClock();
    final ManualScheduler sched = new ManualScheduler(clock);

    /** A store that grants while {@code open}, and otherwise says "in {@code waitNanos}". Records every call. */
    static final class ScriptedStore implements QuotaStore {
        final List<String> calls = new ArrayList<>();
        boolean open = true;
        long waitNanos = 50 * MS;
        GateLimits limits;
        Runnable listener;

        @Override public void setLimits(GateLimits l) { limits = l; calls.add("limits " + l.rpm() + "/" + l.tpm()); }
        @Override public boolean tryTake(long r, long t, long now) { calls.add("take " + r + "/" + t + (open ? " ok" : " no")); return open; }
        @Override public void force(long r, long t) { calls.add("force " + r + "/" + t); }
        @Override public void refund(long r, long t, long at) { calls.add("refund " + r + "/" + t); }
        @Override public void refillAt(long r, long t) { calls.add("refill " + r + "/" + t); }
        @Override public void lowerTo(long r, long t) { calls.add("lower " + r + "/" + t); }
        @Override public long nanosUntil(long r, long t) { return open ? 0 : waitNanos; }
        @Override public long nanosToServe(long r, long t) { return open ? 0 : waitNanos; }
        @Override public long availableRequests() { return 42; }
        @Override public long availableTokens() { return 4242; }
        @Override public void pause(long nanos) { calls.add("pause " + nanos / MS + "ms"); }
        @Override public void resume() { calls.add("resume"); }
        @Override public void setListener(Runnable r) { listener = r; }
    }

    Gate gate() {
        return new Gate("q", GateLimits.builder().rpm(600).tpm(60_000).burstMarginNanos(0).build(), clock, sched);
    }

    @Test
    void theGateTakesBothBucketsFromItsStoreInOneCall() {
        Gate g = gate();
        ScriptedStore s = new ScriptedStore();
        g.setQuotaStore(s);
        assertSame(s, g.quotaStore());
        assertEquals(List.of("limits 600/60000"), s.calls);
        Permit p = g.acquireAsync(Priority.NORMAL, 100).join();
        assertEquals("take 1/100 ok", s.calls.get(1));
        assertEquals(42, g.monitor().availableRequests());
        assertEquals(4242, g.monitor().availableTokens());
        p.complete(200, 30);
        assertEquals("refund 0/70", s.calls.get(2), "usage below the reservation is refunded to the store");
        Permit q = g.acquireAsync(Priority.NORMAL, 100).join();
        q.complete(200, 130);
        assertEquals("force 0/30", s.calls.get(4), "usage above the reservation is charged to the store");

        g.setLimits(g.limits().toBuilder().rpm(1200).build());
        assertEquals("limits 1200/60000", s.calls.get(5));

        g.setQuotaStore(null);
        assertTrue(g.quotaStore() instanceof LocalQuotaStore);
        clock.advance(60_000 * MS);
        assertEquals(1200, g.monitor().availableRequests(), "the local buckets took the limits changed meanwhile");
    }

    @Test
    void aRefusingStoreMakesCallersWaitForTheTimeItReportsWithoutPolling() {
        Gate g = gate();
        ScriptedStore s = new ScriptedStore();
        g.setQuotaStore(s);
        s.open = false;
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 10);
        assertFalse(w.isDone());
        long takes = s.calls.stream().filter(c -> c.startsWith("take")).count();
        sched.advance(49 * MS);
        assertEquals(takes, s.calls.stream().filter(c -> c.startsWith("take")).count(), "no polling before the wait");
        s.open = true;
        sched.advance(1 * MS);
        assertTrue(w.isDone() && !w.isCompletedExceptionally(), "served when the store said it could be");
    }

    @Test
    void theStoreSaysWhenItsStateChangedAndWaitersAreServed() {
        Gate g = gate();
        ScriptedStore s = new ScriptedStore();
        g.setQuotaStore(s);
        s.open = false;
        s.waitNanos = 10_000 * MS;
        CompletableFuture<Permit> w = g.acquireAsync(Priority.NORMAL, 10);
        assertFalse(w.isDone());
        s.open = true;
        s.listener.run(); // e.g. the shared store was lost and the local stand-in has room
        assertTrue(w.isDone() && !w.isCompletedExceptionally());
    }

    @Test
    void pausesAndProviderFiguresReachTheStore() {
        Gate g = gate();
        ScriptedStore s = new ScriptedStore();
        g.setQuotaStore(s);
        Permit p = g.acquireAsync(Priority.NORMAL, 100).join();
        g.syncRemaining(p, 5, 1000);
        assertEquals("lower 5/1000", s.calls.get(s.calls.size() - 1));
        g.pauseFor(2000 * MS);
        assertEquals("pause 2000ms", s.calls.get(s.calls.size() - 1));
        assertTrue(g.monitor().pausedForNanos() > 0, "the gate keeps its own pause too");
        g.resume();
        assertEquals("resume", s.calls.get(s.calls.size() - 1));
    }

    @Test
    void observeModeForcesTheStore() {
        Gate g = new Gate("q", GateLimits.builder().rpm(600).tpm(60_000).mode(Mode.OBSERVE).build(), clock, sched);
        ScriptedStore s = new ScriptedStore();
        g.setQuotaStore(s);
        g.acquireAsync(Priority.NORMAL, 7).join();
        assertEquals("force 1/7", s.calls.get(1));
    }
}
