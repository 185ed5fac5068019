package dev.sluice.instrument.okhttp.injected;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread blocked in {@code execute()} while it waits for admission. {@code cancel()} interrupts it (the gate's
 * blocking wait leaves the room on interrupt); the small state machine makes sure an interrupt Sluice sent never
 * survives into the application's code.
 */
final class SyncWaiter extends Waiter {
    private static final int WAITING = 0;
    private static final int SETTLED = 1;
    private static final int INTERRUPTING = 2;
    private static final int CANCELLED = 3;

    private final Thread thread;
    private final AtomicInteger state = new AtomicInteger(WAITING);

    SyncWaiter(Thread thread) {
        this.thread = thread;
    }

    @Override
    void cancel() {
        if (state.compareAndSet(WAITING, INTERRUPTING)) {
            thread.interrupt();
            state.set(CANCELLED);
        }
    }

    /**
     * Called by the waiting thread once admission ended, however it ended. True: no cancel came first. False: the
     * call was cancelled; Sluice's interrupt has been delivered and is cleared here.
     */
    boolean settle() {
        if (state.compareAndSet(WAITING, SETTLED)) return true;
        while (state.get() != CANCELLED) Thread.onSpinWait();
        Thread.interrupted();
        return false;
    }
}
