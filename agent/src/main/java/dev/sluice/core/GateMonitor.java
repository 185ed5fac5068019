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
    /**
     * What shedding compares with, 0..1: (in flight + waiting) / (max-concurrent + queue capacity) when
     * max-concurrent is set, else waiting / queue capacity (0 when that is 0). See {@link Gate}.
     */
    double utilization();
    /** Pause left in nanos (0 = not paused). */
    long pausedForNanos();

    long admitted();
    long completed();
    /** Callers that entered the waiting room. */
    long enqueued();
    /** Callers that left the waiting room, whatever the way (admitted, refused, dropped, cancelled). */
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

    /** Callers entering the waiting room per second, over about the last 10 s (as of the previous reads). */
    double enqueueRate();

    /** Callers leaving the waiting room per second, over about the last 10 s (as of the previous reads). */
    double dequeueRate();

    /** Average wait of the callers that left the room over about the last 10 s, in milliseconds (0 if none). */
    double recentAverageWaitMillis();

    /** Zeroes the counters (gauges are live and unaffected). */
    void reset();
}
