package dev.sluice.core;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link GateMonitor} of one gate. Counters are {@link LongAdder}s (striped, no lock on the call path);
 * gauges are read live from the gate. Windowed figures (rates, recent average wait) are computed when read, from
 * snapshots of the counters that the readers themselves take: the call path pays nothing for them.
 */
final class GateStats implements GateMonitor {
    /** Snapshots are taken at most this often. */
    private static final long SNAPSHOT_SPACING_NANOS = 1_000_000_000L;
    /** Windowed figures cover about this much time (when read at least that often). */
    static final long WINDOW_NANOS = 10_000_000_000L;
    private static final int SNAPSHOTS = 16;

    private final Gate gate;
    private final NanoClock clock;

    /**
     * Permits handed back unused (a grant that lost a race with a cancel) and their tokens. Admitted calls and reserved
     * tokens are the gate's own running totals less these, so admission pays for no counter of its own; a reset
     * moves the baselines, the totals keep running.
     */
    final LongAdder returned = new LongAdder();
    final LongAdder returnedTokens = new LongAdder();
    private volatile long admittedBase;
    private volatile long reservedBase;
    final LongAdder completed = new LongAdder();
    final LongAdder enqueued = new LongAdder();
    final LongAdder dequeued = new LongAdder();
    final LongAdder upstreamRateLimited = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder reclaimedLeases = new LongAdder();
    final LongAdder wouldWait = new LongAdder();
    final LongAdder tokensCharged = new LongAdder();
    final LongAdder totalWaitNanos = new LongAdder();
    final LongAdder waits = new LongAdder();
    final LongAccumulator maxWaitNanos = new LongAccumulator(Math::max, 0);
    private final LongAdder[] refused = adders();
    private final LongAdder[] wouldRefuse = adders();

    // Snapshot ring, guarded by this (readers only).
    private final long[] snapAt = new long[SNAPSHOTS];
    private final long[] snapEnqueued = new long[SNAPSHOTS];
    private final long[] snapDequeued = new long[SNAPSHOTS];
    private final long[] snapWaitNanos = new long[SNAPSHOTS];
    private final long[] snapWaits = new long[SNAPSHOTS];
    private int snapCount;
    private int snapNewest = -1;

    GateStats(Gate gate, NanoClock clock) {
        this.gate = gate;
        this.clock = clock;
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[RefusalReason.count()];
        for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
        return a;
    }

    void countRefused(RefusalReason r) {
        refused[r.ordinal()].increment();
    }

    void countWouldRefuse(RefusalReason r) {
        wouldRefuse[r.ordinal()].increment();
    }

    /** A caller left the room admitted or refused after waiting {@code nanos}. */
    void waited(long nanos) {
        long n = Math.max(0, nanos);
        waits.increment();
        totalWaitNanos.add(n);
        maxWaitNanos.accumulate(n);
    }

    // ---- gauges

    @Override public long availableRequests() { return gate.availableRequests(); }
    @Override public long availableTokens() { return gate.availableTokens(); }
    @Override public int inFlight() { return gate.inFlight(); }
    @Override public int queueDepth() { return gate.queueDepth(); }
    @Override public boolean congested() { return gate.congested(); }
    @Override public BreakerState breakerState() { return gate.breakerState(); }
    @Override public double utilization() { return gate.utilization(); }
    @Override public long pausedForNanos() { return gate.pausedForNanos(); }

    // ---- counters

    @Override public long admitted() { return admittedTotal() - admittedBase; }
    @Override public long completed() { return completed.sum(); }
    @Override public long enqueued() { return enqueued.sum(); }
    @Override public long dequeued() { return dequeued.sum(); }
    @Override public long refused(RefusalReason reason) { return refused[reason.ordinal()].sum(); }

    @Override
    public long refusedTotal() {
        long n = 0;
        for (LongAdder a : refused) n += a.sum();
        return n;
    }

    @Override public long upstreamRateLimited() { return upstreamRateLimited.sum(); }
    @Override public long failures() { return failures.sum(); }
    @Override public long reclaimedLeases() { return reclaimedLeases.sum(); }
    @Override public long wouldRefuse(RefusalReason reason) { return wouldRefuse[reason.ordinal()].sum(); }
    @Override public long wouldWait() { return wouldWait.sum(); }
    @Override public long tokensReserved() { return reservedTotal() - reservedBase; }

    // The returned side is read first: a permit is issued before it is returned, so a return is never counted
    // without its admission.
    private long admittedTotal() {
        long r = returned.sum();
        return gate.admissionCount() - r;
    }

    private long reservedTotal() {
        long r = returnedTokens.sum();
        return gate.reservedCount() - r;
    }
    @Override public long tokensCharged() { return tokensCharged.sum(); }
    @Override public long totalWaitNanos() { return totalWaitNanos.sum(); }
    @Override public long maxWaitNanos() { return maxWaitNanos.get(); }
    @Override public long waits() { return waits.sum(); }

    /** Average wait since the last reset, or 0. Cheap: for refusal hints on the call path. */
    long averageWaitNanos() {
        long n = waits.sum();
        return n == 0 ? 0 : totalWaitNanos.sum() / n;
    }

    // ---- windowed figures

    @Override
    public double enqueueRate() {
        return window(0);
    }

    @Override
    public double dequeueRate() {
        return window(1);
    }

    @Override
    public double recentAverageWaitMillis() {
        return window(2);
    }

    private synchronized double window(int what) {
        long now = clock.nanoTime();
        long enq = enqueued.sum();
        long deq = dequeued.sum();
        long wn = totalWaitNanos.sum();
        long w = waits.sum();
        // The reference: the oldest snapshot within the window, else the newest older one.
        int ref = -1;
        for (int k = 0; k < snapCount; k++) {
            int i = Math.floorMod(snapNewest - k, SNAPSHOTS);
            ref = i;
            if (now - snapAt[i] >= WINDOW_NANOS) break;
        }
        double result = 0;
        if (ref >= 0) {
            long dt = now - snapAt[ref];
            switch (what) {
                case 0:
                    result = dt <= 0 ? 0 : (enq - snapEnqueued[ref]) * 1e9 / dt;
                    break;
                case 1:
                    result = dt <= 0 ? 0 : (deq - snapDequeued[ref]) * 1e9 / dt;
                    break;
                default:
                    long dw = w - snapWaits[ref];
                    result = dw <= 0 ? 0 : (wn - snapWaitNanos[ref]) / 1e6 / dw;
            }
        }
        if (snapCount == 0 || now - snapAt[snapNewest] >= SNAPSHOT_SPACING_NANOS) {
            snapNewest = (snapNewest + 1) % SNAPSHOTS;
            snapAt[snapNewest] = now;
            snapEnqueued[snapNewest] = enq;
            snapDequeued[snapNewest] = deq;
            snapWaitNanos[snapNewest] = wn;
            snapWaits[snapNewest] = w;
            snapCount = Math.min(snapCount + 1, SNAPSHOTS);
        }
        return Math.max(0, result);
    }

    @Override
    public void reset() {
        admittedBase = admittedTotal();
        reservedBase = reservedTotal();
        for (LongAdder a : new LongAdder[] {completed, enqueued, dequeued, upstreamRateLimited, failures,
                reclaimedLeases, wouldWait, tokensCharged, totalWaitNanos, waits}) {
            a.reset();
        }
        for (LongAdder a : refused) a.reset();
        for (LongAdder a : wouldRefuse) a.reset();
        maxWaitNanos.reset();
        synchronized (this) {
            snapCount = 0;
            snapNewest = -1;
        }
    }
}
