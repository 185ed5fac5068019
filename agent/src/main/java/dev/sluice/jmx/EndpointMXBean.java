package dev.sluice.jmx;

import java.util.Map;

/**
 * {@code dev.sluice:type=Endpoint,name=<id>}. Setters change the live limits (effective on the next call, bucket
 * state kept) and are reported as differing from the file until the next reload. Open types only, so any JMX
 * client (JConsole) reads and writes them without Sluice's classes.
 */
public interface EndpointMXBean {
    // ---- writable limits
    long getRpm();
    void setRpm(long rpm);
    long getTpm();
    void setTpm(long tpm);
    double getBurst();
    void setBurst(double burst);
    int getMaxConcurrent();
    void setMaxConcurrent(int maxConcurrent);
    int getQueueCapacity();
    void setQueueCapacity(int capacity);
    /** queue.max-wait: the longest a caller may wait. */
    long getMaxWaitMillis();
    void setMaxWaitMillis(long millis);
    /** The utilization at which low-priority calls are shed (shed.threshold). */
    double getShedThreshold();
    void setShedThreshold(double threshold);
    /** enforce, observe or off. */
    String getMode();
    void setMode(String mode);

    // ---- live figures
    String getProvider();
    String[] getMatch();
    long getAvailableRequests();
    long getAvailableTokens();
    int getInFlight();
    int getQueueDepth();
    double getUtilization();
    boolean isCongested();
    String getBreakerState();
    long getPausedForMillis();
    long getAdmitted();
    long getCompleted();
    long getEnqueued();
    long getDequeued();
    long getRejected();
    /** Refusals by reason: breaker-open, shed, queue-full, dropped, wait-too-long, timeout. */
    Map<String, Long> getRejectedByReason();
    long getDropped();
    long getShed();
    long getUpstream429();
    long getFailures();
    long getReclaimedLeases();
    /** Observe mode: what would have been refused, by reason. */
    Map<String, Long> getWouldRejectByReason();
    long getWouldWait();
    long getTokensReserved();
    long getTokensCharged();
    double getAvgWaitMillis();
    /** The longest wait any caller has had since the last reset (queue.max-wait is {@link #getMaxWaitMillis}). */
    long getLongestWaitMillis();
    long getFaults();

    // ---- windowed figures (sliding window of StatsWindowSeconds, sampled every 250 ms off the call path)
    /** Callers entering the waiting room, per second. */
    double getEnqueueRate();
    /** Callers leaving the waiting room (admitted or refused), per second. */
    double getDequeueRate();
    double getAdmitRate();
    /** Refusals by Sluice, every reason, per second. */
    double getRejectRate();
    /** Observe mode: would-be refusals per second. */
    double getWouldRejectRate();
    double getUpstream429Rate();
    /** Average wait of the callers that left the waiting room during the window (AvgWaitMillis: since reset). */
    double getRecentAvgWaitMillis();
    /** Longest wait that ended during the window (LongestWaitMillis: since reset). */
    long getRecentLongestWaitMillis();
    /** The window the rates and recent waits cover, in seconds (shorter just after start or resetStats). */
    double getStatsWindowSeconds();
    /** Breaker state changes since the last reset. */
    long getBreakerTransitions();
    /** Times the endpoint became congested since the last reset. */
    long getCongestionEpisodes();
    /** Observe mode: calls that would have been refused, every reason. */
    long getWouldRejected();
    /** Whether an alert's shed-low action is refusing low-priority calls now. */
    boolean isShedLowForced();
    /** Alerts that are firing on this endpoint now. */
    String[] getFiringAlerts();

    // ---- the provider's own view, from its last rate-limit headers (-1 = not reported)
    long getProviderRemainingRequests();
    long getProviderRemainingTokens();
    long getProviderLimitRequests();
    long getProviderLimitTokens();
    /** Age of that view in milliseconds; -1 = never seen. */
    long getProviderViewAgeMillis();
    /**
     * The refill rate (per minute) the provider's headers show its request bucket has, when below the configured Rpm:
     * the local bucket refills at this rate instead. 0 = none learned (the configured rate applies).
     */
    long getProviderRequestRate();
    /** As {@link #getProviderRequestRate()}, for tokens against Tpm. */
    long getProviderTokenRate();

    // ---- reservation accounting: the tokens reserved at admission (TokensReserved) against what the calls were
    // finally charged (TokensCharged), from the provider's reported usage and its charging rule
    /** tokens.estimator: chars or tiktoken. */
    String getEstimator();
    /** Calls whose charge differed from their reservation: refunds plus extra charges. */
    long getTokenCorrections();
    /** Calls charged less than reserved; the difference went back to the TPM bucket. */
    long getTokenRefunds();
    long getTokensRefunded();
    /** Calls charged more than reserved; the difference was taken from the TPM bucket afterwards. */
    long getTokenExtraCharges();
    long getTokensExtraCharged();
    /** Mean |estimated - reported| / reported prompt tokens, in percent, over the last 256 calls that reported usage. */
    double getEstimatorErrorPercent();
    /** Mean (estimated - reported) / reported prompt tokens, in percent: positive = the estimator overestimates. */
    double getEstimatorBiasPercent();
    /** Calls whose reported prompt was compared with the estimate. */
    long getEstimatorSamples();

    // ---- operations
    void resetBreaker();
    void openBreaker();
    void pause(long millis);
    void resume();
    void resetStats();
}
