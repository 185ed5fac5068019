package dev.sluice.core;

import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by hand. Starts at an arbitrary, large value so wrap-safe arithmetic is exercised. */
final class ManualClock implements NanoClock {
    private final AtomicLong now;

    ManualClock() {
        this(Long.MAX_VALUE - 3_600_000_000_000L); // an hour before nanoTime wraps
    }

    ManualClock(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
    }

    void set(long t) {
        now.set(t);
    }
}
