package dev.sluice.core;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The bounded waiting room of one gate: FIFO within a priority, higher priorities first. Not thread-safe: the
 * gate uses it under its dispatcher lock only. {@link #size()} and {@link #congested()} are volatile so the
 * gate's lock-free fast path and the monitor can read them.
 *
 * <p>Each priority is an intrusive doubly-linked list (O(1) add, remove and head), so a cancelled or timed-out
 * waiter leaves in O(1); a tree ordered by deadline finds the next waiter to time out. The room keeps, per
 * priority, the number of waiters and the sum of their tokens, so the expected wait of a newcomer ("how much is
 * ahead of me") is O(1).
 *
 * <p>Congestion has hysteresis: congested when the depth reaches the high-water mark, and again not congested
 * only when it falls to the low-water mark.
 */
final class WaitingRoom {
    private static final int LEVELS = Priority.values().length;
    private static final Comparator<Waiter> BY_DEADLINE = (a, b) -> {
        long d = a.deadline - b.deadline;
        if (d != 0) return d < 0 ? -1 : 1;
        return Long.compare(a.seq, b.seq);
    };

    private final Waiter[] heads = new Waiter[LEVELS];
    private final Waiter[] tails = new Waiter[LEVELS];
    private final int[] counts = new int[LEVELS];
    private final long[] tokenSums = new long[LEVELS];
    private final TreeSet<Waiter> byDeadline = new TreeSet<>(BY_DEADLINE);
    private volatile int size;
    private volatile boolean congested;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean congested() {
        return congested;
    }

    /** Appends {@code w} at the end of its priority's line. */
    void add(Waiter w) {
        int p = w.priority.ordinal();
        w.next = null;
        w.prev = tails[p];
        if (tails[p] == null) heads[p] = w;
        else tails[p].next = w;
        tails[p] = w;
        counts[p]++;
        tokenSums[p] += w.tokens;
        byDeadline.add(w);
        w.inRoom = true;
        size = size + 1;
    }

    /** Removes {@code w}; false if it was not in the room. */
    boolean remove(Waiter w) {
        if (!w.inRoom) return false;
        int p = w.priority.ordinal();
        if (w.prev == null) heads[p] = w.next;
        else w.prev.next = w.next;
        if (w.next == null) tails[p] = w.prev;
        else w.next.prev = w.prev;
        w.prev = null;
        w.next = null;
        counts[p]--;
        tokenSums[p] -= w.tokens;
        byDeadline.remove(w);
        w.inRoom = false;
        size = size - 1;
        return true;
    }

    /** The next waiter to serve: the oldest of the highest priority present. */
    Waiter peek() {
        for (int p = LEVELS - 1; p >= 0; p--) {
            if (heads[p] != null) return heads[p];
        }
        return null;
    }

    Waiter poll() {
        Waiter w = peek();
        if (w != null) remove(w);
        return w;
    }

    /** The waiter that has waited longest, any priority. */
    Waiter oldest() {
        Waiter best = null;
        for (int p = 0; p < LEVELS; p++) {
            Waiter h = heads[p];
            if (h != null && (best == null || h.seq < best.seq)) best = h;
        }
        return best;
    }

    /** The newest waiter of the lowest priority present. */
    Waiter newestOfLowest() {
        for (int p = 0; p < LEVELS; p++) {
            if (tails[p] != null) return tails[p];
        }
        return null;
    }

    /** A waiter picked uniformly at random. */
    Waiter random(RandomGenerator rnd) {
        int n = size;
        if (n == 0) return null;
        int i = rnd.nextInt(n);
        for (int p = 0; p < LEVELS; p++) {
            if (i < counts[p]) {
                Waiter w = heads[p];
                while (i-- > 0) w = w.next;
                return w;
            }
            i -= counts[p];
        }
        return null;
    }

    /** The waiter whose deadline comes first. */
    Waiter earliestDeadline() {
        return byDeadline.isEmpty() ? null : byDeadline.first();
    }

    /** Waiters a newcomer of priority {@code p} would queue behind: all of priority {@code p} or higher. */
    int countAhead(Priority p) {
        int n = 0;
        for (int q = p.ordinal(); q < LEVELS; q++) n += counts[q];
        return n;
    }

    /** Tokens of the waiters a newcomer of priority {@code p} would queue behind. */
    long tokensAhead(Priority p) {
        long n = 0;
        for (int q = p.ordinal(); q < LEVELS; q++) n += tokenSums[q];
        return n;
    }

    int count(Priority p) {
        return counts[p.ordinal()];
    }

    /** Sum of the tokens of every waiter. */
    long tokensWaiting() {
        long n = 0;
        for (long t : tokenSums) n += t;
        return n;
    }

    /**
     * Re-evaluates congestion after a change of depth or watermarks. Congested when the depth reaches
     * {@code highWater} (a high-water mark of 0 disables congestion), not congested again when it falls to
     * {@code lowWater}.
     *
     * @return +1 when it became congested, -1 when it stopped being congested, 0 when unchanged
     */
    int updateCongestion(int highWater, int lowWater) {
        int n = size;
        if (!congested) {
            if (highWater > 0 && n >= highWater) {
                congested = true;
                return 1;
            }
        } else if (highWater <= 0 || (n <= lowWater && n < highWater)) {
            congested = false;
            return -1;
        }
        return 0;
    }
}
