package dev.sluice.jmx;

import dev.sluice.alert.AlertStatus;
import dev.sluice.alert.Figures;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.FaultInjection;
import dev.sluice.core.GateLimits;
import dev.sluice.core.GateMonitor;
import dev.sluice.core.Mode;
import dev.sluice.core.RefusalReason;

import javax.management.MBeanNotificationInfo;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Reads and writes one endpoint's gate. Writes build new immutable limits and swap them in. Sends this
 * endpoint's breaker, congestion and alert notifications (the Agent MBean sends them too, for every endpoint).
 */
final class EndpointMBeanImpl extends NotificationBroadcasterSupport implements EndpointMXBean {
    private final EndpointRuntime endpoint;
    private final ObjectName name;
    private final AtomicLong sequence = new AtomicLong();

    EndpointMBeanImpl(EndpointRuntime endpoint, ObjectName name) {
        this.endpoint = endpoint;
        this.name = name;
    }

    EndpointRuntime endpoint() {
        return endpoint;
    }

    ObjectName name() {
        return name;
    }

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    @Override
    public MBeanNotificationInfo[] getNotificationInfo() {
        return Notifications.endpointInfo();
    }

    private Figures figures() {
        return JmxSupport.figures(endpoint.id());
    }

    private GateLimits limits() {
        return endpoint.gate().limits();
    }

    private GateMonitor monitor() {
        FaultInjection.check(FaultInjection.Step.JMX_READ);
        return endpoint.gate().monitor();
    }

    /** One write: builder checks throw IllegalArgumentException with a message JConsole shows. */
    private synchronized void update(UnaryOperator<GateLimits.Builder> change) {
        GateLimits before = limits();
        GateLimits next = change.apply(before.toBuilder()).build();
        endpoint.gate().setLimits(next);
        List<String> changed = LimitsDiff.diff(before, next, "was");
        if (!changed.isEmpty()) {
            dev.sluice.log.SluiceLog.info("endpoint '" + endpoint.id() + "' changed over JMX: " + String.join(", ", changed));
        }
    }

    @Override public long getRpm() { return limits().rpm(); }
    @Override public void setRpm(long v) { update(b -> b.rpm(v)); }
    @Override public long getTpm() { return limits().tpm(); }
    @Override public void setTpm(long v) { update(b -> b.tpm(v)); }
    @Override public double getBurst() { return limits().burst(); }
    @Override public void setBurst(double v) { update(b -> b.burst(v)); }
    @Override public int getMaxConcurrent() { return limits().maxConcurrent(); }
    @Override public void setMaxConcurrent(int v) { update(b -> b.maxConcurrent(v)); }
    @Override public int getQueueCapacity() { return limits().queueCapacity(); }
    @Override public void setQueueCapacity(int v) { update(b -> b.queueCapacity(v)); }
    @Override public long getMaxWaitMillis() { return limits().maxWaitNanos() / 1_000_000L; }
    @Override public void setMaxWaitMillis(long v) { update(b -> b.maxWaitNanos(Math.multiplyExact(v, 1_000_000L))); }
    @Override public double getShedThreshold() { return limits().shedThreshold(dev.sluice.core.Priority.LOW); }
    @Override public void setShedThreshold(double v) { update(b -> b.shedLow(v)); }
    @Override public String getMode() { return limits().mode().label(); }

    @Override
    public void setMode(String v) {
        Mode m = Mode.parse(v);
        if (m == null) throw new IllegalArgumentException("mode must be enforce, observe or off, was " + v);
        update(b -> b.mode(m));
    }

    @Override public String getProvider() { return endpoint.config().provider().label(); }
    @Override public String[] getMatch() { List<String> m = endpoint.config().match(); return m.toArray(new String[0]); }
    @Override public long getAvailableRequests() { return monitor().availableRequests(); }
    @Override public long getAvailableTokens() { return monitor().availableTokens(); }
    @Override public int getInFlight() { return monitor().inFlight(); }
    @Override public int getQueueDepth() { return monitor().queueDepth(); }
    @Override public double getUtilization() { return monitor().utilization(); }
    @Override public boolean isCongested() { return monitor().congested(); }
    @Override public String getBreakerState() { return monitor().breakerState().label(); }
    @Override public long getPausedForMillis() { return monitor().pausedForNanos() / 1_000_000L; }
    @Override public long getAdmitted() { return monitor().admitted(); }
    @Override public long getCompleted() { return monitor().completed(); }
    @Override public long getEnqueued() { return monitor().enqueued(); }
    @Override public long getDequeued() { return monitor().dequeued(); }
    @Override public long getRejected() { return monitor().refusedTotal(); }
    @Override public Map<String, Long> getRejectedByReason() { return byReason(false); }
    @Override public long getDropped() { return monitor().refused(RefusalReason.DROPPED); }
    @Override public long getShed() { return monitor().refused(RefusalReason.SHED); }
    @Override public long getUpstream429() { return monitor().upstreamRateLimited(); }
    @Override public long getFailures() { return monitor().failures(); }
    @Override public long getReclaimedLeases() { return monitor().reclaimedLeases(); }
    @Override public Map<String, Long> getWouldRejectByReason() { return byReason(true); }
    @Override public long getWouldWait() { return monitor().wouldWait(); }
    @Override public long getTokensReserved() { return monitor().tokensReserved(); }
    @Override public long getTokensCharged() { return monitor().tokensCharged(); }

