package dev.sluice.core;

import java.util.PriorityQueue;

/** Runs scheduled tasks only when the test advances time, in due order, on the test's thread. */
final class ManualScheduler implements Scheduler {
    private final ManualClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long seq;

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    private static final class Task implements Comparable<Task> {
        final long due;
        final long seq;
        final Runnable run;
        volatile boolean cancelled;

        Task(long due, long seq, Runnable run) {
            this.due = due;
            this.seq = seq;
            this.run = run;
        }

        @Override
        public int compareTo(Task o) {
            long d = due - o.due;
            if (d != 0) return d < 0 ? -1 : 1;
            return Long.compare(seq, o.seq);
        }
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(clock.nanoTime() + Math.max(0, delayNanos), seq++, task);
        tasks.add(t);
        return () -> t.cancelled = true;
    }

    /** Moves the clock forward by {@code nanos}, running every task that falls due, each at its own due time. */
    void advance(long nanos) {
        long end = clock.nanoTime() + nanos;
        for (;;) {
            Task t;
            synchronized (this) {
                t = tasks.peek();
                if (t == null || t.due - end > 0) break;
                tasks.poll();
            }
            if (t.cancelled) continue;
            if (t.due - clock.nanoTime() > 0) clock.set(t.due);
            t.run.run();
        }
        clock.set(end);
    }

    /** Runs the tasks due now. */
    void runDue() {
        advance(0);
    }

    synchronized int pending() {
        int n = 0;
        for (Task t : tasks) if (!t.cancelled) n++;
        return n;
    }

    /** Due time of the next live task, relative to now; -1 if none. */
    synchronized long nextIn() {
        long best = -1;
        for (Task t : tasks) {
            if (t.cancelled) continue;
            long in = t.due - clock.nanoTime();
            if (best < 0 || in < best) best = in;
        }
        return best;
    }
}
