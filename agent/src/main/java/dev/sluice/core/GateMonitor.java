package dev.sluice.core;

/**
 * Live figures of one gate, read by JMX. Counters are striped (LongAdder-style): cheap to bump on the call path.
 *
 * API CONTRACT (implementation owned by the core).
 */
public interface GateMonitor {
    long availableRequests();   // RPM bucket now (-1 when unlimited)
    long availableTokens();     // TPM bucket now (-1 when unlimited)
    int inFlight();
    int queueDepth();
    boolean congested();
    BreakerState breakerState();
    /** max(waiting-room fill, slot use when max-concurrent is set), 0..1: what shedding compares with. */
    double utilization();
    /** Pause left in nanos (0 = not paused). */
    long pausedForNanos();

    long admitted();
    long completed();
    long enqueued();
    long dequeued();
    long refused(RefusalReason reason);
    long refusedTotal();
    long upstreamRateLimited();
    long failures();
    long reclaimedLeases();
    /** In observe mode: calls that would have been refused, by reason. */
    long wouldRefuse(RefusalReason reason);
    /** In observe mode: calls that would have waited. */
    long wouldWait();

    long tokensReserved();
    long tokensCharged();
    long totalWaitNanos();
    long maxWaitNanos();
    /** Calls that waited in the room (admitted after waiting, or refused after waiting). */
    long waits();

    void reset();
}
