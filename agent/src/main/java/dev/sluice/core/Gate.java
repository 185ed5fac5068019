package dev.sluice.core;

import java.util.concurrent.CompletableFuture;

/**
 * One endpoint's admission pipeline: breaker, shed, waiting room, concurrency slot, RPM bucket, TPM bucket.
 * Plain Java: it knows nothing of HTTP, clients or the agent.
 *
 * API CONTRACT (implementation owned by the core).
 */
public final class Gate {

    public Gate(String name, GateLimits limits) {
        this(name, limits, NanoClock.SYSTEM, null);
    }

    /** {@code scheduler} null = the shared daemon timer. */
    public Gate(String name, GateLimits limits, NanoClock clock, Scheduler scheduler) {
        throw new UnsupportedOperationException("stub");
    }

    public String name() {
        throw new UnsupportedOperationException("stub");
    }

    public GateLimits limits() {
        throw new UnsupportedOperationException("stub");
    }

    /** Swaps the limits in atomically; bucket levels, breaker state, waiters and counters are kept. */
    public void setLimits(GateLimits limits) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Blocking admission: returns at once when there is room, else parks the caller in the waiting room.
     *
     * @throws Refusal when refused (breaker, shed, queue full, dropped, wait too long)
     * @throws InterruptedException when the caller is interrupted while waiting (it leaves the room)
     */
    public Permit acquire(Priority priority, long tokens) throws InterruptedException {
        throw new UnsupportedOperationException("stub");
    }

    /** As {@link #acquire(Priority, long)}, but gives up at {@code deadlineNanos} (clock time) with TIMEOUT. */
    public Permit acquire(Priority priority, long tokens, long deadlineNanos) throws InterruptedException {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Asynchronous admission: a future completed when admitted, or failed with a {@link Refusal}. No thread is
     * held while waiting. Cancelling the future removes the waiter; a permit won in a race with the cancel is
     * handed back, never leaked.
     */
    public CompletableFuture<Permit> acquireAsync(Priority priority, long tokens) {
        throw new UnsupportedOperationException("stub");
    }

    /** As {@link #acquireAsync(Priority, long)}, refused with TIMEOUT at {@code deadlineNanos} (clock time; 0 = none). */
    public CompletableFuture<Permit> acquireAsync(Priority priority, long tokens, long deadlineNanos) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * The provider's own remaining quota, reported on the response of {@code permit}'s call (-1 = not reported).
     * The figures are as of that call's arrival, so calls admitted after it are subtracted before comparing; the
     * bucket is lowered to match when it holds more, never raised.
     */
    public void syncRemaining(Permit permit, long requestsRemaining, long tokensRemaining) {
        throw new UnsupportedOperationException("stub");
    }

    /** While on, every LOW call is refused at once as SHED (an alert's shed-low action). */
    public void forceShedLow(boolean on) {
        throw new UnsupportedOperationException("stub");
    }

    /** Provider said 429/503 with a retry time: admit nothing until then (waiters stay queued). Extends, never shortens. */
    public void pauseFor(long nanos) {
        throw new UnsupportedOperationException("stub");
    }

    /** Ends a pause at once. */
    public void resume() {
        throw new UnsupportedOperationException("stub");
    }

    /** Counts a 429 (or 503/529 overload answer) from upstream in the monitor. */
    public void recordUpstreamRateLimited() {
        throw new UnsupportedOperationException("stub");
    }

    public void resetBreaker() {
        throw new UnsupportedOperationException("stub");
    }

    public void openBreaker() {
        throw new UnsupportedOperationException("stub");
    }

    public GateMonitor monitor() {
        throw new UnsupportedOperationException("stub");
    }
}
