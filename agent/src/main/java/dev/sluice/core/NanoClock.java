package dev.sluice.core;

/** Monotonic time in nanoseconds. Injected so tests of buckets, breaker and waiting room drive time by hand. */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
