package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.GateMonitor;
import dev.sluice.core.RefusalReason;

/** A monitor whose figures the test sets. */
class FakeMonitor implements GateMonitor {
    long availableRequests = -1;
    long availableTokens = -1;
    int inFlight;
    int queueDepth;
    boolean congested;
    BreakerState breaker = BreakerState.CLOSED;
    double utilization;
    long pausedFor;
    long admitted, completed, enqueued, dequeued, upstream429, failures, reclaimed, wouldWait;
    final long[] refused = new long[RefusalReason.count()];
    final long[] would = new long[RefusalReason.count()];
    long tokensReserved, tokensCharged, totalWaitNanos, maxWaitNanos, waits;

    /** One caller waited {@code nanos} and left the room. */
    void waited(long nanos) {
        waits++;
        totalWaitNanos += nanos;
        maxWaitNanos = Math.max(maxWaitNanos, nanos);
        dequeued++;
    }

    @Override public long availableRequests() { return availableRequests; }
    @Override public long availableTokens() { return availableTokens; }
    @Override public int inFlight() { return inFlight; }
    @Override public int queueDepth() { return queueDepth; }
    @Override public boolean congested() { return congested; }
    @Override public BreakerState breakerState() { return breaker; }
    @Override public double utilization() { return utilization; }
    @Override public long pausedForNanos() { return pausedFor; }
    @Override public long admitted() { return admitted; }
    @Override public long completed() { return completed; }
    @Override public long enqueued() { return enqueued; }
    @Override public long dequeued() { return dequeued; }
    @Override public long refused(RefusalReason reason) { return refused[reason.ordinal()]; }
    @Override public long refusedTotal() { long s = 0; for (long r : refused) s += r; return s; }
    @Override public long upstreamRateLimited() { return upstream429; }
    @Override public long failures() { return failures; }
    @Override public long reclaimedLeases() { return reclaimed; }
    @Override public long wouldRefuse(RefusalReason reason) { return would[reason.ordinal()]; }
    @Override public long wouldWait() { return wouldWait; }
    @Override public long tokensReserved() { return tokensReserved; }
    @Override public long tokensCharged() { return tokensCharged; }
    @Override public long totalWaitNanos() { return totalWaitNanos; }
    @Override public long maxWaitNanos() { return maxWaitNanos; }
    @Override public long waits() { return waits; }

    // The core's own windowed figures (the sampler does not use them); no @Override so this compiles before and after.
    public double enqueueRate() { return 0; }
    public double dequeueRate() { return 0; }
    public double recentAverageWaitMillis() { return 0; }

    @Override
    public void reset() {
        admitted = completed = enqueued = dequeued = upstream429 = failures = reclaimed = wouldWait = 0;
        java.util.Arrays.fill(refused, 0);
        java.util.Arrays.fill(would, 0);
        tokensReserved = tokensCharged = totalWaitNanos = maxWaitNanos = waits = 0;
    }
}
