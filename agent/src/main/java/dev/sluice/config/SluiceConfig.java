package dev.sluice.config;

import dev.sluice.core.Mode;
import dev.sluice.log.SluiceLog;

import java.util.List;

/**
 * The whole validated configuration, immutable.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class SluiceConfig {
    private SluiceConfig() {
        throw new UnsupportedOperationException("stub");
    }

    /** sluice.enabled */
    public boolean enabled() { throw new UnsupportedOperationException("stub"); }

    /** sluice.mode: ENFORCE or OBSERVE (the default of each endpoint's mode). */
    public Mode mode() { throw new UnsupportedOperationException("stub"); }

    /** sluice.reload in nanos; 0 = off. */
    public long reloadNanos() { throw new UnsupportedOperationException("stub"); }

    /** sluice.jmx */
    public boolean jmx() { throw new UnsupportedOperationException("stub"); }

    /** sluice.log.level; null when not set. */
    public SluiceLog.Level logLevel() { throw new UnsupportedOperationException("stub"); }

    /** In the order of their ids' first appearance. */
    public List<EndpointConfig> endpoints() { throw new UnsupportedOperationException("stub"); }

    /** sluice.client.<name>.enabled (default true). */
    public boolean clientEnabled(String clientName) { throw new UnsupportedOperationException("stub"); }

    /** sluice.alert.<name>.* */
    public List<AlertConfig> alerts() { throw new UnsupportedOperationException("stub"); }
}
