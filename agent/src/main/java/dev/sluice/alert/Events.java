package dev.sluice.alert;

import dev.sluice.core.BreakerState;

/**
 * State changes the watcher reports, on its own thread, once per change. The JMX layer turns them into
 * notifications; logging is the watcher's own business. Implementations must be quick and must not throw.
 */
public interface Events {
    void breaker(String endpoint, BreakerState from, BreakerState to, Figures figures);

    void congestion(String endpoint, boolean congested, Figures figures);

    /** An alert fired ({@code status.firing()}) or recovered; only rules whose action notifies are reported. */
    void alert(AlertStatus status);

    Events NONE = new Events() {
        @Override public void breaker(String endpoint, BreakerState from, BreakerState to, Figures figures) { }
        @Override public void congestion(String endpoint, boolean congested, Figures figures) { }
        @Override public void alert(AlertStatus status) { }
    };
}
