package dev.sluice.core;

import dev.sluice.log.SluiceLog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One endpoint's admission pipeline: breaker, shed, waiting room, concurrency slot, RPM bucket, TPM bucket.
 * Plain Java: it knows nothing of HTTP, clients or the agent.
 *
 * <h2>Path of a call</h2>
 * <ol>
 *   <li><b>Breaker</b>: OPEN (or HALF_OPEN with every probe taken) refuses at once, BREAKER_OPEN, retry after the
 *       rest of the open period.</li>
 *   <li><b>Shed</b>: priority {@code p} is refused SHED when <em>utilization</em> &ge; {@code shedThreshold(p)}
 *       (a threshold &ge; 1.0 never sheds). LOW is also refused while the room is congested (between the
 *       watermarks) and while {@link #forceShedLow} is on.
 *       <br><em>Utilization</em> = (in flight + waiting) / (max-concurrent + queue capacity) when max-concurrent
 *       is set, else waiting / queue capacity; 0 when the denominator is 0; at most 1. With the defaults
 *       (0.90 / 0.95 / 0.98) LOW goes first, NORMAL next, HIGH last, when the room is nearly full.</li>
 *   <li><b>Fast path</b>: when nobody waits and the gate is not paused, it takes a concurrency slot (CAS, if
 *       max-concurrent is set), one request from the RPM bucket and the estimate from the TPM bucket (each
 *       lock-free; an unlimited one is skipped). A step that fails gives back what the earlier ones took, and
 *       the call goes to the slow path. Allocates only the permit.</li>
 *   <li><b>Waiting room</b> (slow path, under a short lock): the expected wait is estimated (pause left; for
 *       rate-bound endpoints the time for the buckets to serve everyone ahead plus this caller); more than
 *       max-wait is refused at once WAIT_TOO_LONG, more than the caller's deadline TIMEOUT. A full room applies
 *       the overflow policy. Otherwise the caller waits: FIFO within a priority, higher priorities first. A
 *       newcomer never overtakes waiters on the fast path.</li>
 *   <li><b>Dispatch</b>: a single dispatcher (whoever holds the lock) grants waiters in order while slot, RPM and
 *       TPM allow, and otherwise schedules one wake-up through the {@link Scheduler} at the time the head can be
 *       served, the pause ends, or the first waiter's deadline (max-wait: WAIT_TOO_LONG; caller's: TIMEOUT)
 *       passes. Releases, refunds, limit changes and {@link #resume()} dispatch too. Futures are completed and
 *       listeners told outside the lock.</li>
 * </ol>
 *
 * <h2>Permits</h2>
 * {@link Permit#complete} releases the slot, corrects the TPM reservation, feeds the breaker and the monitor.
 * Outstanding permits sit in a lock-free table of slots, each permit clearing its own slot when handed back (so a
 * completed permit is short-lived garbage, never kept until a sweep); when the slots a permit tries are all taken
 * it goes to a lock-free list instead (the permit is its own node). A sweep scheduled while any are outstanding
 * drops completed ones and reclaims those older than the lease (slot, in-flight count, probe).
 *
 * <h2>Modes</h2>
 * ENFORCE as above. OBSERVE never blocks or refuses: it counts what would have been refused (by reason) or made
 * to wait, takes from the buckets what an admitted call would have taken (forcing them into debt rather than
 * waiting), and always returns a permit. OFF (normally decided before the gate is asked) acts like OBSERVE
 * without counting.
 *
 * API CONTRACT (implementation owned by the core).
 */
public final class Gate {
    /** Longest time between two sweeps of outstanding permits. */
    static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
    /** Real-time slack a blocked caller allows the timer before it checks its own deadline. */
    private static final long PARK_SLACK_NANOS = 20_000_000L;
    /** Lease table size (a power of two) and the slots one permit tries before it goes to the list. */
    private static final int LEASE_BITS = 10;
    private static final int LEASE_SLOTS = 1 << LEASE_BITS;
    private static final int LEASE_PROBES = 8;
    /**
     * Slots tried near the calling thread's own before the spread ones. Two, not eight: a thread that holds many
     * permits at once while others hand them back (an async client's caller; its dispatcher threads settle) would
     * otherwise probe, and take, slots of one cache line that those threads keep writing as they hand back.
     */
    private static final int OWN_PROBES = 2;
    /** Deadlines further out than this are treated as this far (keeps clock arithmetic clear of overflow). */
    private static final long FAR = 1L << 62;

    private final String name;
    private final NanoClock clock;
    private final Scheduler scheduler;
    private final boolean sharedTimer;
    private volatile GateLimits limits;
    /** The RPM/TPM buckets in this JVM; {@link #quota} unless a shared store was set. */
    private final LocalQuotaStore local;
    private volatile QuotaStore quota;
    private final CircuitBreaker breaker;
    private final WaitingRoom room = new WaitingRoom();
    /**
     * The counters every admission and hand-back writes: calls in flight, permits issued, tokens reserved, and the
     * local RPM and TPM buckets' consumption. Side by side, padded away from what calls only read (see
     * {@link CacheLines}): two callers on two cores move this one line between them, once per admission and once
     * per hand-back, instead of a line per counter.
     */
    private final AtomicLongArray counters = CacheLines.counters(5);
    private static final int IN_FLIGHT = CacheLines.FIRST;
    private static final int ADMISSIONS = CacheLines.FIRST + 1;
    private static final int RESERVED = CacheLines.FIRST + 2;
    private static final int BUCKETS = CacheLines.FIRST + 3; // and + 4
    private final AtomicLong pauseUntil;
    private volatile boolean shedLow;
    private final GateStats stats;
    /**
     * Permits whose response head has arrived (see {@link Permit#answered()}), and the tokens they reserved. Calls
     * still awaiting their answer are {@code admissions - answered}: counted on the answer only, so admission pays
     * no extra atomic for it. Striped: they are read once per response with rate-limit headers, written on every call.
     */
    private final LongAdder answeredCount = new LongAdder();
    private final LongAdder answeredTokens = new LongAdder();
    private final ProviderRate requestRate = new ProviderRate();
    private final ProviderRate tokenRate = new ProviderRate();
    /** Refill rates learned from the provider's headers that the buckets use instead of the configured ones; 0 = none. */
    private volatile long requestRateCap;
    private volatile long tokenRateCap;
    private volatile GateListener listener;

    // Dispatcher. Fields below are guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean dispatchWanted = new AtomicBoolean();
    private Wake wake;
    private long waiterSeq;
    private List<Object> outbox = new ArrayList<>(); // pairs: Waiter, Permit|Refusal
    private List<Runnable> events = new ArrayList<>();

    // Leases: outstanding permits, each in a slot of the table (cleared when it is handed back, so a completed
    // permit is garbage at once instead of lingering until the next sweep), or in the list when every slot tried
    // is taken.
    private final AtomicReferenceArray<Permit> leaseSlots = new AtomicReferenceArray<>(LEASE_SLOTS);
    private final AtomicReference<Permit> leases = new AtomicReference<>();
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();
    private volatile boolean reclaimLogged;

    public Gate(String name, GateLimits limits) {
        this(name, limits, NanoClock.SYSTEM, null);
    }

    /** {@code scheduler} null = the shared daemon timer. */
    public Gate(String name, GateLimits limits, NanoClock clock, Scheduler scheduler) {
        if (limits == null) throw new IllegalArgumentException("limits must be set");
        this.name = name == null ? "?" : name;
        this.clock = clock == null ? NanoClock.SYSTEM : clock;
        this.sharedTimer = scheduler == null;
        this.scheduler = scheduler == null ? SharedTimer.INSTANCE : scheduler;
        this.limits = limits;
        this.local = new LocalQuotaStore(limits, this.clock, counters, BUCKETS);
        this.quota = local;
        this.breaker = new CircuitBreaker(limits, this.clock);
        this.breaker.setTransitions(this::breakerMoved);
        this.pauseUntil = new AtomicLong(this.clock.nanoTime());
        this.stats = new GateStats(this, this.clock);
    }

    private static long rate(long perMinute) {
        return LocalQuotaStore.rate(perMinute);
    }

    private static long capacity(long c) {
        return LocalQuotaStore.capacity(c);
    }

    public String name() {
        return name;
    }

    public GateLimits limits() {
        return limits;
    }

    /** Receives breaker and congestion changes (e.g. for JMX notifications); null removes it. */
    public void setListener(GateListener l) {
        this.listener = l;
    }

    /** Swaps the limits in atomically; bucket levels, breaker state, waiters and counters are kept. */
    public void setLimits(GateLimits next) {
        if (next == null) throw new IllegalArgumentException("limits must be set");
        lock.lock();
        try {
            limits = next;
            requestRate.reset();
            tokenRate.reset();
            requestRateCap = 0;
            tokenRateCap = 0;
            quota.setLimits(next);
            breaker.setLimits(next);
            congestionChanged(room.updateCongestion(next.highWater(), next.lowWater()));
            doDispatch();
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Where the RPM/TPM quota lives from now on: a shared store, or null for this JVM's own buckets (the default).
     * Waiters are re-examined at once; the levels of the store left behind are not carried over.
     */
    public void setQuotaStore(QuotaStore store) {
        QuotaStore next = store == null ? local : store;
        lock.lock();
        try {
            QuotaStore prev = quota;
            if (prev == next) return;
            next.setLimits(limits);
            if (requestRateCap > 0 || tokenRateCap > 0) next.refillAt(requestRateCap, tokenRateCap);
            next.setListener(this::quotaChanged);
            quota = next;
            prev.setListener(null);
            doDispatch();
        } finally {
            unlockAndFlush();
        }
    }

    public QuotaStore quotaStore() {
        return quota;
    }

    /** The store's own state changed (a shared store lost or regained its quota): re-examine the waiters. */
    private void quotaChanged() {
        if (!room.isEmpty()) requestDispatch();
    }

    // ------------------------------------------------------------------------------------------------ admission

    /**
     * Blocking admission: returns at once when there is room, else parks the caller in the waiting room.
     *
     * @throws Refusal when refused (breaker, shed, queue full, dropped, wait too long)
     * @throws InterruptedException when the caller is interrupted while waiting (it leaves the room)
     */
    public Permit acquire(Priority priority, long tokens) throws InterruptedException {
        return acquireBlocking(priority, tokens, 0, null);
    }

    /** As {@link #acquire(Priority, long)}, but gives up at {@code deadlineNanos} (clock time) with TIMEOUT. */
    public Permit acquire(Priority priority, long tokens, long deadlineNanos) throws InterruptedException {
        return acquireBlocking(priority, tokens, deadlineNanos, null);
    }

    /**
     * As {@link #acquire(Priority, long, long)} ({@code deadlineNanos} 0 = none), re-arming {@code reuse} instead of
     * allocating a permit when it may be: a permit of the caller's own that was handed back or reclaimed, and that the
     * gate no longer tracks. Returns {@code reuse} or a new permit; the caller keeps whichever it gets for next time.
     * A permit still active is never re-armed (a new one is returned). Only the permit's owner may hand it in: once
     * re-armed, the old arming's holders would complete the new one.
     */
    public Permit acquire(Priority priority, long tokens, long deadlineNanos, Permit reuse) throws InterruptedException {
        return acquireBlocking(priority, tokens, deadlineNanos, reuse);
    }

    /**
     * Asynchronous admission: a future completed when admitted, or failed with a {@link Refusal}. No thread is
     * held while waiting. Cancelling the future removes the waiter; a permit won in a race with the cancel is
     * handed back, never leaked.
     */
    public CompletableFuture<Permit> acquireAsync(Priority priority, long tokens) {
        return acquireAsync(priority, tokens, 0);
    }

    /** As {@link #acquireAsync(Priority, long)}, refused with TIMEOUT at {@code deadlineNanos} (clock time; 0 = none). */
    public CompletableFuture<Permit> acquireAsync(Priority priority, long tokens, long deadlineNanos) {
        Object r;
        try {
            r = admit(priority, tokens, deadlineNanos, true, null);
        } catch (Refusal refusal) {
            return CompletableFuture.failedFuture(refusal);
        }
        if (r instanceof Permit) return CompletableFuture.completedFuture((Permit) r);
        return (Waiter) r;
    }

    /**
     * Admission only if there is room now: a permit; null when the call would have to wait, nothing taken and nothing
     * counted (then {@link #acquire} or {@link #acquireAsync} as usual); or the {@link Refusal} thrown when refused
     * outright (breaker, shed). A client that must register a waiting call for cancellation skips that when none waits.
     */
    public Permit tryAcquire(Priority priority, long tokens, long deadlineNanos) {
        return fastPath(priority == null ? Priority.NORMAL : priority, clampTokens(tokens), deadlineNanos, null);
    }

    private Permit acquireBlocking(Priority priority, long tokens, long deadline, Permit reuse)
            throws InterruptedException {
        Object r = admit(priority, tokens, deadline, false, reuse);
        if (r instanceof Permit) return (Permit) r;
        Waiter w = (Waiter) r;
        try {
            for (;;) {
                long left = w.deadline - clock.nanoTime();
                try {
                    return w.get(Math.max(0, Math.min(left, FAR)) + PARK_SLACK_NANOS, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (w.deadline - clock.nanoTime() <= 0) expire(w); // the timer is late: refuse it ourselves
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Refusal) throw (Refusal) cause;
            throw new IllegalStateException("admission failed", cause);
        } catch (CancellationException e) {
            throw new IllegalStateException("admission cancelled", e);
        } catch (InterruptedException e) {
            if (!w.cancel(false)) { // answered meanwhile: a permit won in the race goes back
                Permit won = null;
                try {
                    won = w.getNow(null);
                } catch (RuntimeException refusedOrCancelled) {
                    // nothing to give back
                }
                if (won != null) giveBack(won);
            }
            throw e;
        }
    }

    /** Returns a {@link Permit}, a queued {@link Waiter}, or throws the {@link Refusal}. */
    private Object admit(Priority p, long n, long deadline, boolean async, Permit reuse) {
        if (p == null) p = Priority.NORMAL;
        n = clampTokens(n);
        Permit pm = fastPath(p, n, deadline, reuse);
        return pm != null ? pm : enqueue(p, n, deadline, async, reuse);
    }

    /** Keeps sums of estimates clear of overflow. */
    private static long clampTokens(long n) {
        return Math.min(Math.max(0, n), TokenBucket.MAX_CAPACITY);
    }

    /** A permit when there is room now; null when the call would wait (nothing taken); throws when refused outright. */
    private Permit fastPath(Priority p, long n, long deadline, Permit reuse) {
        GateLimits l = limits;
        long now = clock.nanoTime();
        if (l.mode() != Mode.ENFORCE) return observe(l, p, n, deadline, now, reuse);
        long b = breaker.refusalNanos(now);
        if (b >= 0) throw refuse(RefusalReason.BREAKER_OPEN, b, null);
        if (shouldShed(l, p)) throw refuse(RefusalReason.SHED, roomEstimate(l, now), shedDetail(l, p));
        return room.isEmpty() && !paused(now) ? take(l, p, n, now, reuse) : null;
    }

    private Object enqueue(Priority p, long n, long deadline, boolean async, Permit reuse) {
        Permit direct = null;
        Refusal refusal = null;
        Waiter w = null;
        lock.lock();
        try {
            GateLimits l = limits;
            long now = clock.nanoTime();
            if (room.isEmpty() && !paused(now)) direct = take(l, p, n, now, reuse); // the resources may be back
            if (direct == null) {
                long est = expectedWait(l, p, n, now);
                boolean hasDeadline = deadline != 0;
                if (est > l.maxWaitNanos()) {
                    refusal = refuse(RefusalReason.WAIT_TOO_LONG, est, "expected wait " + est / 1_000_000 + " ms");
                } else if (hasDeadline && (deadline - now <= 0 || est > deadline - now)) {
                    refusal = refuse(RefusalReason.TIMEOUT, est, null);
                } else if (room.size() >= l.queueCapacity() && (refusal = overflow(l, p, now)) != null) {
                    // refused by the overflow policy
                } else {
                    long maxWaitAt = now + Math.min(l.maxWaitNanos(), FAR);
                    boolean callerFirst = hasDeadline && deadline - maxWaitAt <= 0;
                    w = new Waiter(this, p, n, now, callerFirst ? deadline : maxWaitAt, callerFirst, ++waiterSeq, async);
                    room.add(w);
                    stats.enqueued.increment();
                    congestionChanged(room.updateCongestion(l.highWater(), l.lowWater()));
                    doDispatch();
                }
            }
        } finally {
            unlockAndFlush();
        }
        if (direct != null) return direct;
        if (refusal != null) throw refusal;
        return w;
    }

    /** The room is full: applies the overflow policy. Null when the newcomer may enter (a waiter was dropped). */
    private Refusal overflow(GateLimits l, Priority p, long now) {
        Waiter victim = null;
        if (l.queueCapacity() > 0) {
            switch (l.overflow()) {
                case DROP_OLDEST:
                    victim = room.oldest();
                    break;
                case DROP_RANDOM:
                    victim = room.random(ThreadLocalRandom.current());
                    break;
                case DROP_LOWEST_PRIORITY:
                    Waiter low = room.newestOfLowest();
                    if (low != null && low.priority.ordinal() < p.ordinal()) victim = low;
                    break;
                default:
                    break;
            }
        }
        if (victim == null) return refuse(RefusalReason.QUEUE_FULL, roomEstimate(l, now), null);
        room.remove(victim);
        stats.dequeued.increment();
        stats.waited(now - victim.enqueuedAt);
        post(victim, refuse(RefusalReason.DROPPED, roomEstimate(l, now), "by " + l.overflow().label()));
        return null;
    }

    /**
     * The fast path's resource steps: breaker ticket, slot, RPM, TPM. Null (everything given back) when one is
     * short. Lock-free; the dispatcher uses it too, under its lock.
     */
    private Permit take(GateLimits l, Priority p, long n, long now, Permit reuse) {
        Object ticket = breaker.tryAcquire(now);
        if (ticket == null) return null;
        int max = l.maxConcurrent();
        if (max > 0) {
            for (;;) {
                int c = (int) counters.get(IN_FLIGHT);
                if (c >= max) {
                    breaker.release(ticket);
                    return null;
                }
                if (counters.compareAndSet(IN_FLIGHT, c, c + 1)) break;
            }
        } else {
            counters.incrementAndGet(IN_FLIGHT);
        }
        boolean rpm = l.rpm() > 0;
        boolean tpm = l.tpm() > 0;
        if ((rpm || tpm) && !quota.tryTake(rpm ? 1 : 0, tpm ? n : 0, now)) {
            counters.decrementAndGet(IN_FLIGHT);
            breaker.release(ticket);
            return null;
        }
        return issue(p, n, now, ticket, rpm, tpm, reuse);
    }

    private Permit issue(Priority p, long n, long now, Object ticket, boolean rpm, boolean tpm, Permit reuse) {
        Permit pm = reuse != null && reuse.reusable() ? reuse : new Permit();
        pm.arm(this, p, n, counters.incrementAndGet(ADMISSIONS), counters.addAndGet(RESERVED, n), now, ticket, rpm, tpm);
        track(pm);
        return pm;
    }

    private int inFlightNow() {
        return (int) counters.get(IN_FLIGHT);
    }

    /** Permits issued so far (the monitor's admitted figure is this less those handed back unused). */
    long admissionCount() {
        return counters.get(ADMISSIONS);
    }

    /** Tokens reserved by every permit issued so far. */
    long reservedCount() {
        return counters.get(RESERVED);
    }

    /** OBSERVE / OFF: never waits or refuses; counts (OBSERVE only) what enforcing would have done. */
    private Permit observe(GateLimits l, Priority p, long n, long deadline, long now, Permit reuse) {
        boolean count = l.mode() == Mode.OBSERVE;
        RefusalReason would = null;
        Object ticket = breaker.tryAcquire(now);
        if (ticket == null) {
            would = RefusalReason.BREAKER_OPEN;
        } else if (shouldShed(l, p)) {
            would = RefusalReason.SHED;
        } else {
            int max = l.maxConcurrent();
            boolean waits = paused(now) || (max > 0 && inFlightNow() >= max)
                    || quota.nanosUntil(l.rpm() > 0 ? 1 : 0, l.tpm() > 0 ? n : 0) > 0;
            if (waits) {
                long est = expectedWait(l, p, n, now);
                if (est > l.maxWaitNanos()) would = RefusalReason.WAIT_TOO_LONG;
                else if (deadline != 0 && est > deadline - now) would = RefusalReason.TIMEOUT;
                else if (count) stats.wouldWait.increment();
            }
        }
        if (would != null && count) stats.countWouldRefuse(would);
        counters.incrementAndGet(IN_FLIGHT);
        // A call enforcing would have refused takes nothing: enforcing would not have let it consume quota.
        boolean rpm = would == null && l.rpm() > 0;
        boolean tpm = would == null && l.tpm() > 0;
        if (rpm || tpm) quota.force(rpm ? 1 : 0, tpm ? n : 0);
        return issue(p, n, now, ticket, rpm, tpm, reuse);
    }

    // ------------------------------------------------------------------------------------------------ dispatcher

    /** Asks for a dispatch: runs it now if the lock is free, else leaves it to the holder (which checks on unlock). */
    private void requestDispatch() {
        dispatchWanted.set(true);
        if (lock.isHeldByCurrentThread() || !lock.tryLock()) return;
        try {
            doDispatch();
        } finally {
            unlockAndFlush();
        }
    }

    /** Grants, expires and schedules. Called with the lock held; results go to the outbox. */
    /** How soon a dispatch looks again when the quota refilled while it ran. */
    private static final long RECHECK_NANOS = 1_000_000L;

    private void doDispatch() {
        dispatchWanted.set(false);
        GateLimits l = limits;
        long now = clock.nanoTime();
        // Deadlines first.
        Waiter w;
        while ((w = room.earliestDeadline()) != null && w.deadline - now <= 0) {
            room.remove(w);
            stats.dequeued.increment();
            stats.waited(now - w.enqueuedAt);
            RefusalReason why = w.callerDeadline ? RefusalReason.TIMEOUT : RefusalReason.WAIT_TOO_LONG;
            post(w, refuse(why, roomEstimate(l, now), "waited " + (now - w.enqueuedAt) / 1_000_000 + " ms"));
        }
        long retryIn = 0; // > 0: the head can be served in that many nanos
        if (l.mode() != Mode.ENFORCE) {
            while ((w = room.poll()) != null) {
                stats.dequeued.increment();
                stats.waited(now - w.enqueuedAt);
                counters.incrementAndGet(IN_FLIGHT);
                boolean rpm = l.rpm() > 0;
                boolean tpm = l.tpm() > 0;
                if (rpm || tpm) quota.force(rpm ? 1 : 0, tpm ? w.tokens : 0);
                post(w, issue(w.priority, w.tokens, now, breaker.tryAcquire(now), rpm, tpm, null));
            }
        } else if (!paused(now)) {
            while ((w = room.peek()) != null) {
                if (w.isDone()) { // completed from outside (cancel, orTimeout): it is leaving anyway
                    room.remove(w);
                    stats.dequeued.increment();
                    continue;
                }
                long b = breaker.refusalNanos(now);
                if (b > 0) { // OPEN: nobody waiting gets through; refuse them all now rather than at max-wait
                    while ((w = room.poll()) != null) {
                        stats.dequeued.increment();
                        stats.waited(now - w.enqueuedAt);
                        post(w, refuse(RefusalReason.BREAKER_OPEN, b, null));
                    }
                    break;
                }
                Permit pm = take(l, w.priority, w.tokens, now, null);
                if (pm == null) {
                    retryIn = headWait(l, w);
                    // take() judged the quota at this dispatch's start; headWait reads the clock afresh. If the
                    // bucket refilled in between (a slow, preempted thread) and no slot holds the head back, look
                    // again shortly: waiting for the next event could mean waiting until max-wait.
                    if (retryIn == 0 && (l.rpm() > 0 || l.tpm() > 0)
                            && (l.maxConcurrent() <= 0 || inFlightNow() < l.maxConcurrent())) {
                        retryIn = RECHECK_NANOS;
                    }
                    break;
                }
                room.remove(w);
                stats.dequeued.increment();
                stats.waited(now - w.enqueuedAt);
                post(w, pm);
            }
        }
        congestionChanged(room.updateCongestion(l.highWater(), l.lowWater()));
        scheduleWake(l, now, retryIn);
    }

    /** Nanos until the head could have its requests and tokens (0: it waits for a slot or a probe instead). */
    private long headWait(GateLimits l, Waiter w) {
        return quota.nanosUntil(l.rpm() > 0 ? 1 : 0, l.tpm() > 0 ? w.tokens : 0);
    }

    private void scheduleWake(GateLimits l, long now, long retryIn) {
        if (room.isEmpty()) {
            cancelWake();
            return;
        }
        long at = now + FAR;
        if (retryIn > 0) at = now + Math.min(retryIn, FAR);
        long pause = pauseUntil.get();
        if (pause - now > 0 && pause - at < 0) at = pause;
        Waiter first = room.earliestDeadline();
        if (first != null && first.deadline - at < 0) at = first.deadline;
        if (at - now >= FAR) {
            cancelWake();
            return;
        }
        if (wake != null) {
            if (wake.at == at) return;
            wake.cancel();
        }
        Wake next = new Wake(at);
        wake = next;
        next.handle = scheduler.schedule(next, Math.max(0, at - now));
    }

    private void cancelWake() {
        if (wake != null) {
            wake.cancel();
            wake = null;
        }
    }

    private final class Wake implements Runnable {
        final long at;
        volatile Scheduler.Cancellable handle;
        volatile boolean cancelled;

        Wake(long at) {
            this.at = at;
        }

        void cancel() {
            cancelled = true;
            Scheduler.Cancellable h = handle;
            if (h != null) h.cancel();
        }

        @Override
        public void run() {
            if (cancelled) return;
            if (lock.isHeldByCurrentThread()) { // a scheduler that runs due tasks inline: leave it to the holder
                dispatchWanted.set(true);
                return;
            }
            lock.lock();
            try {
                if (wake == this) wake = null;
                doDispatch();
            } finally {
                unlockAndFlush();
            }
        }
    }

    /** Queues a waiter's answer (Permit or Refusal), delivered after the lock is released. Lock held. */
    private void post(Waiter w, Object result) {
        outbox.add(w);
        outbox.add(result);
    }

    /** Releases the lock, then delivers answers and events; repeats while dispatches were asked for meanwhile. */
    private void unlockAndFlush() {
        for (;;) {
            List<Object> out = outbox.isEmpty() ? null : outbox;
            if (out != null) outbox = new ArrayList<>();
            List<Runnable> ev = events.isEmpty() ? null : events;
            if (ev != null) events = new ArrayList<>();
            lock.unlock();
            if (lock.isHeldByCurrentThread()) { // a re-entrant holder further up flushes
                if (out != null) outbox.addAll(out);
                if (ev != null) events.addAll(ev);
                return;
            }
            if (out != null) deliver(out);
            if (ev != null) {
                for (Runnable r : ev) {
                    try {
                        r.run();
                    } catch (Throwable t) {
                        listenerFailed(t);
                    }
                }
            }
            if (!dispatchWanted.get() || !lock.tryLock()) return;
            try {
                doDispatch();
            } catch (RuntimeException | Error e) {
                lock.unlock();
                throw e;
            }
        }
    }

    private void deliver(List<Object> out) {
        boolean offload = sharedTimer && SharedTimer.isTimerThread();
        for (int i = 0; i < out.size(); i += 2) {
            Waiter w = (Waiter) out.get(i);
            Object result = out.get(i + 1);
            if (offload && w.async) {
                try {
                    ForkJoinPool.commonPool().execute(() -> answer(w, result));
                    continue;
                } catch (RuntimeException rejected) {
                    // fall through: answer here
                }
            }
            answer(w, result);
        }
    }

    private void answer(Waiter w, Object result) {
        if (result instanceof Permit) {
            Permit pm = (Permit) result;
            if (!w.grant(pm)) giveBack(pm); // cancelled meanwhile: never leaked, not counted as admitted
        } else {
            Refusal r = (Refusal) result;
            w.refuse(r);
        }
    }

    /** A waiter completed from outside (cancel, orTimeout, interrupt) leaves the room. */
    void leave(Waiter w) {
        if (!w.inRoom) return;
        lock.lock();
        try {
            if (room.remove(w)) {
                stats.dequeued.increment();
                doDispatch(); // the head may have changed
            }
        } finally {
            unlockAndFlush();
        }
    }

    /** The blocked caller's own check when the timer is late. */
    private void expire(Waiter w) {
        lock.lock();
        try {
            doDispatch(); // refuses every waiter past its deadline, this one included
        } finally {
            unlockAndFlush();
        }
    }

    // ------------------------------------------------------------------------------------------------ permits

    /** {@link Permit#complete} won: release and account. */
    void completed(Permit pm, int status, long charged) {
        untrack(pm);
        counters.decrementAndGet(IN_FLIGHT);
        long finalCharge = pm.reservedTokens();
        if (charged >= 0) {
            finalCharge = charged;
            if (pm.tookTokens) {
                long diff = charged - pm.reservedTokens();
                if (diff > 0) quota.force(0, diff);
                else if (diff < 0) quota.refund(0, -diff, pm.admittedAt); // the same as now, without the clock
            }
        }
        stats.completed.increment();
        stats.tokensCharged.add(finalCharge);
        if (breaker.onResult(pm.breakerTicket, status)) stats.failures.increment();
        if (!room.isEmpty()) requestDispatch();
    }

    /** A permit whose call never went out: everything it took goes back, and it is not counted as admitted. */
    private void giveBack(Permit pm) {
        if (!pm.returnUnused()) return;
        untrack(pm);
        counters.decrementAndGet(IN_FLIGHT);
        if (pm.tookRequest || pm.tookTokens) {
            quota.refund(pm.tookRequest ? 1 : 0, pm.tookTokens ? pm.reservedTokens() : 0, pm.admittedAt);
        }
        breaker.release(pm.breakerTicket);
        stats.returned.increment();
        stats.returnedTokens.add(pm.reservedTokens());
        if (!room.isEmpty()) requestDispatch();
    }

    private void track(Permit pm) {
        // First a slot of the calling thread's own: a thread that admits and hands back call after call keeps
        // writing the same cache line, which stays in its core. A thread holding many permits at once (an event
        // loop, an async client's caller) finds those taken, and goes on at a slot spread by the admission number,
        // as concurrent callers' permits do.
        if (!slot(pm, spread(Thread.currentThread().getId()), OWN_PROBES) && !slot(pm, spread(pm.seq), LEASE_PROBES)) {
            pm.listed = true;
            Permit h;
            do {
                h = leases.get();
                pm.nextLease = h;
            } while (!leases.compareAndSet(h, pm));
        }
        if (!sweepScheduled.get() && sweepScheduled.compareAndSet(false, true)) scheduleSweep();
    }

    private static int spread(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - LEASE_BITS));
    }

    /** Puts {@code pm} in the first free slot of {@code probes} from {@code start}; false when all are taken. */
    private boolean slot(Permit pm, int start, int probes) {
        for (int k = 0; k < probes; k++) {
            int i = (start + k) & (LEASE_SLOTS - 1);
            if (leaseSlots.get(i) == null && leaseSlots.compareAndSet(i, null, pm)) {
                pm.leaseSlot = i;
                return true;
            }
        }
        return false;
    }

    /** A permit handed back leaves its slot (one in the list is dropped by the next sweep). */
    private void untrack(Permit pm) {
        int i = pm.leaseSlot;
        if (i >= 0) leaseSlots.compareAndSet(i, pm, null);
    }

    /** Whether any permit may be outstanding (a slot taken, or the list not empty). */
    private boolean anyLeases() {
        if (leases.get() != null) return true;
        for (int i = 0; i < LEASE_SLOTS; i++) {
            if (leaseSlots.get(i) != null) return true;
        }
        return false;
    }

    private void scheduleSweep() {
        long interval = Math.min(SWEEP_INTERVAL_NANOS, Math.max(1_000_000L, limits.leaseNanos() / 4));
        try {
            scheduler.schedule(this::sweep, interval);
        } catch (RuntimeException e) {
            sweepScheduled.set(false);
            SluiceLog.once(SluiceLog.Level.WARN, "sluice-sweep-" + name, "endpoint '" + name
                    + "': could not schedule the permit lease sweep", e);
        }
    }

    /** Drops completed permits from the outstanding list and reclaims those past their lease. */
    void sweep() {
        try {
            long now = clock.nanoTime();
            long lease = limits.leaseNanos();
            boolean reclaimed = false;
            for (int i = 0; i < LEASE_SLOTS; i++) {
                Permit p = leaseSlots.get(i);
                // A permit handed back clears its own slot. Clearing it here could race with its owner re-arming it
                // into the same slot, and drop the new arming from the table.
                if (p != null && reclaimIfExpired(p, now, lease)) {
                    leaseSlots.compareAndSet(i, p, null);
                    reclaimed = true;
                }
            }
            Permit chain = leases.getAndSet(null);
            Permit keepHead = null;
            Permit keepTail = null;
            for (Permit p = chain; p != null; ) {
                Permit next = p.nextLease;
                p.nextLease = null;
                if (reclaimIfExpired(p, now, lease)) reclaimed = true;
                if (p.state() == Permit.ACTIVE) {
                    if (keepHead == null) keepHead = p;
                    else keepTail.nextLease = p;
                    keepTail = p;
                } else {
                    p.listed = false; // unlinked: its owner may re-arm it
                }
                p = next;
            }
            if (keepHead != null) {
                Permit h;
                do {
                    h = leases.get();
                    keepTail.nextLease = h;
                } while (!leases.compareAndSet(h, keepHead));
            }
            if (reclaimed && !room.isEmpty()) requestDispatch();
        } finally {
            if (anyLeases()) {
                scheduleSweep();
            } else {
                sweepScheduled.set(false);
                if (anyLeases() && sweepScheduled.compareAndSet(false, true)) scheduleSweep();
            }
        }
    }

    /**
     * Reclaims {@code p} if its lease ran out. What the release needs is read with the state word, before the
     * reclaim's CAS: once that wins, the owner may re-arm the permit (its {@code complete} returns false).
     */
    private boolean reclaimIfExpired(Permit p, long now, long lease) {
        int seen = p.stateWord();
        if (!Permit.isActive(seen)) return false;
        long admittedAt = p.admittedAt;
        Object ticket = p.breakerTicket;
        long tokens = p.reservedTokens();
        if (now - admittedAt < lease || !p.reclaim(seen)) return false;
        reclaim(p, ticket, tokens);
        return true;
    }

    private void reclaim(Permit p, Object ticket, long tokens) {
        counters.decrementAndGet(IN_FLIGHT);
        breaker.release(ticket);
        stats.reclaimedLeases.increment();
        stats.tokensCharged.add(tokens);
        if (!reclaimLogged) {
            reclaimLogged = true;
            SluiceLog.warn("endpoint '" + name + "': a permit was not handed back within "
                    + limits.leaseNanos() / 1_000_000_000L + " s and was reclaimed (an abandoned call or stream?);"
                    + " further reclaims are counted in ReclaimedLeases");
        }
        GateListener l = listener;
        if (l != null) {
            try {
                l.onLeaseReclaimed(p);
            } catch (Throwable t) {
                listenerFailed(t);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ feedback

    /**
     * The provider's own remaining quota, reported on the response of {@code permit}'s call (-1 = not reported).
     * The figures are as of that call's arrival, so calls admitted after it are subtracted before comparing; the
     * bucket is lowered to match when it holds more, never raised. The refill since the call was admitted is
     * added back (the provider's bucket refilled meanwhile too), and the level is never lowered below zero on
     * this evidence alone.
     */
    public void syncRemaining(Permit permit, long requestsRemaining, long tokensRemaining) {
        syncRemaining(permit, requestsRemaining, -1, tokensRemaining, -1);
    }

    /**
     * As {@link #syncRemaining(Permit, long, long)}, with the provider's reset times (nanos until its bucket is full;
     * -1 = not reported). With them the gate also learns the refill rate of the provider's bucket (see
     * {@link ProviderRate}): when it is below the configured one (the account's real limit is lower, or the provider
     * enforces a share of it) the local bucket refills at that rate instead, until the provider's figures show the
     * configured rate again. Never faster than
     * configured; a limits change (reload, JMX) starts over from the configured rate.
     */
    public void syncRemaining(Permit permit, long requestsRemaining, long requestsResetNanos,
                              long tokensRemaining, long tokensResetNanos) {
        if (permit == null || permit.gate() != this) return;
        permit.answered();
        GateLimits l = limits;
        if (l.rpm() > 0) {
            long r = requestRate.sample(requestsRemaining, requestsResetNanos, rate(l.rpm()));
            requestRateCap = applyRate(true, r, requestRateCap, rate(l.rpm()), "request");
        }
        if (l.tpm() > 0) {
            long r = tokenRate.sample(tokensRemaining, tokensResetNanos, rate(l.tpm()));
            tokenRateCap = applyRate(false, r, tokenRateCap, rate(l.tpm()), "token");
        }
        long elapsed = Math.max(0, clock.nanoTime() - permit.admittedAt);
        QuotaStore q = quota;
        boolean lowered = false;
        long requestsLevel = -1;
        long tokensLevel = -1;
        // Calls the provider had not counted when it answered this one: those admitted after it, and at least every
        // other call still awaiting its answer (one admitted earlier may reach the provider later: a new connection, a
        // stalled client thread). In steady state the two are the same calls.
        long pending = awaitingAnswer();
        long pendingTokens = awaitingTokens();
        if (requestsRemaining >= 0 && l.rpm() > 0) {
            long since = Math.max(counters.get(ADMISSIONS) - permit.seq, pending);
            long refill = TokenBucket.refill(requestRateCap > 0 ? requestRateCap : rate(l.rpm()), elapsed);
            requestsLevel = Math.max(0, requestsRemaining - since + refill);
            lowered = requestsLevel < q.availableRequests();
        }
        if (tokensRemaining >= 0 && l.tpm() > 0) {
            long since = Math.max(counters.get(RESERVED) - permit.tokenMark, pendingTokens);
            long refill = TokenBucket.refill(tokenRateCap > 0 ? tokenRateCap : rate(l.tpm()), elapsed);
            tokensLevel = Math.max(0, tokensRemaining - since + refill);
        }
        if (requestsLevel >= 0 || tokensLevel >= 0) q.lowerTo(requestsLevel, tokensLevel);
        if (lowered) SluiceLog.debug("endpoint '" + name + "': request bucket lowered to the provider's figure");
    }

    /** One permit's answer arrived, or it was handed back unanswered (called once per permit, by the permit). */
    void answered(long reservedTokens) {
        answeredCount.increment();
        answeredTokens.add(reservedTokens);
    }

    /** Admitted calls not answered yet. The answered side is read first, so the difference is never negative. */
    long awaitingAnswer() {
        long answered = answeredCount.sum();
        return counters.get(ADMISSIONS) - answered;
    }

    long awaitingTokens() {
        long answered = answeredTokens.sum();
        return counters.get(RESERVED) - answered;
    }

    /** Applies a {@link ProviderRate} answer to a bucket; returns the cap now in force (0 = the configured rate). */
    private long applyRate(boolean requestBucket, long answer, long current, long configured, String what) {
        if (answer == ProviderRate.KEEP) return current;
        long next = answer == ProviderRate.CONFIGURED ? 0 : Math.min(answer, configured);
        if (next == current) return current;
        // a concurrent setLimits may have just changed the limits: re-read them
        if (limits.rpm() <= 0 && requestBucket || limits.tpm() <= 0 && !requestBucket) return current;
        long perMinute = next == 0 ? configured : next;
        quota.refillAt(requestBucket ? perMinute : 0, requestBucket ? 0 : perMinute);
        if ((current == 0) != (next == 0)) {
            SluiceLog.rateLimited(SluiceLog.Level.INFO, "provider-rate:" + name + ":" + what, 60_000,
                    "endpoint '" + name + "': the provider grants " + (next == 0 ? "the configured " + what
                    + " rate again" : "about " + next + " " + what + "s per minute, less than the configured " + configured
                    + " (the quota is shared?): refilling at that rate"));
        }
        if (!room.isEmpty()) requestDispatch();
        return next;
    }

    /** The refill rate per minute learned from the provider's headers, when below the configured one; 0 = none. */
    public long providerRequestRate() {
        return requestRateCap;
    }

    /** As {@link #providerRequestRate()}, for tokens. */
    public long providerTokenRate() {
        return tokenRateCap;
    }

    /** While on, every LOW call is refused at once as SHED (an alert's shed-low action). */
    public void forceShedLow(boolean on) {
        shedLow = on;
    }

    /** Provider said 429/503 with a retry time: admit nothing until then (waiters stay queued). Extends, never shortens. */
    public void pauseFor(long nanos) {
        if (nanos <= 0) return;
        quota.pause(nanos); // a shared quota: every JVM sharing it pauses too
        long until = clock.nanoTime() + Math.min(nanos, FAR);
        for (;;) {
            long cur = pauseUntil.get();
            if (cur - until >= 0) return;
            if (pauseUntil.compareAndSet(cur, until)) break;
        }
        if (!room.isEmpty()) requestDispatch(); // reschedules the wake-up for the pause end
    }

    /** Ends a pause at once. */
    public void resume() {
        pauseUntil.set(clock.nanoTime());
        quota.resume();
        requestDispatch();
    }

    /** Counts a 429 (or 503/529 overload answer) from upstream in the monitor. */
    public void recordUpstreamRateLimited() {
        stats.upstreamRateLimited.increment();
    }

    public void resetBreaker() {
        breaker.reset();
    }

    public void openBreaker() {
        breaker.open();
    }

    public GateMonitor monitor() {
        return stats;
    }

    // ------------------------------------------------------------------------------------------------ state

    private boolean paused(long now) {
        return pauseUntil.get() - now > 0;
    }

    private boolean shouldShed(GateLimits l, Priority p) {
        if (p == Priority.LOW && (shedLow || room.congested())) return true;
        double threshold = l.shedThreshold(p);
        return threshold < 1.0 && utilization(l) >= threshold;
    }

    private String shedDetail(GateLimits l, Priority p) {
        if (p == Priority.LOW && shedLow) return "low priority shed by an alert";
        if (p == Priority.LOW && room.congested()) return "endpoint congested";
        return p.label() + " priority, utilization " + Math.round(utilization(l) * 100) + "% >= "
                + Math.round(l.shedThreshold(p) * 100) + "%";
    }

    double utilization() {
        return utilization(limits);
    }

    private double utilization(GateLimits l) {
        int max = l.maxConcurrent();
        long num = room.size();
        long den = l.queueCapacity();
        if (max > 0) {
            num += inFlightNow();
            den += max;
        }
        if (den <= 0) return 0;
        return Math.min(1.0, (double) num / den);
    }

    /**
     * Expected wait of a newcomer of priority {@code p} needing {@code n} tokens: the pause left, and for
     * rate-bound endpoints the time the buckets need to serve everyone ahead of it and itself. A wait for a
     * concurrency slot cannot be known in advance and counts as 0.
     */
    private long expectedWait(GateLimits l, Priority p, long n, long now) {
        long est = Math.max(0, pauseUntil.get() - now);
        long requests = l.rpm() > 0 ? room.countAhead(p) + 1L : 0;
        long tokens = l.tpm() > 0 ? room.tokensAhead(p) + Math.min(n, capacity(l.tokenCapacity())) : 0;
        if (requests > 0 || tokens > 0) est = Math.max(est, quota.nanosToServe(requests, tokens));
        return est;
    }

    /** A rough time until there is room: the head's wait, else the average wait so far (0 = unknown). */
    private long roomEstimate(GateLimits l, long now) {
        long est = Math.max(0, pauseUntil.get() - now);
        Waiter head = room.peek();
        long tokens = head != null && l.tpm() > 0 ? Math.min(head.tokens, capacity(l.tokenCapacity())) : 0;
        if (l.rpm() > 0 || tokens > 0) est = Math.max(est, quota.nanosToServe(l.rpm() > 0 ? 1 : 0, tokens));
        if (est == 0) est = stats.averageWaitNanos();
        return est;
    }

    private Refusal refuse(RefusalReason reason, long retryAfterNanos, String detail) {
        stats.countRefused(reason);
        return new Refusal(name, reason, retryAfterNanos, detail);
    }

    long availableRequests() {
        return limits.rpm() > 0 ? quota.availableRequests() : -1;
    }

    long availableTokens() {
        return limits.tpm() > 0 ? quota.availableTokens() : -1;
    }

    int inFlight() {
        return inFlightNow();
    }

    int queueDepth() {
        return room.size();
    }

    boolean congested() {
        return room.congested();
    }

    BreakerState breakerState() {
        return breaker.state();
    }

    long pausedForNanos() {
        return Math.max(0, pauseUntil.get() - clock.nanoTime());
    }

    // ------------------------------------------------------------------------------------------------ events

    private void breakerMoved(BreakerState from, BreakerState to) {
        SluiceLog.info("endpoint '" + name + "': circuit breaker " + from.label() + " -> " + to.label());
        fireOrDefer(() -> {
            GateListener l = listener;
            if (l != null) l.onBreakerState(from, to);
        });
        if (to != BreakerState.HALF_OPEN && !room.isEmpty()) requestDispatch(); // open: refuse waiters; closed: serve
    }

    private void congestionChanged(int change) {
        if (change == 0) return;
        boolean on = change > 0;
        GateLimits l = limits;
        SluiceLog.rateLimited(SluiceLog.Level.INFO, "sluice-congested-" + name, 1000, "endpoint '" + name + "': "
                + (on ? "congested, waiting room at its high-water mark (" + l.highWater() + "); low-priority calls are refused"
                : "no longer congested (waiting room at " + room.size() + ")"));
        events.add(() -> {
            GateListener g = listener;
            if (g != null) g.onCongested(on);
        });
    }

    private void fireOrDefer(Runnable r) {
        if (lock.isHeldByCurrentThread()) {
            events.add(r);
            return;
        }
        try {
            r.run();
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    private void listenerFailed(Throwable t) {
        SluiceLog.once(SluiceLog.Level.WARN, "sluice-listener-" + name, "endpoint '" + name
                + "': a gate listener failed", t);
    }

    @Override
    public String toString() {
        return "Gate{" + name + ", inFlight=" + inFlightNow() + ", waiting=" + room.size() + ", " + limits + "}";
    }
}
