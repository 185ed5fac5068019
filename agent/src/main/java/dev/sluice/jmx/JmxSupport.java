package dev.sluice.jmx;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.FaultInjection;
import dev.sluice.client.Faults;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.log.SluiceLog;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers the MBeans. A JMX error never affects the application: it is logged and Sluice goes on without
 * that MBean (as HikariCP's PoolBase does).
 */
public final class JmxSupport {
    public static final String DOMAIN = "dev.sluice";
    private static final Set<String> OVERRIDDEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> REGISTERED = ConcurrentHashMap.newKeySet();

    private JmxSupport() {
    }

    public static ObjectName agentName() throws Exception {
        return new ObjectName(DOMAIN + ":type=Agent");
    }

    /** Endpoint ids are restricted to letters, digits, '-' and '_' by the config, so they need no quoting. */
    public static ObjectName endpointName(String id) throws Exception {
        return new ObjectName(DOMAIN + ":type=Endpoint,name=" + id);
    }

    public static void registerAgent(AgentControl control) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = agentName();
            if (server.isRegistered(name)) server.unregisterMBean(name);
            server.registerMBean(new AgentMBeanImpl(control), name);
        } catch (Throwable t) {
            SluiceLog.once(SluiceLog.Level.WARN, "jmx-agent", "could not register the Agent MBean", t);
        }
    }

    /** Brings the endpoint MBeans in line with the runtime: new ids registered, removed ones unregistered. */
    public static synchronized void syncEndpoints(SluiceRuntime runtime) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Set<String> wanted = new HashSet<>();
            for (EndpointRuntime ep : runtime.endpoints()) {
                wanted.add(ep.id());
                try { // one endpoint's failure leaves the others registered
                    FaultInjection.check(FaultInjection.Step.JMX);
                    ObjectName name = endpointName(ep.id());
                    if (server.isRegistered(name)) server.unregisterMBean(name);
                    server.registerMBean(new EndpointMBeanImpl(ep), name);
                    REGISTERED.add(ep.id());
                } catch (Throwable t) {
                    Faults.record(ep, "jmx registration", t);
                }
            }
            for (String id : new HashSet<>(REGISTERED)) {
                if (!wanted.contains(id)) {
                    ObjectName name = endpointName(id);
                    if (server.isRegistered(name)) server.unregisterMBean(name);
                    REGISTERED.remove(id);
                }
            }
        } catch (Throwable t) {
            Faults.record(null, "jmx registration", t);
        }
    }

    static void recordOverride(String endpointId) {
        OVERRIDDEN.add(endpointId);
    }

    /** Endpoints with JMX writes that differ from the file, until the next reload. */
    public static Set<String> overridden() {
        return Collections.unmodifiableSet(OVERRIDDEN);
    }

    public static void clearOverrides() {
        OVERRIDDEN.clear();
    }

    static SluiceRuntime runtime() {
        return Sluice.runtime();
    }
}
