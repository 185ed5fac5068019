package dev.sluice.core;

/**
 * Runs a task later. The gate uses it to wake waiters when tokens refill, a pause ends or a
 * deadline passes, so no thread is held per waiter. Tests inject a manual one.
 */
public interface Scheduler {
    /** Runs {@code task} once after {@code delayNanos}. The returned handle cancels it. */
    Cancellable schedule(Runnable task, long delayNanos);

    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
