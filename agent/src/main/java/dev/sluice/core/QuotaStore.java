package dev.sluice.core;

/**
 * Where an endpoint's RPM and TPM quota lives: the gate's two buckets, asked together. The gate owns everything
 * else (breaker, waiting room, concurrency, its own pause); a store only keeps the quota, so the same gate can
 * keep it in this JVM ({@link LocalQuotaStore}, the default) or share it with other JVMs (a Redis store).
 *
 * <p>Amounts are in requests and tokens; the gate passes 0 for a dimension that is unlimited, and a store must
 * treat 0 as "not asked". {@link #tryTake} is on the call path (the local store does it lock-free and without
 * allocating); every correction ({@link #force}, {@link #refund}, {@link #lowerTo}, {@link #pause}) may be applied
 * later and in batches by a store whose quota is remote, but never lost silently while the store is reachable.
 *
 * <p>A store that cannot answer (a remote one that is slow or gone) must not fail or stall the caller beyond its
 * own short timeout: it answers from a local stand-in instead. The waits it reports are what let waiters sleep
 * the right amount: a store that refuses a {@link #tryTake} must report a positive {@link #nanosUntil} for it.
 */
public interface QuotaStore {
    /** The gate's limits, on creation and on every change (called under the gate's lock). */
    void setLimits(GateLimits limits);

    /**
     * Takes {@code requests} and {@code tokens} together, or nothing: false when either is short. {@code now} is the
     * gate's clock time, read a moment ago (a local store need not read it again).
     */
    boolean tryTake(long requests, long tokens, long now);

    /** Takes them whatever the levels (into debt): observe mode, or a charge above the reservation. */
    void force(long requests, long tokens);

    /**
     * Gives them back (an unused permit, or usage below the reservation); never above the capacity. {@code at} is a
     * clock time no later than now (when they were taken, say), so a local store need not read the clock.
     */
    void refund(long requests, long tokens, long at);

    /** Lowers the levels to these if they hold more, never raises them; -1 leaves a dimension alone. */
    void lowerTo(long requestsLevel, long tokensLevel);

    /**
     * Refill rates learned from the provider (its bucket refills slower than configured: the quota is shared with
     * someone else), per minute, used instead of the configured ones until the next {@link #setLimits}; a value
     * of 0 or less leaves that dimension as it is.
     */
    void refillAt(long requestsPerMinute, long tokensPerMinute);

    /** Nanoseconds until {@code tryTake(requests, tokens)} could succeed: 0 now, {@link Long#MAX_VALUE} never. */
    long nanosUntil(long requests, long tokens);

    /**
     * Nanoseconds until the buckets have produced {@code requests} and {@code tokens} in total, counting what is
     * there now (the time a queue needing that much between them takes to be served).
     */
    long nanosToServe(long requests, long tokens);

    /** Requests in the bucket now (negative in debt); an estimate for a remote store. */
    long availableRequests();

    /** Tokens in the bucket now (negative in debt); an estimate for a remote store. */
    long availableTokens();

    /**
     * The provider asked for a pause (429, retry-after): a shared store makes every JVM sharing the quota wait
     * too. The gate keeps its own pause as well, so a local store does nothing.
     */
    default void pause(long nanos) {
    }

    /** Ends a shared pause (an operator's {@code resume()}). */
    default void resume() {
    }

    /**
     * Called by a store when what it can admit changed on its own (it lost or regained its shared quota), so the
     * gate re-examines its waiters. The gate sets it when it starts using the store; null removes it.
     */
    default void setListener(Runnable onChange) {
    }
}
