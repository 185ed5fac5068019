package dev.sluice.client;

import dev.sluice.config.EndpointConfig;
import dev.sluice.config.EndpointMatcher;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.Gate;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The active configuration: the endpoint matcher and each endpoint's runtime. Immutable once built; a reload
 * builds a new one that reuses the gates of the endpoint ids it keeps, and {@link Sluice} swaps it in.
 */
public final class SluiceRuntime {
    private final SluiceConfig config;
    private final EndpointMatcher matcher;
    private final Map<String, EndpointRuntime> endpoints;
    /** The runtimes in the order of {@code config.endpoints()}, the matcher's indexes. */
    private final EndpointRuntime[] byIndex;

    private SluiceRuntime(SluiceConfig config, Map<String, EndpointRuntime> endpoints) {
        this.config = config;
        this.matcher = new EndpointMatcher(config.endpoints());
        this.endpoints = Collections.unmodifiableMap(endpoints);
        this.byIndex = new EndpointRuntime[config.endpoints().size()];
        for (int i = 0; i < byIndex.length; i++) byIndex[i] = endpoints.get(config.endpoints().get(i).id());
    }

    public static SluiceRuntime build(SluiceConfig config, SluiceRuntime previous) {
        Map<String, EndpointRuntime> map = new LinkedHashMap<>();
        for (EndpointConfig ec : config.endpoints()) {
            EndpointRuntime old = previous == null ? null : previous.endpoints.get(ec.id());
            if (old != null) {
                old.reconfigure(ec);
                map.put(ec.id(), old);
            } else {
                map.put(ec.id(), new EndpointRuntime(ec, new Gate(ec.id(), ec.limits())));
            }
        }
        if (previous != null) {
            for (EndpointRuntime old : previous.endpoints.values()) {
                if (!map.containsKey(old.id())) old.close(); // removed: its shared store lets go of Redis
            }
        }
        return new SluiceRuntime(config, map);
    }

    public SluiceConfig config() {
        return config;
    }

    /**
     * The endpoint for a URL, or null. Allocation-free: it runs on every outbound call of the application. By index,
     * not by id: a map lookup here showed in a profile of a loopback load run.
     */
    public EndpointRuntime match(String scheme, String host, int port, String rawPath) {
        return match(scheme, host, port, rawPath, 0);
    }

    /**
     * As {@link #match(String, String, int, String)}, the path read in place from {@code text}
     * ({@link EndpointMatcher#matchIndex(String, String, int, String, int)}).
     */
    public EndpointRuntime match(String scheme, String host, int port, String text, int pathStart) {
        int i = matcher.matchIndex(scheme, host, port, text, pathStart);
        return i < 0 ? null : byIndex[i];
    }

    public EndpointRuntime endpoint(String id) {
        return endpoints.get(id);
    }

    public Collection<EndpointRuntime> endpoints() {
        return endpoints.values();
    }
}
