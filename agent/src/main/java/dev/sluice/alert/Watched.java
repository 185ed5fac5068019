package dev.sluice.alert;

import dev.sluice.core.GateLimits;
import dev.sluice.core.GateListener;
import dev.sluice.core.GateMonitor;

/** What the watcher needs of one endpoint: its figures, its limits, and the shed-low switch of its gate. */
public interface Watched {
    String id();

    GateMonitor monitor();

    GateLimits limits();

    /** {@code Gate.forceShedLow}: while on, every low-priority call is refused as shed. */
    void forceShedLow(boolean on);

    /** The gate itself: a different object under the same id is a new endpoint with a new history. */
    Object identity();

    /**
     * {@code Gate.setListener}: the gate tells its breaker and congestion changes as they happen (null removes
     * it). A target that cannot leaves this as is, and the watcher polls the states every tick instead.
     */
    default boolean setListener(GateListener listener) {
        return false;
    }
}
