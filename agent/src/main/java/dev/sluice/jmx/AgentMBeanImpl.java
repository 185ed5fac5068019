package dev.sluice.jmx;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.SluiceRuntime;

import java.util.ArrayList;
import java.util.List;

final class AgentMBeanImpl implements AgentMXBean {
    private final AgentControl control;

    AgentMBeanImpl(AgentControl control) {
        this.control = control;
    }

    @Override public String getVersion() { return control.version(); }

    @Override
    public boolean isEnabled() {
        SluiceRuntime r = JmxSupport.runtime();
        return r != null && r.config().enabled();
    }

    @Override
    public String getMode() {
        SluiceRuntime r = JmxSupport.runtime();
        return r == null ? "off" : r.config().mode().label();
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
}
