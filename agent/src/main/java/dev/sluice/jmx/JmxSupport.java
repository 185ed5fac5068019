package dev.sluice.jmx;

import dev.sluice.alert.AlertStatus;
import dev.sluice.alert.Events;
import dev.sluice.alert.Figures;
import dev.sluice.alert.Watcher;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.FaultInjection;
import dev.sluice.client.Faults;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.core.BreakerState;
import dev.sluice.core.GateLimits;
import dev.sluice.core.Mode;
import dev.sluice.log.SluiceLog;

import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers the MBeans and sends their notifications. A JMX error never affects the application: it is logged
 * and Sluice goes on without that MBean (as HikariCP's PoolBase does).
 *
 * An endpoint MBean lives as long as its endpoint: a reload that keeps an endpoint id keeps its MBean (and the
 * listeners JConsole added to it); a removed endpoint's MBean is unregistered.
 */
public final class JmxSupport {
    public static final String DOMAIN = "dev.sluice";
    private static final Map<String, EndpointMBeanImpl> ENDPOINTS = new ConcurrentHashMap<>();
    private static volatile AgentMBeanImpl agent;
    private static volatile Watcher watcher;
    private static volatile Mode globalMode;

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
            AgentMBeanImpl bean = new AgentMBeanImpl(control);
            server.registerMBean(bean, name);
            agent = bean;
        } catch (Throwable t) {
            SluiceLog.once(SluiceLog.Level.WARN, "jmx-agent", "could not register the Agent MBean", t);
        }
    }

    /** Brings the endpoint MBeans in line with the runtime (null: none): new ids registered, removed ones unregistered. */
    public static synchronized void syncEndpoints(SluiceRuntime runtime) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<String> wanted = new HashSet<>();
        if (runtime != null) {
            for (EndpointRuntime ep : runtime.endpoints()) {
                wanted.add(ep.id());
                EndpointMBeanImpl have = ENDPOINTS.get(ep.id());
                if (have != null && have.endpoint() == ep) continue;
                try {
                    FaultInjection.check(FaultInjection.Step.JMX);
                    ObjectName name = endpointName(ep.id());
                    if (server.isRegistered(name)) server.unregisterMBean(name);
                    EndpointMBeanImpl bean = new EndpointMBeanImpl(ep, name);
                    server.registerMBean(bean, name);
                    ENDPOINTS.put(ep.id(), bean);
                } catch (Throwable t) {
                    Faults.record(ep, "jmx registration", t);
                }
            }
        }
        for (String id : new HashSet<>(ENDPOINTS.keySet())) {
            if (wanted.contains(id)) continue;
            EndpointMBeanImpl gone = ENDPOINTS.remove(id);
            try {
                if (server.isRegistered(gone.name())) server.unregisterMBean(gone.name());
            } catch (Throwable t) {
                Faults.record(null, "jmx unregistration", t);
            }
        }
    }

    // ---- live state the MBeans show

    public static void setWatcher(Watcher w) {
        watcher = w;
    }

    static Figures figures(String id) {
        Watcher w = watcher;
        return w == null ? Figures.EMPTY : w.figures(id);
    }

    static List<AlertStatus> alerts() {
        Watcher w = watcher;
        return w == null ? List.of() : w.alerts();
    }

    static List<String> sheddingLow(String id) {
        Watcher w = watcher;
        return w == null ? List.of() : w.sheddingLow(id);
    }

    static void resetWindow(String id) {
        Watcher w = watcher;
        if (w != null) w.resetStats(id);
    }

    static Mode globalMode() {
        return globalMode;
    }

    /** An operator's global mode: every endpoint's mode set at once, until the next reload. */
    static synchronized void setGlobalMode(Mode m) {
        SluiceRuntime r = runtime();
        if (r == null) throw new IllegalStateException("Sluice is not active");
        for (EndpointRuntime ep : r.endpoints()) {
            GateLimits l = ep.gate().limits();
            if (l.mode() != m) ep.gate().setLimits(l.toBuilder().mode(m).build());
        }
        globalMode = m;
        SluiceLog.info("mode of every endpoint set to " + m.label() + " over JMX (until the next reload)");
    }

    /** A reload applied: the file is the truth again. */
    public static void reloaded() {
        globalMode = null;
    }

    /** JMX writes that differ from the file, until the next reload. */
    public static List<String> overrides() {
        List<String> out = new ArrayList<>();
        SluiceRuntime r = runtime();
        if (r == null) return out;
        Mode g = globalMode;
        if (g != null && g != r.config().mode()) out.add("mode=" + g.label() + " (file: " + r.config().mode().label() + ")");
        for (EndpointRuntime ep : r.endpoints()) {
            try {
                for (String d : LimitsDiff.diff(ep.config().limits(), ep.gate().limits())) out.add(ep.id() + "." + d);
            } catch (Throwable t) {
                Faults.record(ep, "jmx overrides", t);
            }
        }
        return out;
    }

    static SluiceRuntime runtime() {
        return Sluice.runtime();
    }

    // ---- notifications

    /** The watcher's events as notifications, from the endpoint's MBean and from the Agent MBean. */
    public static Events events() {
        return EVENTS;
    }

    private static final Events EVENTS = new Events() {
        @Override
        public void breaker(String endpoint, BreakerState from, BreakerState to, Figures f) {
            send(endpoint, Notifications.BREAKER, "endpoint '" + endpoint + "': circuit breaker " + from.label()
                    + " -> " + to.label(), Notifications.data(Notifications.BREAKER_TYPE, "endpoint", endpoint,
                    "from", from.label(), "to", to.label(), "transitions", f.breakerTransitions()));
        }

        @Override
        public void congestion(String endpoint, boolean congested, Figures f) {
            send(endpoint, Notifications.CONGESTION, "endpoint '" + endpoint + "': "
                    + (congested ? "congested" : "no longer congested") + " (" + f.queueDepth() + " waiting)",
                    Notifications.data(Notifications.CONGESTION_TYPE, "endpoint", endpoint, "congested", congested,
                            "queueDepth", f.queueDepth(), "utilization", f.utilization()));
        }

        @Override
        public void alert(AlertStatus s) {
            String state = s.firing() ? "firing" : "recovered";
            send(s.endpoint(), Notifications.ALERT, "alert '" + s.rule() + "' on endpoint '" + s.endpoint() + "' "
                    + (s.firing() ? "fired: " + s.when() : "recovered") + " (" + s.detail() + ")",
                    Notifications.data(Notifications.ALERT_TYPE, "alert", s.rule(), "endpoint", s.endpoint(),
                            "state", state, "when", s.when(), "action", s.action(), "detail", s.detail(),
                            "cause", s.cause(), "fired", s.fired()));
        }
    };

    private static void send(String endpoint, String type, String message, CompositeData data) {
        try {
            EndpointMBeanImpl ep = ENDPOINTS.get(endpoint);
            if (ep != null) ep.sendNotification(Notifications.notification(type, ep.name(), ep.nextSequence(), message, data));
            AgentMBeanImpl a = agent;
            if (a != null) a.sendNotification(Notifications.notification(type, agentName(), a.nextSequence(), message, data));
        } catch (Throwable t) {
            Faults.record(null, "jmx notification", t);
        }
    }

    /** A reload was applied ({@code applied}) or rejected; sent by the Agent MBean. */
    public static void configReloaded(String path, boolean applied, String summary, List<String> endpoints,
                                      List<String> problems) {
        AgentMBeanImpl a = agent;
        if (a == null) return;
        try {
            CompositeData data = Notifications.data(Notifications.CONFIG_TYPE, "path", path == null ? "" : path,
                    "applied", applied, "summary", summary, "endpoints", endpoints.toArray(new String[0]),
                    "problems", problems.toArray(new String[0]));
            Notification n = Notifications.notification(applied ? Notifications.CONFIG_RELOADED
                    : Notifications.CONFIG_REJECTED, agentName(), a.nextSequence(), summary, data);
            a.sendNotification(n);
        } catch (Throwable t) {
            Faults.record(null, "jmx notification", t);
        }
    }
}
