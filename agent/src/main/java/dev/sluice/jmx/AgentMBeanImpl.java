package dev.sluice.jmx;

import dev.sluice.alert.AlertStatus;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.core.Mode;

import javax.management.MBeanNotificationInfo;
import javax.management.NotificationBroadcasterSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code dev.sluice:type=Agent}; sends every Sluice notification (each endpoint's, and the config's). */
final class AgentMBeanImpl extends NotificationBroadcasterSupport implements AgentMXBean {
    private final AgentControl control;
    private final AtomicLong sequence = new AtomicLong();

    AgentMBeanImpl(AgentControl control) {
        this.control = control;
    }

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    @Override
    public MBeanNotificationInfo[] getNotificationInfo() {
        return Notifications.agentInfo();
    }

    @Override public String getVersion() { return control.version(); }

    @Override
    public boolean isEnabled() {
        SluiceRuntime r = JmxSupport.runtime();
        return r != null && r.config().enabled();
    }

    @Override
    public String getMode() {
        Mode m = JmxSupport.globalMode();
        if (m != null) return m.label();
        SluiceRuntime r = JmxSupport.runtime();
        return r == null ? "off" : r.config().mode().label();
    }

    @Override
    public void setMode(String mode) {
        Mode m = Mode.parse(mode);
        if (m == null) throw new IllegalArgumentException("mode must be enforce, observe or off, was " + mode);
        JmxSupport.setGlobalMode(m);
    }

    @Override public String getConfigPath() { return control.configPath(); }
    @Override public String[] getInstrumentedClients() { return control.instrumentedClients().toArray(new String[0]); }

    @Override
    public String[] getEndpoints() {
        SluiceRuntime r = JmxSupport.runtime();
        List<String> ids = new ArrayList<>();
        if (r != null) for (EndpointRuntime ep : r.endpoints()) ids.add(ep.id());
        return ids.toArray(new String[0]);
    }

    @Override public long getFaults() { return Faults.total(); }
    @Override public String reload() { return control.reload(); }
    @Override public String[] getOverrides() { return JmxSupport.overrides().toArray(new String[0]); }

    @Override
    public List<AlertView> getAlerts() {
        List<AlertView> out = new ArrayList<>();
        for (AlertStatus s : JmxSupport.alerts()) out.add(new AlertView(s));
        return out;
    }

    @Override
    public String[] getFiringAlerts() {
        List<String> out = new ArrayList<>();
        for (AlertStatus s : JmxSupport.alerts()) if (s.firing()) out.add(s.rule() + "@" + s.endpoint());
        return out.toArray(new String[0]);
    }

    @Override public String getLastReload() { return control.lastReload(); }
    @Override public String[] getLastReloadProblems() { return control.lastReloadProblems().toArray(new String[0]); }
    @Override public boolean isAttached() { return control.attached(); }
}
