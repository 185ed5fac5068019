package dev.sluice.core;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters that concurrent callers write on every call, kept on cache lines of their own. Two callers on two cores
 * then move only those lines between them, not the lines of the fields every call merely reads (limits, the
 * bucket's rate, the pause), which would otherwise be re-read from the other core after each write. Plain Java 17
 * has no {@code @Contended} for application classes, so the counters sit in the middle of an array padded on both
 * sides: 16 longs (128 bytes, a pair of lines as fetched together) each way.
 */
final class CacheLines {
    /** Index of the first counter in an array made by {@link #counters}. */
    static final int FIRST = 16;

    private CacheLines() {
    }

    /** An array for {@code n} counters at {@link #FIRST} .. FIRST + n - 1, with the padding around them. */
    static AtomicLongArray counters(int n) {
        return new AtomicLongArray(FIRST + n + FIRST);
    }
}
