package dev.sluice.jmx;

import dev.sluice.alert.AlertStatus;

/** One alert rule on one endpoint, as the Agent MBean's {@code Alerts} attribute shows it (a CompositeData). */
public final class AlertView {
    private final AlertStatus s;

    AlertView(AlertStatus s) {
        this.s = s;
    }

    public String getName() { return s.rule(); }
    public String getEndpoint() { return s.endpoint(); }
    public String getWhen() { return s.when(); }
    public String getAction() { return s.action(); }
    public long getForMillis() { return s.forMillis(); }
    /** ok, pending, firing or recovering. */
    public String getState() { return s.state().label(); }
    public boolean isFiring() { return s.firing(); }
    /** When it entered its current on/off state (epoch millis). */
    public long getSince() { return s.sinceEpochMillis(); }
    public long getFired() { return s.fired(); }
    public String getDetail() { return s.detail(); }
}
