package dev.sluice.client;

import dev.sluice.config.EndpointConfig;
import dev.sluice.core.Gate;
import dev.sluice.core.Mode;
import dev.sluice.provider.ProviderProfile;
import dev.sluice.provider.RateLimitInfo;
import dev.sluice.store.RedisQuotaStore;
import dev.sluice.store.StoreStatus;
import dev.sluice.store.Stores;

import java.util.List;
import java.util.Objects;
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
    /** The shared quota store (store=redis://...); null = the gate's own buckets. */
    private volatile RedisQuotaStore store;
    private List<Object> storeSettings = List.of(EndpointConfig.LOCAL_STORE);

    EndpointRuntime(EndpointConfig config, Gate gate) {
        this.config = config;
        this.gate = gate;
        this.profile = ProviderProfile.of(config.provider());
        applyStore(config);
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

    void providerView(RateLimitInfo info, long nowMillis) {
        providerView = info;
        providerViewAtMillis = nowMillis;
    }

    /** Reserved versus charged tokens, corrections, estimator error. */
    public ReservationStats reservations() {
        return reservations;
    }

    public long faults() {
        return faults.sum();
    }

    /** The quota store's figures for JMX: local, or the shared store's state. */
    public StoreStatus storeStatus() {
        RedisQuotaStore s = store;
        return s == null ? StoreStatus.LOCAL : s;
    }

    /** Applies a new configuration of the same endpoint id: limits swapped in, state kept. */
    void reconfigure(EndpointConfig next) {
        this.config = next;
        this.profile = ProviderProfile.of(next.provider());
        gate.setLimits(next.limits());
        applyStore(next);
    }

    /** Moves the RPM/TPM quota to the store the configuration names, when that changed. */
    private synchronized void applyStore(EndpointConfig c) {
        List<Object> settings = List.of(c.store(), c.storeQuota(), c.storeTimeoutNanos(),
                Objects.toString(c.storePasswordEnv()), c.storeFallbackShare());
        if (EndpointConfig.LOCAL_STORE.equals(c.store())) settings = List.of(EndpointConfig.LOCAL_STORE);
        if (settings.equals(storeSettings)) return;
        RedisQuotaStore old = store;
        RedisQuotaStore next = null;
        try {
            next = Stores.open(c, gate.limits(), System.getenv());
        } catch (Throwable t) {
            Faults.record(this, "quota store", t);
        }
        gate.setQuotaStore(next);
        store = next;
        storeSettings = settings;
        if (old != null) old.close();
    }

    /** The endpoint is gone (a reload removed it): its shared store lets go of Redis. */
    void close() {
        RedisQuotaStore s = store;
        store = null;
        if (s != null) {
            gate.setQuotaStore(null);
            s.close();
        }
    }
}
