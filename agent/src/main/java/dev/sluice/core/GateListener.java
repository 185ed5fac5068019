package dev.sluice.core;

/**
 * Told of a gate's state changes, for JMX notifications and alerts. Called once per change, by the thread that
 * made it, never while the gate holds its dispatcher lock; keep it short. An exception thrown here is logged once
 * and otherwise ignored.
 */
public interface GateListener {
    /** The circuit breaker moved from {@code from} to {@code to}. */
    default void onBreakerState(BreakerState from, BreakerState to) {
    }

    /** The waiting room passed its high-water mark ({@code true}) or fell back to its low-water mark ({@code false}). */
    default void onCongested(boolean congested) {
    }

    /**
     * A permit was not handed back within the lease and was reclaimed. A permit its owner re-arms (see
     * {@link Gate#acquire(Priority, long, long, Permit)}) may already hold its next call: read it here, keep nothing.
     */
    default void onLeaseReclaimed(Permit permit) {
    }
}
