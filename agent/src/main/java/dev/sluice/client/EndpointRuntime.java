package dev.sluice.client;

import dev.sluice.config.EndpointConfig;
import dev.sluice.core.Gate;
import dev.sluice.core.Mode;
import dev.sluice.provider.ProviderProfile;
import dev.sluice.provider.RateLimitInfo;

import java.util.concurrent.atomic.LongAdder;

/**
 * One configured endpoint at run time: its (replaceable) configuration, its gate, and its provider profile.
 * The gate lives as long as the endpoint id does, so a reload or JMX write keeps bucket state.
 */
public final class EndpointRuntime {
    private volatile EndpointConfig config;
    private volatile ProviderProfile profile;
    private final Gate gate;
    final LongAdder faults = new LongAdder();
    private final ReservationStats reservations = new ReservationStats();
    private volatile RateLimitInfo providerView = RateLimitInfo.NONE;
    private volatile long providerViewAtMillis;

    EndpointRuntime(EndpointConfig config, Gate gate) {
        this.config = config;
        this.gate = gate;
        this.profile = ProviderProfile.of(config.provider());
    }

    public String id() {
        return config.id();
    }

    public EndpointConfig config() {
        return config;
    }

    public Gate gate() {
        return gate;
    }

    public ProviderProfile profile() {
        return profile;
    }

    /** Current mode, including live JMX changes (they live in the gate's limits). */
    public Mode mode() {
        return gate.limits().mode();
    }

    /** The provider's own view of the quota, from the last response that carried rate-limit headers. */
    public RateLimitInfo providerView() {
        return providerView;
    }

    /** When {@link #providerView()} was read (epoch millis; 0 = never). */
    public long providerViewAtMillis() {
        return providerViewAtMillis;
    }

    void providerView(RateLimitInfo info) {
        providerView = info;
        providerViewAtMillis = System.currentTimeMillis();
    }

    /** Reserved versus charged tokens, corrections, estimator error. */
    public ReservationStats reservations() {
        return reservations;
    }

    public long faults() {
        return faults.sum();
    }

    /** Applies a new configuration of the same endpoint id: limits swapped in, state kept. */
    void reconfigure(EndpointConfig next) {
        this.config = next;
        this.profile = ProviderProfile.of(next.provider());
        gate.setLimits(next.limits());
    }
}
