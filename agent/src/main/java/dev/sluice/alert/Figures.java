package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.RefusalReason;

/**
 * One endpoint's figures at one sampler tick: the gate's live values plus what the sampler derives from counter
 * deltas over the recent window (rates per second, recent average and longest wait). Immutable; alert rules
 * are evaluated against it and the endpoint MBean serves the windowed values from it.
 */
public final class Figures {
    /** Figures of an endpoint the sampler has not seen yet: everything zero, breaker closed. */
    public static final Figures EMPTY = new Figures();

    // live, read from the monitor at the tick
    long atNanos;
    int queueDepth;
    int queueCapacity;
    int inFlight;
    double utilization;
    boolean congested;
    BreakerState breaker = BreakerState.CLOSED;
    boolean paused;
    long availableRequests = -1;
    long availableTokens = -1;
    long rejected;
    long upstream429;
    long failures;
    long admitted;
    long breakerTransitions;
    long congestionEpisodes;
    double avgWaitTotalNanos;
    long maxWaitTotalNanos;

    // windowed
    double windowSeconds;
    double enqueueRate;
    double dequeueRate;
    double admitRate;
    double completeRate;
    double rejectRate;
    final double[] rejectRateByReason = new double[RefusalReason.count()];
    double wouldRejectRate;
    double upstream429Rate;
    double failureRate;
    double avgWaitNanos;
    long maxWaitNanos;

    Figures() {
    }

    public long atNanos() { return atNanos; }
    public int queueDepth() { return queueDepth; }
    public int inFlight() { return inFlight; }
    public double utilization() { return utilization; }
    public boolean congested() { return congested; }
    public BreakerState breaker() { return breaker; }
    public long breakerTransitions() { return breakerTransitions; }
    public long congestionEpisodes() { return congestionEpisodes; }

    /** The span the windowed figures cover, in seconds (shorter than the window just after start or a reset). */
    public double windowSeconds() { return windowSeconds; }
    public double enqueueRate() { return enqueueRate; }
    public double dequeueRate() { return dequeueRate; }
    public double admitRate() { return admitRate; }
    public double completeRate() { return completeRate; }
    public double rejectRate() { return rejectRate; }
    public double rejectRate(RefusalReason r) { return rejectRateByReason[r.ordinal()]; }
    public double wouldRejectRate() { return wouldRejectRate; }
    public double upstream429Rate() { return upstream429Rate; }
    public double failureRate() { return failureRate; }
    /** Average wait of the callers that left the waiting room during the window; 0 when none did. */
    public double avgWaitNanos() { return avgWaitNanos; }
    /** Longest wait that ended during the window (see {@link EndpointSampler} for how exact it is). */
    public long maxWaitNanos() { return maxWaitNanos; }
}