    @Override
    public double getAvgWaitMillis() {
        GateMonitor m = monitor();
        long waits = m.waits();
        return waits == 0 ? 0.0 : m.totalWaitNanos() / 1e6 / waits;
    }

    @Override public long getLongestWaitMillis() { return monitor().maxWaitNanos() / 1_000_000L; }
    @Override public long getFaults() { return endpoint.faults(); }
    @Override public long getProviderRemainingRequests() { return endpoint.providerView().requestsRemaining(); }
    @Override public long getProviderRemainingTokens() { return endpoint.providerView().tokensRemaining(); }
    @Override public long getProviderLimitRequests() { return endpoint.providerView().requestsLimit(); }
    @Override public long getProviderLimitTokens() { return endpoint.providerView().tokensLimit(); }

    @Override
    public long getProviderViewAgeMillis() {
        long at = endpoint.providerViewAtMillis();
        return at == 0 ? -1 : System.currentTimeMillis() - at;
    }

    @Override public String getEstimator() { return endpoint.config().estimator().label(); }

    @Override
    public long getTokenCorrections() {
        return endpoint.reservations().refunds() + endpoint.reservations().extraCharges();
    }

    @Override public long getTokenRefunds() { return endpoint.reservations().refunds(); }
    @Override public long getTokensRefunded() { return endpoint.reservations().refundedTokens(); }
    @Override public long getTokenExtraCharges() { return endpoint.reservations().extraCharges(); }
    @Override public long getTokensExtraCharged() { return endpoint.reservations().extraChargedTokens(); }
    @Override public double getEstimatorErrorPercent() { return endpoint.reservations().meanAbsoluteErrorPercent(); }
    @Override public double getEstimatorBiasPercent() { return endpoint.reservations().meanErrorPercent(); }
    @Override public long getEstimatorSamples() { return endpoint.reservations().samples(); }

    @Override public long getProviderRequestRate() { return endpoint.gate().providerRequestRate(); }
    @Override public long getProviderTokenRate() { return endpoint.gate().providerTokenRate(); }

    @Override public void resetBreaker() { endpoint.gate().resetBreaker(); }
    @Override public void openBreaker() { endpoint.gate().openBreaker(); }

    @Override
    public void pause(long millis) {
        if (millis <= 0) throw new IllegalArgumentException("pause takes a positive number of milliseconds");
        endpoint.gate().pauseFor(Math.multiplyExact(millis, 1_000_000L));
    }

    @Override public void resume() { endpoint.gate().resume(); }
    @Override
    public void resetStats() {
        monitor().reset();
        endpoint.reservations().reset();
        JmxSupport.resetWindow(endpoint.id());
    }

    @Override public double getEnqueueRate() { return figures().enqueueRate(); }
    @Override public double getDequeueRate() { return figures().dequeueRate(); }
    @Override public double getAdmitRate() { return figures().admitRate(); }
    @Override public double getRejectRate() { return figures().rejectRate(); }
    @Override public double getWouldRejectRate() { return figures().wouldRejectRate(); }
    @Override public double getUpstream429Rate() { return figures().upstream429Rate(); }
    @Override public double getRecentAvgWaitMillis() { return figures().avgWaitNanos() / 1e6; }
    @Override public long getRecentLongestWaitMillis() { return figures().maxWaitNanos() / 1_000_000L; }
    @Override public double getStatsWindowSeconds() { return figures().windowSeconds(); }
    @Override public long getBreakerTransitions() { return figures().breakerTransitions(); }
    @Override public long getCongestionEpisodes() { return figures().congestionEpisodes(); }

    @Override
    public long getWouldRejected() {
        long sum = 0;
        GateMonitor m = monitor();
        for (RefusalReason r : RefusalReason.values()) sum += m.wouldRefuse(r);
        return sum;
    }

    @Override public boolean isShedLowForced() { return !JmxSupport.sheddingLow(endpoint.id()).isEmpty(); }

    @Override
    public String[] getFiringAlerts() {
        List<String> out = new ArrayList<>();
        for (AlertStatus s : JmxSupport.alerts()) if (s.firing() && s.endpoint().equals(endpoint.id())) out.add(s.rule());
        return out.toArray(new String[0]);
    }

    private Map<String, Long> byReason(boolean would) {
        Map<String, Long> m = new LinkedHashMap<>();
        GateMonitor mon = monitor();
        for (RefusalReason r : RefusalReason.values()) m.put(r.label(), would ? mon.wouldRefuse(r) : mon.refused(r));
        return m;
    }
}
