package dev.sluice.core;

import dev.sluice.log.SluiceLog;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link Scheduler}: one daemon thread, {@code sluice-timer}, shared by every gate and created on
 * first use. Tasks must be short (a gate's dispatch): the timer never runs application code itself, the gate
 * hands asynchronous completions fired from here to another thread (see {@link #isTimerThread()}).
 */
final class SharedTimer implements Scheduler {
    static final SharedTimer INSTANCE = new SharedTimer();

    private SharedTimer() {
    }

    private static final class Holder {
        static volatile Thread thread;
        static final ScheduledThreadPoolExecutor EXEC = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "sluice-timer");
                t.setDaemon(true);
                t.setContextClassLoader(null);
                thread = t;
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            return e;
        }
    }

    static boolean isTimerThread() {
        return Thread.currentThread() == Holder.thread;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = Holder.EXEC.schedule(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.ERROR, "sluice-timer-task", "a timer task failed", t);
            }
        }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
