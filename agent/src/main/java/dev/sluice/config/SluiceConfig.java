package dev.sluice.config;

import dev.sluice.core.Mode;
import dev.sluice.log.SluiceLog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole validated configuration, immutable. The loader builds it; code and tests may use {@link #builder()}.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class SluiceConfig {
    public static final long DEFAULT_RELOAD_NANOS = 5_000_000_000L;

    private final boolean enabled;
    private final Mode mode;
    private final long reloadNanos;
    private final boolean jmx;
    private final SluiceLog.Level logLevel;
    private final List<EndpointConfig> endpoints;
    private final Map<String, Boolean> clients;
    private final List<AlertConfig> alerts;

    private SluiceConfig(Builder b) {
        this.enabled = b.enabled;
        this.mode = b.mode;
        this.reloadNanos = b.reloadNanos;
        this.jmx = b.jmx;
        this.logLevel = b.logLevel;
        this.endpoints = List.copyOf(b.endpoints);
        this.clients = Map.copyOf(b.clients);
        this.alerts = List.copyOf(b.alerts);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every default, no endpoint. */
    public static SluiceConfig defaults() {
        return new Builder().build();
    }

    /** sluice.enabled */
    public boolean enabled() { return enabled; }

    /** sluice.mode: ENFORCE or OBSERVE (the default of each endpoint's mode). */
    public Mode mode() { return mode; }

    /** sluice.reload in nanos; 0 = off. */
    public long reloadNanos() { return reloadNanos; }

    /** sluice.jmx */
    public boolean jmx() { return jmx; }

    /** sluice.log.level; null when not set. */
    public SluiceLog.Level logLevel() { return logLevel; }

    /** In the order of their ids' first appearance. */
    public List<EndpointConfig> endpoints() { return endpoints; }

    /** The endpoint of this id, or null. */
    public EndpointConfig endpoint(String id) {
        for (EndpointConfig e : endpoints) if (e.id().equals(id)) return e;
        return null;
    }

    /**
     * sluice.client.<name>.enabled (default true). Names compare ignoring case, and '-' equals '_' (an environment
     * variable cannot tell them apart).
     */
    public boolean clientEnabled(String clientName) {
        if (clientName == null) return true;
        Boolean b = clients.get(clientKey(clientName));
        return b == null || b;
    }

    static String clientKey(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** sluice.alert.<name>.* */
    public List<AlertConfig> alerts() { return alerts; }

    public static final class Builder {
        private boolean enabled = true;
        private Mode mode = Mode.ENFORCE;
        private long reloadNanos = DEFAULT_RELOAD_NANOS;
        private boolean jmx = true;
        private SluiceLog.Level logLevel;
        private final List<EndpointConfig> endpoints = new ArrayList<>();
        private final Map<String, Boolean> clients = new HashMap<>();
        private final List<AlertConfig> alerts = new ArrayList<>();

        private Builder() {
        }

        public Builder enabled(boolean v) { enabled = v; return this; }

        /** ENFORCE or OBSERVE; OFF is per endpoint only (sluice.enabled=false switches everything off). */
        public Builder mode(Mode v) {
            if (v != Mode.ENFORCE && v != Mode.OBSERVE) throw new IllegalArgumentException("sluice.mode must be enforce or observe");
            mode = v;
            return this;
        }

        public Builder reloadNanos(long v) {
            if (v < 0) throw new IllegalArgumentException("sluice.reload must be >= 0 (0 = off), was " + v);
            reloadNanos = v;
            return this;
        }

        public Builder jmx(boolean v) { jmx = v; return this; }
        public Builder logLevel(SluiceLog.Level v) { logLevel = v; return this; }

        /** @throws IllegalArgumentException when an endpoint of the same id is already there */
        public Builder endpoint(EndpointConfig e) {
            for (EndpointConfig x : endpoints) {
                if (x.id().equals(e.id())) throw new IllegalArgumentException("endpoint " + e.id() + " is already defined");
            }
            endpoints.add(e);
            return this;
        }

        public Builder clientEnabled(String name, boolean v) { clients.put(clientKey(name), v); return this; }
        public Builder alert(AlertConfig a) { alerts.add(a); return this; }

        public SluiceConfig build() {
            return new SluiceConfig(this);
        }
    }
}
