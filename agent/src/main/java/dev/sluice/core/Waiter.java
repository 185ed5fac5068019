package dev.sluice.core;

import java.util.concurrent.CompletableFuture;

/**
 * One caller in the waiting room, and the future it is answered on: the future handed to an asynchronous caller
 * is the waiter itself (one object per waiting call). Completed with a {@link Permit} when admitted, or
 * exceptionally with a {@link Refusal}.
 *
 * <p>Anyone else completing it (cancel, {@code orTimeout}, {@code completeExceptionally}) makes it leave the room.
 * The gate answers through {@link #grant} and {@link #refuse}, which bypass that hook; a grant that loses the race
 * with a cancel returns false, and the gate hands the permit back.
 */
final class Waiter extends CompletableFuture<Permit> {
    final Gate gate;
    final Priority priority;
    final long tokens;
    final long enqueuedAt;
    /** When the waiter is refused if still waiting: the earlier of max-wait and the caller's deadline. */
    final long deadline;
    /** True when {@link #deadline} is the caller's own (TIMEOUT), false for max-wait (WAIT_TOO_LONG). */
    final boolean callerDeadline;
    final long seq;
    final boolean async;

    // Guarded by the gate's lock (the room's list links).
    Waiter prev;
    Waiter next;
    /** Written under the gate's lock, read without it for a cheap "already gone" check. */
    volatile boolean inRoom;

    Waiter(Gate gate, Priority priority, long tokens, long enqueuedAt, long deadline, boolean callerDeadline,
           long seq, boolean async) {
        this.gate = gate;
        this.priority = priority;
        this.tokens = tokens;
        this.enqueuedAt = enqueuedAt;
        this.deadline = deadline;
        this.callerDeadline = callerDeadline;
        this.seq = seq;
        this.async = async;
    }

    boolean grant(Permit p) {
        return super.complete(p);
    }

    boolean refuse(Refusal r) {
        return super.completeExceptionally(r);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean done = super.cancel(mayInterruptIfRunning);
        if (done) left();
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean done = super.completeExceptionally(ex);
        if (done) left();
        return done;
    }

    @Override
    public boolean complete(Permit value) {
        boolean done = super.complete(value);
        if (done) left();
        return done;
    }

    private void left() {
        if (inRoom && gate != null) gate.leave(this);
    }

    @Override
    public String toString() {
        return "Waiter{" + priority.label() + ", tokens=" + tokens + ", seq=" + seq + "}";
    }
}
