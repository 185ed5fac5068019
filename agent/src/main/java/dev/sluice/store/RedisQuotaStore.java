package dev.sluice.store;

import dev.sluice.core.GateLimits;
import dev.sluice.core.LocalQuotaStore;
import dev.sluice.core.NanoClock;
import dev.sluice.core.QuotaStore;
import dev.sluice.core.TokenBucket;
import dev.sluice.log.SluiceLog;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * An endpoint's RPM/TPM quota shared by every JVM that names the same Redis and quota name.
 *
 * <h2>Admission</h2>
 * {@link #tryTake} is one EVALSHA of {@link QuotaScript} ({@code take}): both buckets checked and taken together
 * on Redis's clock. A refusal comes back with the time until the pause ends and until each bucket holds enough;
 * that becomes a hint: until then the gate's waiters sleep (the gate schedules its wake-up from
 * {@link #nanosUntil}) and no call goes to Redis for a refusal it already knows. So a JVM asks Redis once per
 * admission and once per refusal, never polls.
 *
 * <h2>Off the call path</h2>
 * Corrections ({@link #refund}, {@link #force}, {@link #lowerTo}) are summed and sent by the store's own thread a
 * couple of milliseconds later, one {@code adjust} per batch; {@link #pause} goes at once, from that thread too.
 * A heartbeat each second records this JVM in the quota's replica set (and checks the connection).
 *
 * <h2>Fallback</h2>
 * A call Redis does not answer within {@code store.timeout} (or a broken connection) switches the store to a
 * local stand-in: a {@link LocalQuotaStore} holding a fair share of the limits ({@code store.fallback-share},
 * default 1 / the replicas seen recently), seeded with that share of the shared level last seen. That call, and
 * every one after it, is answered locally, so no call fails and none waits on Redis beyond the timeout. The
 * store says so once in the log and on the MBean, and its thread probes Redis (reconnecting if need be) with
 * back-off from 100 ms to 1 s. When Redis answers again within the timeout, the JVM re-joins: the shared levels
 * are first lowered to what its own bucket implies for the whole quota (its level / its share: "keep counting"),
 * since the provider saw what every JVM admitted meanwhile while Redis's buckets saw nothing.
 */
public final class RedisQuotaStore implements QuotaStore, StoreStatus, AutoCloseable {
    enum State {
        CONNECTING, SHARED, FALLBACK, CLOSED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final long HEARTBEAT_NANOS = 1_000_000_000L;
    static final long REPLICA_WINDOW_MS = 10_000;
    static final long FLUSH_DELAY_NANOS = 2_000_000L;
    static final long MIN_SETUP_TIMEOUT_NANOS = 1_000_000_000L;
    static final long PROBE_MIN_NANOS = 100_000_000L;
    static final long PROBE_MAX_NANOS = 1_000_000_000L;
    static final long RETRY_SOON_NANOS = 1_000_000L;
    /** Timeouts in a row (no answer in between) that make the store fall back; a single slow answer does not. */
    static final int TIMEOUTS_TO_FALL_BACK = 2;
    private static final long NO_LEVEL = Long.MAX_VALUE;

    private final String endpoint;
    private final RedisTarget target;
    private final String quota;
    private final String bucketKey;
    private final String replicasKey;
    private final String member;
    private final long timeoutNanos;
    private final long setupTimeoutNanos;
    /** store.fallback-share, or a negative value for auto. */
    private final double configuredShare;
    private final LocalQuotaStore fallback;
    private final ScheduledThreadPoolExecutor exec;
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private volatile boolean startupWaited;
    private volatile GateLimits limits;
    private volatile long requestRefill;
    private volatile long tokenRefill;
    private volatile Runnable listener;

    private final Object stateLock = new Object();
    private volatile State state = State.CONNECTING;
    private volatile RespConnection conn;
    private final AtomicBoolean probeScheduled = new AtomicBoolean();
    private long probeBackoff = PROBE_MIN_NANOS; // store thread only
    private volatile ScheduledFuture<?> heartbeat;
    private volatile boolean lossLogged;
    private volatile long lossLoggedAt;

    // Hints from the last refusal, on System.nanoTime.
    private volatile long pauseHintUntil;
    private volatile long requestHintUntil;
    private volatile long tokenHintUntil;
    private volatile long tokenHintNeed;
    private volatile boolean retrySoon;

    // The shared levels last seen.
    private volatile boolean viewKnown;
    private volatile long viewRequests;
    private volatile long viewTokens;
    private volatile long viewAt;

    // Batched corrections.
    private final AtomicLong requestDelta = new AtomicLong();
    private final AtomicLong tokenDelta = new AtomicLong();
    private final AtomicLong lowerRequests = new AtomicLong(NO_LEVEL);
    private final AtomicLong lowerTokens = new AtomicLong(NO_LEVEL);
    private final AtomicLong pauseMillis = new AtomicLong();
    private final AtomicBoolean resumeWanted = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** What this JVM admitted from its local share since it fell back ("keep counting"), net of refunds. */
    private final AtomicLong localRequests = new AtomicLong();
    private final AtomicLong localTokens = new AtomicLong();

    // Figures.
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder roundTripNanos = new LongAdder();
    private volatile long lastRoundTripNanos = -1;
    private final AtomicLong fallbacks = new AtomicLong();
    private final LongAdder timeouts = new LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger timeoutsInARow = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int replicas;
    private volatile String lastProblem = "";

    /**
     * Starts connecting at once, on the store's own thread; the first calls wait at most {@code timeoutNanos} for
     * that, then use the local share until Redis is reached.
     *
     * @param share store.fallback-share (0..1), or a negative value for auto (1 / the replicas seen recently)
     */
    public RedisQuotaStore(String endpoint, RedisTarget target, String quota, long timeoutNanos, double share,
                           GateLimits limits) {
        this.endpoint = endpoint;
        this.target = target;
        this.quota = quota;
        this.bucketKey = "sluice:{" + quota + "}:bucket";
        this.replicasKey = "sluice:{" + quota + "}:replicas";
        this.member = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + "-" + ProcessHandle.current().pid();
        this.timeoutNanos = timeoutNanos;
        this.setupTimeoutNanos = Math.max(timeoutNanos, MIN_SETUP_TIMEOUT_NANOS);
        this.configuredShare = share;
        this.limits = limits;
        this.fallback = new LocalQuotaStore(shareOf(limits, share < 0 ? 1.0 : share), NanoClock.SYSTEM);
        this.exec = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-store-" + endpoint);
            t.setDaemon(true);
            t.setContextClassLoader(null);
            return t;
        });
        exec.setRemoveOnCancelPolicy(true);
        exec.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        probeScheduled.set(true);
        exec.execute(this::probe);
    }

    // ------------------------------------------------------------------------------------------------ QuotaStore

    @Override
    public void setLimits(GateLimits next) {
        limits = next;
        requestRefill = 0;
        tokenRefill = 0;
        fallback.setLimits(shareOf(next, share()));
    }

    /** The provider's own refill rate, learned by this JVM, is what this JVM tells Redis to refill at. */
    @Override
    public void refillAt(long rpm, long tpm) {
        if (rpm > 0) requestRefill = rpm;
        if (tpm > 0) tokenRefill = tpm;
    }

    private String rpmArg(GateLimits l) {
        long rpm = Math.max(0, l.rpm());
        long learned = requestRefill;
        return String.valueOf(learned > 0 && rpm > 0 ? Math.min(learned, rpm) : rpm);
    }

    private String tpmArg(GateLimits l) {
        long tpm = Math.max(0, l.tpm());
        long learned = tokenRefill;
        return String.valueOf(learned > 0 && tpm > 0 ? Math.min(learned, tpm) : tpm);
    }

    @Override
    public void setListener(Runnable onChange) {
        listener = onChange;
    }

    @Override
    public boolean tryTake(long r, long t, long now) {
        return tryTake(r, t);
    }

    /** {@link #tryTake(long, long, long)}: the gate's clock plays no part (Redis's clock does). */
    boolean tryTake(long r, long t) {
        State s = state;
        if (s == State.CONNECTING) s = awaitFirstAttempt();
        if (s != State.SHARED) return localTake(r, t);
        long now = System.nanoTime();
        if (hintWait(r, t, now) > 0) return false;
        RespConnection c = conn;
        if (c == null) {
            lost("not connected", null, false);
            return localTake(r, t);
        }
        GateLimits l = limits;
        Object reply;
        try {
            reply = eval(c, timeoutNanos, grant -> lateTake(grant, r, t), "take", l, r, t);
        } catch (RespConnection.Timeout e) {
            return timedOut(c, r, t);
        } catch (IOException e) {
            lost(problem(e), c, true);
            return localTake(r, t);
        }
        long at = System.nanoTime();
        recordRoundTrip(at - now);
        timeoutsInARow.set(0);
        List<?> v = list(reply, 6);
        if (v == null) {
            lost("unexpected answer to take: " + reply, c, false, PROBE_MAX_NANOS);
            return localTake(r, t);
        }
        view(num(v, 4), num(v, 5), at);
        if (num(v, 0) == 1) {
            retrySoon = false;
            return true;
        }
        long pw = num(v, 1);
        long rw = num(v, 2);
        long tw = num(v, 3);
        if (pw > 0) pauseHintUntil = at + pw * 1_000_000L;
        if (rw > 0) requestHintUntil = at + rw * 1_000_000L;
        if (tw > 0) {
            tokenHintNeed = t;
            tokenHintUntil = at + tw * 1_000_000L;
        }
        retrySoon = true;
        return false;
    }

    /**
     * Redis did not answer in time. This call is answered by the local share either way. One slow answer (a GC
     * pause, a busy machine) leaves the store shared, and what this call took locally is charged to the shared
     * quota with the next batch; {@link #TIMEOUTS_TO_FALL_BACK} in a row make it fall back.
     */
    private boolean timedOut(RespConnection c, long r, long t) {
        timeouts.increment();
        String why = "no answer within " + millis(timeoutNanos) + " (store.timeout)";
        if (timeoutsInARow.incrementAndGet() >= TIMEOUTS_TO_FALL_BACK) {
            lost(why, c, false);
            return localTake(r, t);
        }
        lastProblem = why;
        if (!fallback.tryTake(r, t)) {
            retrySoon = true; // the gate asks again shortly, through Redis
            return false;
        }
        retrySoon = false;
        requestDelta.addAndGet(r);
        tokenDelta.addAndGet(t);
        scheduleFlush(FLUSH_DELAY_NANOS);
        return true;
    }

    /** Admits from the local share while the shared quota is out of reach, counting what it took. */
    private boolean localTake(long r, long t) {
        if (!fallback.tryTake(r, t)) return false;
        if (r > 0) localRequests.addAndGet(r);
        if (t > 0) localTokens.addAndGet(t);
        return true;
    }

    /** The take timed out but Redis granted it after all: nobody uses that grant, so it goes back. */
    private void lateTake(Object reply, long r, long t) {
        List<?> v = list(reply, 6);
        if (v != null && num(v, 0) == 1) {
            requestDelta.addAndGet(-r);
            tokenDelta.addAndGet(-t);
            scheduleFlush(FLUSH_DELAY_NANOS);
        }
    }

    @Override
    public void force(long r, long t) {
        if (state != State.SHARED) {
            fallback.force(r, t);
            if (r > 0) localRequests.addAndGet(r);
            if (t > 0) localTokens.addAndGet(t);
            return;
        }
        if (r > 0) requestDelta.addAndGet(r);
        if (t > 0) tokenDelta.addAndGet(t);
        scheduleFlush(FLUSH_DELAY_NANOS);
    }

    @Override
    public void refund(long r, long t, long at) {
        refund(r, t);
    }

    void refund(long r, long t) {
        if (state != State.SHARED) {
            fallback.refund(r, t);
            if (r > 0) localRequests.addAndGet(-r);
            if (t > 0) localTokens.addAndGet(-t);
            return;
        }
        if (r > 0) requestDelta.addAndGet(-r);
        if (t > 0) tokenDelta.addAndGet(-t);
        scheduleFlush(FLUSH_DELAY_NANOS);
    }

    @Override
    public void lowerTo(long r, long t) {
        if (state != State.SHARED) { // the provider's figures are the whole quota's: this JVM holds its share of them
            double share = share();
            fallback.lowerTo(r >= 0 ? (long) (r * share) : -1, t >= 0 ? (long) (t * share) : -1);
            return;
        }
        if (r >= 0) lowerRequests.accumulateAndGet(r, Math::min);
        if (t >= 0) lowerTokens.accumulateAndGet(t, Math::min);
        scheduleFlush(FLUSH_DELAY_NANOS);
    }

    @Override
    public void pause(long nanos) {
        if (nanos <= 0 || state == State.CLOSED) return;
        long ms = Math.max(1, (nanos + 999_999L) / 1_000_000L);
        pauseMillis.accumulateAndGet(ms, Math::max);
        scheduleFlush(0);
    }

    @Override
    public void resume() {
        pauseHintUntil = 0;
        if (state == State.CLOSED) return;
        resumeWanted.set(true);
        scheduleFlush(0);
    }

    @Override
    public long nanosUntil(long r, long t) {
        if (state != State.SHARED) return fallback.nanosUntil(r, t);
        long now = System.nanoTime();
        long w = hintWait(r, t, now);
        if (w > 0) return w;
        if (retrySoon) { // refused a moment ago and the hint just ran out: try again shortly, not never
            retrySoon = false;
            return RETRY_SOON_NANOS;
        }
        GateLimits l = limits;
        return Math.max(estimate(viewRequests, l.rpm(), l.requestCapacity(), r > 0 ? Math.min(r, l.requestCapacity()) : 0, now),
                estimate(viewTokens, l.tpm(), l.tokenCapacity(), t > 0 ? Math.min(t, l.tokenCapacity()) : 0, now));
    }

    @Override
    public long nanosToServe(long r, long t) {
        if (state != State.SHARED) return fallback.nanosToServe(r, t);
        long now = System.nanoTime();
        GateLimits l = limits;
        long w = Math.max(0, pauseHintUntil - now);
        w = Math.max(w, estimate(viewRequests, l.rpm(), l.requestCapacity(), r, now));
        return Math.max(w, estimate(viewTokens, l.tpm(), l.tokenCapacity(), t, now));
    }

    @Override
    public long availableRequests() {
        if (state != State.SHARED) return fallback.availableRequests();
        GateLimits l = limits;
        return level(viewRequests, l.rpm(), l.requestCapacity(), System.nanoTime());
    }

    @Override
    public long availableTokens() {
        if (state != State.SHARED) return fallback.availableTokens();
        GateLimits l = limits;
        return level(viewTokens, l.tpm(), l.tokenCapacity(), System.nanoTime());
    }

    private long hintWait(long r, long t, long now) {
        long w = pauseHintUntil - now;
        if (r > 0) w = Math.max(w, requestHintUntil - now);
        if (t > 0 && t >= tokenHintNeed) w = Math.max(w, tokenHintUntil - now);
        return w;
    }

    private void clearHints() {
        pauseHintUntil = 0;
        requestHintUntil = 0;
        tokenHintUntil = 0;
        retrySoon = false;
    }

    private void view(long requests, long tokens, long at) {
        viewRequests = requests;
        viewTokens = tokens;
        viewAt = at;
        viewKnown = true;
    }

    /** The shared level now, from the last one seen and the refill since (others' takes unknown: an estimate). */
    private long level(long seen, long perMinute, long capacity, long now) {
        if (perMinute <= 0) return 0;
        if (!viewKnown) return capacity;
        long refill = TokenBucket.refill(perMinute, Math.max(0, now - viewAt));
        return seen >= capacity - refill ? capacity : seen + refill;
    }

    private long estimate(long seen, long perMinute, long capacity, long need, long now) {
        if (need <= 0 || perMinute <= 0) return 0;
        long level = level(seen, perMinute, capacity, now);
        if (level >= need) return 0;
        double nanos = (double) (need - level) * 60e9 / perMinute;
        return nanos >= 4e18 ? Long.MAX_VALUE / 2 : Math.max(1, (long) Math.ceil(nanos));
    }

    // ------------------------------------------------------------------------------------------------ Redis calls

    private Object eval(RespConnection c, long timeout, Consumer<Object> late, String op, GateLimits l, long a1, long a2)
            throws IOException, RespConnection.Timeout {
        Object[] args = {"EVALSHA", QuotaScript.SHA, "2", bucketKey, replicasKey, op,
                rpmArg(l), String.valueOf(capacity(l.requestCapacity())), tpmArg(l), String.valueOf(capacity(l.tokenCapacity())),
                String.valueOf(a1), String.valueOf(a2)};
        long start = System.nanoTime();
        Object reply = c.call(timeout, late, args);
        if (reply instanceof RespConnection.ErrorReply && ((RespConnection.ErrorReply) reply).isNoScript()) {
            args[0] = "EVAL"; // the script cache was flushed: EVAL runs it and caches it again
            args[1] = QuotaScript.SOURCE;
            reply = c.call(Math.max(1, timeout - (System.nanoTime() - start)), late, args);
        }
        return reply;
    }

    private void send(RespConnection c, Consumer<Object> handler, Object... opArgs) throws IOException {
        Object[] args = new Object[5 + opArgs.length];
        args[0] = "EVALSHA";
        args[1] = QuotaScript.SHA;
        args[2] = "2";
        args[3] = bucketKey;
        args[4] = replicasKey;
        System.arraycopy(opArgs, 0, args, 5, opArgs.length);
        c.send(handler, args);
    }

    private static long capacity(long c) {
        return Math.min(Math.max(1, c), TokenBucket.MAX_CAPACITY);
    }

    private static List<?> list(Object reply, int size) {
        if (!(reply instanceof List)) return null;
        List<?> v = (List<?>) reply;
        if (v.size() < size) return null;
        for (int i = 0; i < size; i++) if (!(v.get(i) instanceof Long)) return null;
        return v;
    }

    private static long num(List<?> v, int i) {
        return (Long) v.get(i);
    }

    private void recordRoundTrip(long nanos) {
        lastRoundTripNanos = nanos;
        roundTrips.increment();
        roundTripNanos.add(nanos);
    }

    // ------------------------------------------------------------------------------------------------ batching

    private void scheduleFlush(long delayNanos) {
        if (!flushScheduled.compareAndSet(false, true)) {
            if (delayNanos == 0) runSoon(this::flush); // urgent (a pause): do not wait for the batch
            return;
        }
        try {
            exec.schedule(this::flush, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            flushScheduled.set(false); // closed
        }
    }

    private void runSoon(Runnable r) {
        try {
            exec.execute(r);
        } catch (RuntimeException rejected) {
            // closed
        }
    }

    /** Sends what was batched; on the store's thread. Dropped when there is no connection to send it on. */
    private void flush() {
        flushScheduled.set(false);
        long r = requestDelta.getAndSet(0);
        long t = tokenDelta.getAndSet(0);
        long lr = lowerRequests.getAndSet(NO_LEVEL);
        long lt = lowerTokens.getAndSet(NO_LEVEL);
        long pause = pauseMillis.getAndSet(0);
        boolean resume = resumeWanted.getAndSet(false);
        RespConnection c = conn;
        if (c == null || c.isBroken()) return;
        GateLimits l = limits;
        String rpm = rpmArg(l);
        String rcap = String.valueOf(capacity(l.requestCapacity()));
        String tpm = tpmArg(l);
        String tcap = String.valueOf(capacity(l.tokenCapacity()));
        try {
            if (resume) send(c, this::ignoreReply, "resume");
            if (pause > 0) send(c, this::ignoreReply, "pause", String.valueOf(pause));
            if (r != 0 || t != 0) {
                boolean refund = r < 0 || t < 0;
                send(c, reply -> {
                    adjusted(reply);
                    if (refund) refunded();
                }, "adjust", rpm, rcap, tpm, tcap, String.valueOf(r), String.valueOf(t));
            }
            if (lr != NO_LEVEL || lt != NO_LEVEL) {
                send(c, this::adjusted, "lower", rpm, rcap, tpm, tcap,
                        String.valueOf(lr == NO_LEVEL ? -1 : lr), String.valueOf(lt == NO_LEVEL ? -1 : lt));
            }
        } catch (IOException e) {
            // the connection broke: the reader reports it; corrections of a lost connection are dropped
        }
    }

    private void adjusted(Object reply) {
        List<?> v = list(reply, 2);
        if (v != null) view(num(v, 0), num(v, 1), System.nanoTime());
        else ignoreReply(reply);
    }

    /** Tokens came back to the shared quota: a waiter told "not before" may be served sooner. */
    private void refunded() {
        tokenHintUntil = 0;
        requestHintUntil = 0;
        notifyListener();
    }

    private void ignoreReply(Object reply) {
        if (reply instanceof RespConnection.ErrorReply) {
            SluiceLog.once(SluiceLog.Level.WARN, "store-reply-" + endpoint, "endpoint '" + endpoint
                    + "': the shared quota store refused a correction: " + reply, null);
        }
    }

    // ------------------------------------------------------------------------------------------------ fallback

    /**
     * The first calls wait at most store.timeout for the first connection; once one has waited that long in vain,
     * the others do not wait at all (a first connection may take the whole set-up timeout).
     */
    private State awaitFirstAttempt() {
        if (!startupWaited) {
            try {
                if (!firstAttempt.await(timeoutNanos, TimeUnit.NANOSECONDS)) startupWaited = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        State s = state;
        return s == State.CONNECTING ? State.FALLBACK : s; // not reached in time: this call is answered locally
    }

    private double share() {
        if (configuredShare >= 0) return configuredShare;
        int n = replicas;
        return n <= 1 ? 1.0 : 1.0 / n;
    }

    /** The limits scaled by {@code share}; a limited dimension keeps at least 1 per minute. */
    static GateLimits shareOf(GateLimits l, double share) {
        return l.toBuilder().rpm(scale(l.rpm(), share)).tpm(scale(l.tpm(), share)).build();
    }

    private static long scale(long perMinute, double share) {
        if (perMinute <= 0) return perMinute;
        return Math.max(1, Math.round(perMinute * share));
    }

    /**
     * Redis failed a call (timeout, broken connection, odd answer): from now on the local share answers. The probe
     * follows at once for a broken connection (reconnect), after a moment for a slow Redis (not to hammer it), and
     * after a second for an answer the store did not expect (an error reply would only come back again).
     */
    private void lost(String why, RespConnection c, boolean broken) {
        lost(why, c, broken, broken ? 0 : PROBE_MIN_NANOS);
    }

    private void lost(String why, RespConnection c, boolean broken, long probeDelayNanos) {
        if (broken && c != null) c.close();
        boolean changed = false;
        double share;
        synchronized (stateLock) {
            share = share();
            State s = state;
            if (s == State.SHARED || s == State.CONNECTING) {
                GateLimits l = limits;
                fallback.setLimits(shareOf(l, share));
                // Seeded with this JVM's share of the shared level last seen, as it was then: the refill since went
                // to whoever asked (under contention the others), so adding it would admit a burst nobody owns.
                // Nothing seen (never connected): the share starts full.
                boolean seen = viewKnown && s == State.SHARED;
                fallback.reset(seen && l.rpm() > 0 ? (long) (Math.max(0, viewRequests) * share) : -1,
                        seen && l.tpm() > 0 ? (long) (Math.max(0, viewTokens) * share) : -1);
                state = State.FALLBACK;
                localRequests.set(0);
                localTokens.set(0);
                fallbacks.incrementAndGet();
                clearHints();
                changed = true;
            }
            lastProblem = why;
        }
        if (!changed) return;
        long now = System.nanoTime();
        lossLogged = lossLoggedAt == 0 || now - lossLoggedAt >= 30_000_000_000L; // flapping: once per 30 s
        if (lossLogged) {
            lossLoggedAt = now;
            SluiceLog.warn("endpoint '" + endpoint + "': shared quota '" + quota + "' on " + target + " out of reach ("
                    + why + "); admitting from a local bucket holding " + shareText(share) + " until it is back");
        }
        notifyListener();
        scheduleProbe(probeDelayNanos);
    }

    private String shareText(double share) {
        String part = share >= 0.9995 ? "all" : share > 0 && Math.abs(1 / share - Math.round(1 / share)) < 1e-9
                ? "1/" + Math.round(1 / share) : String.format(java.util.Locale.ROOT, "%.3g%%", share * 100);
        String why = configuredShare >= 0 ? "store.fallback-share" : replicas <= 1 ? "no other JVM seen"
                : replicas + " JVMs shared the quota";
        return part + " of the limits (" + why + ")";
    }

    private void scheduleProbe(long delayNanos) {
        if (state == State.CLOSED || !probeScheduled.compareAndSet(false, true)) return;
        try {
            exec.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            probeScheduled.set(false);
        }
    }

    /** On the store's thread: (re)connects if need be, checks Redis answers in time, and re-joins. */
    private void probe() {
        probeScheduled.set(false);
        try {
            if (state == State.CLOSED || state == State.SHARED) return;
            RespConnection c = conn;
            try {
                if (c == null || c.isBroken()) {
                    if (c != null) c.close();
                    conn = null;
                    c = connect();
                    conn = c;
                }
                long t0 = System.nanoTime();
                beat(c, state == State.CONNECTING ? setupTimeoutNanos : timeoutNanos);
                recordRoundTrip(System.nanoTime() - t0);
                rejoin(c);
                probeBackoff = PROBE_MIN_NANOS;
            } catch (RespConnection.Timeout e) {
                if (probeBackoff >= PROBE_MAX_NANOS && c != null) {
                    c.close(); // no answer for seconds: perhaps a connection whose peer is gone; a fresh one next
                    conn = null;
                }
                failedProbe("no answer within " + millis(timeoutNanos) + " (store.timeout)");
            } catch (IOException | RuntimeException e) {
                if (c != null && c.isBroken()) conn = null;
                failedProbe(problem(e));
            }
        } finally {
            firstAttempt.countDown();
        }
    }

    private void failedProbe(String why) {
        if (state == State.CONNECTING) {
            lost(why, null, false); // never reached: the local share answers from the start
        } else {
            lastProblem = why;
        }
        long delay = probeBackoff;
        probeBackoff = Math.min(PROBE_MAX_NANOS, probeBackoff * 2);
        scheduleProbe(delay);
    }

    private RespConnection connect() throws IOException, RespConnection.Timeout {
        RespConnection c = RespConnection.open(target, setupTimeoutNanos, "sluice-redis-" + endpoint, this::broken);
        try {
            Object sha = c.call(setupTimeoutNanos, null, "SCRIPT", "LOAD", QuotaScript.SOURCE);
            if (!QuotaScript.SHA.equals(sha)) throw new IOException("SCRIPT LOAD answered " + sha);
            return c;
        } catch (IOException | RespConnection.Timeout | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The reader thread found the connection broken (EOF, reset). */
    private void broken(Throwable t) {
        if (state == State.CLOSED) return;
        lost(problem(t), null, false);
    }

    private void beat(RespConnection c, long timeout) throws IOException, RespConnection.Timeout {
        Object reply = c.call(timeout, null, "EVALSHA", QuotaScript.SHA, "2", bucketKey, replicasKey, "beat", member,
                String.valueOf(REPLICA_WINDOW_MS));
        if (reply instanceof RespConnection.ErrorReply && ((RespConnection.ErrorReply) reply).isNoScript()) {
            reply = c.call(timeout, null, "EVAL", QuotaScript.SOURCE, "2", bucketKey, replicasKey, "beat", member,
                    String.valueOf(REPLICA_WINDOW_MS));
        }
        if (!(reply instanceof Long)) throw new IOException("unexpected answer to the heartbeat: " + reply);
        replicas = (int) Math.min(Integer.MAX_VALUE, (Long) reply);
    }

    /** Redis answers: settle what this JVM admitted meanwhile, then admit from the shared quota again. */
    private void rejoin(RespConnection c) throws IOException {
        State was;
        double share;
        synchronized (stateLock) {
            was = state;
            if (was == State.CLOSED || was == State.SHARED) return;
            flush(); // corrections first (a late grant given back), then the level this JVM counted
            share = was == State.FALLBACK ? share() : 1.0;
            long counted = localRequests.getAndSet(0);
            long countedTokens = localTokens.getAndSet(0);
            if (was == State.FALLBACK) {
                // What this JVM admitted meanwhile is charged (never below zero), and the levels are lowered to
                // what its own bucket implies for the whole quota (its level / its share): the first counts its
                // calls when the others went on through Redis, the second every JVM's when Redis was gone for all.
                GateLimits l = limits;
                long r = l.rpm() > 0 && share > 0 ? scaleUp(fallback.availableRequests(), share) : -1;
                long t = l.tpm() > 0 && share > 0 ? scaleUp(fallback.availableTokens(), share) : -1;
                send(c, this::adjusted, "lower", rpmArg(l), String.valueOf(capacity(l.requestCapacity())), tpmArg(l),
                        String.valueOf(capacity(l.tokenCapacity())), String.valueOf(r), String.valueOf(t),
                        String.valueOf(Math.max(0, counted)), String.valueOf(Math.max(0, countedTokens)));
            }
            clearHints();
            timeoutsInARow.set(0);
            state = State.SHARED;
        }
        ensureHeartbeat();
        if (was == State.FALLBACK) {
            if (lossLogged) {
                SluiceLog.info("endpoint '" + endpoint + "': shared quota '" + quota + "' on " + target
                        + " reachable again; sharing it with " + Math.max(1, replicas) + " JVM(s)");
            }
        } else {
            SluiceLog.info("endpoint '" + endpoint + "': RPM/TPM shared through " + target + " as quota '" + quota
                    + "' (" + Math.max(1, replicas) + " JVM(s) seen)");
        }
        notifyListener();
    }

    private static long scaleUp(long level, double share) {
        if (level <= 0) return Math.max(0, level);
        double v = level / share;
        return v >= 1e15 ? (long) 1e15 : (long) v;
    }

    private void ensureHeartbeat() {
        if (heartbeat != null) return;
        try {
            heartbeat = exec.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_NANOS, HEARTBEAT_NANOS, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            // closed
        }
    }

    /** Every second while shared: records this JVM among the quota's replicas, and checks Redis answers in time. */
    private void heartbeat() {
        if (state != State.SHARED) return;
        RespConnection c = conn;
        if (c == null) return;
        try {
            beat(c, timeoutNanos);
            timeoutsInARow.set(0);
        } catch (RespConnection.Timeout e) {
            timeouts.increment();
            String why = "heartbeat: no answer within " + millis(timeoutNanos) + " (store.timeout)";
            if (timeoutsInARow.incrementAndGet() >= TIMEOUTS_TO_FALL_BACK) lost(why, c, false);
            else lastProblem = why;
        } catch (IOException | RuntimeException e) {
            lost(problem(e), c, true);
        }
    }

    /**
     * Tells the gate, on the store's own thread: never on the reader thread (the gate's dispatch may ask Redis, and
     * the reader would then wait for a reply only it can read) and never inside a caller's admission.
     */
    private void notifyListener() {
        if (listener == null) return;
        runSoon(() -> {
            Runnable l = listener;
            if (l == null) return;
            try {
                l.run();
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "store-listener-" + endpoint, "endpoint '" + endpoint
                        + "': the gate failed to take a store change", t);
            }
        });
    }

    private static String millis(long nanos) {
        return nanos % 1_000_000L == 0 ? nanos / 1_000_000L + " ms" : String.format(java.util.Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    /** An exception as a short message (never a password: none is ever in one). */
    private static String problem(Throwable t) {
        String m = t.getMessage();
        String type = t.getClass().getSimpleName();
        if (m == null && t.getCause() != null) m = t.getCause().getMessage();
        return m == null ? type : type + ": " + m;
    }

    @Override
    public void close() {
        RespConnection c;
        synchronized (stateLock) {
            if (state == State.CLOSED) return;
            state = State.CLOSED;
            c = conn;
            conn = null;
        }
        ScheduledFuture<?> h = heartbeat;
        if (h != null) h.cancel(false);
        exec.shutdown();
        if (c != null) {
            try {
                if (!c.isBroken()) c.call(timeoutNanos, null, "EVALSHA", QuotaScript.SHA, "2", bucketKey, replicasKey, "leave", member);
            } catch (IOException | RespConnection.Timeout | RuntimeException e) {
                // the replica ages out of the set within the window anyway
            } finally {
                c.close();
            }
        }
        firstAttempt.countDown();
    }

    // ------------------------------------------------------------------------------------------------ status

    /** Waits (tests) until the store has made its first connection attempt. */
    boolean awaitFirstAttempt(long millis) throws InterruptedException {
        return firstAttempt.await(millis, TimeUnit.MILLISECONDS);
    }

    State stateNow() {
        return state;
    }

    /** Round trips measured (admissions and heartbeats). */
    long roundTrips() {
        return roundTrips.sum();
    }

    @Override public String kind() { return "redis"; }
    @Override public String target() { return target.toString(); }
    @Override public String quota() { return quota; }
    @Override public String state() { return state.label(); }

    @Override
    public long lastRoundTripMicros() {
        long n = lastRoundTripNanos;
        return n < 0 ? -1 : n / 1000;
    }

    @Override
    public double averageRoundTripMicros() {
        long n = roundTrips.sum();
        return n == 0 ? 0 : roundTripNanos.sum() / 1000.0 / n;
    }

    @Override public long fallbacks() { return fallbacks.get(); }
    @Override public long timeouts() { return timeouts.sum(); }
    @Override public int replicas() { return replicas; }
    @Override public double fallbackShare() { return share(); }
    @Override public String lastProblem() { return lastProblem; }

    @Override
    public String toString() {
        return "RedisQuotaStore{" + endpoint + ", " + target + ", quota=" + quota + ", " + state.label() + "}";
    }
}
