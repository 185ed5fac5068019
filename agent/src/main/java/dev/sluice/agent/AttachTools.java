package dev.sluice.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The commands that talk to another JVM: through the Attach API (module {@code jdk.attach}, in every JDK) to
 * load the agent or start the target's local JMX agent, then plain JMX, exactly as JConsole does. Nothing of
 * Sluice is needed on the JMX side, so these commands work against any version of the agent with the same MBeans.
 *
 * A process that the Attach API does not list is attached to only if it is plainly a {@code java} process:
 * attaching to anything else would send it SIGQUIT, which ends most programs.
 */
final class AttachTools {
    private static final String AGENT = "dev.sluice:type=Agent";

    void list(PrintStream out) {
        long self = ProcessHandle.current().pid();
        out.printf("%-8s %s%n", "PID", "MAIN");
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(String.valueOf(self))) continue;
            // The display name is the main class or jar and its arguments; arguments may hold secrets.
            String name = d.displayName().trim();
            int sp = name.indexOf(' ');
            if (sp > 0) name = name.substring(0, sp);
            out.printf("%-8s %s%n", d.id(), name.isEmpty() ? "(unknown)" : name);
        }
    }

    // ---- attach

    void attach(long pid, String jar, String agentArgs, PrintStream out) throws Cli.Failure {
        VirtualMachine vm = vm(pid);
        JMXConnector jmx = null;
        try {
            jmx = connect(vm, pid);
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName agent = new ObjectName(AGENT);
            if (server.isRegistered(agent)) {
                throw new Cli.Failure("Sluice is already active in pid " + pid + " (config "
                        + server.getAttribute(agent, "ConfigPath") + "); change it with 'set' or 'reload'");
            }
            try {
                vm.loadAgent(jar, agentArgs);
            } catch (AgentLoadException e) {
                throw new Cli.Failure("pid " + pid + " refused the agent: " + e.getMessage());
            } catch (AgentInitializationException e) {
                throw new Cli.Failure("Sluice failed to start in pid " + pid + " (" + e.getMessage()
                        + "); that JVM's stderr says why");
            }
            // agentmain has returned: Sluice is up (MBean registered) or it said on the target's stderr why not
            long end = System.nanoTime() + 1_000_000_000L;
            while (!server.isRegistered(agent)) {
                if (System.nanoTime() > end) {
                    throw new Cli.Failure("the agent was loaded into pid " + pid + " but Sluice is not active there;"
                            + " its stderr says why (no endpoint in the config, sluice.enabled=false, sluice.jmx=false)");
                }
                Thread.sleep(50);
            }
            out.println("Sluice " + server.getAttribute(agent, "Version") + " attached to pid " + pid + ": endpoints "
                    + String.join(", ", (String[]) server.getAttribute(agent, "Endpoints")) + "; clients "
                    + String.join(", ", (String[]) server.getAttribute(agent, "InstrumentedClients")) + "; mode "
                    + server.getAttribute(agent, "Mode"));
            out.println("status: java -jar " + Path.of(jar).getFileName() + " status " + pid);
        } catch (Cli.Failure f) {
            throw f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cli.Failure("interrupted");
        } catch (IOException | JMException e) {
            throw new Cli.Failure("attach to pid " + pid + " failed: " + e);
        } finally {
            close(jmx);
            detach(vm);
        }
    }

    // ---- status, set, reload over JMX

    void status(long pid, PrintStream out) throws Cli.Failure {
        try (Session s = session(pid)) {
            MBeanServerConnection server = s.server;
            ObjectName agentName = new ObjectName(AGENT);
            Map<String, Object> agent = attributes(server, agentName, "Version", "Mode", "ConfigPath", "Attached",
                    "InstrumentedClients", "Faults", "LastReload", "Overrides", "Endpoints");
            Map<String, Map<String, Object>> endpoints = new LinkedHashMap<>();
            for (String id : (String[]) agent.get("Endpoints")) {
                ObjectName name = endpointName(id);
                if (!server.isRegistered(name)) continue;
                endpoints.put(id, attributes(server, name, StatusTable.attributes()));
            }
            List<Map<String, Object>> alerts = new ArrayList<>();
            Object raw = server.getAttribute(agentName, "Alerts");
            if (raw instanceof CompositeData[]) {
                for (CompositeData cd : (CompositeData[]) raw) {
                    Map<String, Object> a = new LinkedHashMap<>();
                    for (String k : cd.getCompositeType().keySet()) a.put(k, cd.get(k));
                    alerts.add(a);
                }
            }
            out.print(StatusTable.render(pid, agent, endpoints, alerts));
        } catch (Cli.Failure f) {
            throw f;
        } catch (IOException | JMException e) {
            throw new Cli.Failure("reading Sluice's MBeans in pid " + pid + " failed: " + e);
        }
    }

    void set(long pid, String endpoint, Map<String, Object> writes, PrintStream out) throws Cli.Failure {
        try (Session s = session(pid)) {
            MBeanServerConnection server = s.server;
            ObjectName agentName = new ObjectName(AGENT);
            String[] all = (String[]) server.getAttribute(agentName, "Endpoints");
            List<String> targets = new ArrayList<>();
            if (endpoint.equals("*")) {
                targets.addAll(List.of(all));
                Object mode = writes.remove("Mode");
                if (mode != null) {
                    write(server, agentName, "Mode", mode, "*", "mode", out);
                }
            } else {
                if (!server.isRegistered(endpointName(endpoint))) {
                    throw new Cli.Failure("no endpoint '" + endpoint + "' in pid " + pid + "; endpoints: "
                            + String.join(", ", all));
                }
                targets.add(endpoint);
            }
            for (String id : targets) {
                for (Map.Entry<String, Object> w : writes.entrySet()) {
                    write(server, endpointName(id), w.getKey(), w.getValue(), id, key(w.getKey()), out);
                }
            }
        } catch (Cli.Failure f) {
            throw f;
        } catch (IOException | JMException e) {
            throw new Cli.Failure("changing Sluice's MBeans in pid " + pid + " failed: " + e);
        }
    }

    private static void write(MBeanServerConnection server, ObjectName name, String attr, Object value, String id,
                              String key, PrintStream out) throws Cli.Failure, IOException, JMException {
        Object before = server.getAttribute(name, attr);
        try {
            server.setAttribute(name, new Attribute(attr, value));
        } catch (RuntimeMBeanException | MBeanException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new Cli.Failure(id + ": " + key + " not changed: " + c.getMessage());
        }
        Object after = server.getAttribute(name, attr);
        out.println(id + ": " + key + " " + StatusTable.format(before) + " -> " + StatusTable.format(after)
                + " (until the next reload)");
    }

    private static String key(String attr) {
        for (Map.Entry<String, String> e : Cli.SET_KEYS.entrySet()) if (e.getValue().equals(attr)) return e.getKey();
        return attr;
    }

    void reload(long pid, PrintStream out) throws Cli.Failure {
        try (Session s = session(pid)) {
            ObjectName agentName = new ObjectName(AGENT);
            String result = String.valueOf(s.server.invoke(agentName, "reload", new Object[0], new String[0]));
            String[] problems = (String[]) s.server.getAttribute(agentName, "LastReloadProblems");
            if (problems.length > 0) throw new Cli.Failure(result);
            out.println(result);
        } catch (Cli.Failure f) {
            throw f;
        } catch (IOException | JMException e) {
            throw new Cli.Failure("reload in pid " + pid + " failed: " + e);
        }
    }

    private static Map<String, Object> attributes(MBeanServerConnection server, ObjectName name, String... attrs)
            throws IOException, JMException {
        Map<String, Object> out = new LinkedHashMap<>();
        AttributeList list = server.getAttributes(name, attrs);
        for (Attribute a : list.asList()) out.put(a.getName(), plain(a.getValue()));
        return out;
    }

    /** TabularData of a Map<String, Long> back to a map; everything else as it is. */
    private static Object plain(Object v) {
        if (v instanceof TabularData) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Object row : ((TabularData) v).values()) {
                CompositeData cd = (CompositeData) row;
                m.put(String.valueOf(cd.get("key")), cd.get("value"));
            }
            return m;
        }
        return v;
    }

    private static ObjectName endpointName(String id) throws JMException {
        return new ObjectName("dev.sluice:type=Endpoint,name=" + id);
    }

    // ---- connections

    /** A JMX connection to a JVM in which Sluice is active. */
    private static final class Session implements AutoCloseable {
        final JMXConnector connector;
        final MBeanServerConnection server;

        Session(JMXConnector connector) throws IOException {
            this.connector = connector;
            this.server = connector.getMBeanServerConnection();
        }

        @Override
        public void close() {
            AttachTools.close(connector);
        }
    }

    private Session session(long pid) throws Cli.Failure {
        VirtualMachine vm = vm(pid);
        JMXConnector c;
        try {
            c = connect(vm, pid);
        } finally {
            detach(vm);
        }
        try {
            Session s = new Session(c);
            if (!s.server.isRegistered(new ObjectName(AGENT))) {
                s.close();
                throw new Cli.Failure("no Sluice agent in pid " + pid + " (or it runs with sluice.jmx=false); load it with: java -jar sluice-agent.jar attach "
                        + pid + " config=<file>");
            }
            return s;
        } catch (IOException | JMException e) {
            close(c);
            throw new Cli.Failure("JMX connection to pid " + pid + " failed: " + e);
        }
    }

    /** Starts (or finds) the target's local JMX agent and connects to it. */
    private static JMXConnector connect(VirtualMachine vm, long pid) throws Cli.Failure {
        try {
            String address = vm.startLocalManagementAgent();
            return JMXConnectorFactory.connect(new JMXServiceURL(address));
        } catch (IOException e) {
            throw new Cli.Failure("cannot open a JMX connection to pid " + pid + ": " + e.getMessage());
        }
    }

    /** Attaches, with a clear failure for every way it can go wrong. */
    VirtualMachine vm(long pid) throws Cli.Failure {
        if (pid == ProcessHandle.current().pid()) throw new Cli.Failure("pid " + pid + " is this command itself");
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) {
            throw new Cli.Failure("no process with pid " + pid + " (java -jar sluice-agent.jar list shows the JVMs)");
        }
        String id = String.valueOf(pid);
        boolean listed = false;
        for (VirtualMachineDescriptor d : VirtualMachine.list()) listed |= d.id().equals(id);
        if (!listed) {
            ProcessHandle.Info info = ph.get().info();
            for (String a : info.arguments().orElse(new String[0])) {
                if (a.equals("-XX:+DisableAttachMechanism")) throw disabled(pid);
            }
            Optional<String> cmd = info.command();
            if (cmd.isEmpty()) {
                throw new Cli.Failure("pid " + pid + " is not a JVM this user can attach to (another user's process?"
                        + " run the command as the JVM's user)");
            }
            String exe = Path.of(cmd.get()).getFileName().toString();
            if (!exe.equals("java") && !exe.equals("java.exe") && !exe.equals("javaw.exe")) {
                throw new Cli.Failure("pid " + pid + " is not a Java process (" + exe + ")");
            }
            // a java the Attach API does not list (-XX:-UsePerfData, another tmp dir): try anyway
        }
        try {
            return VirtualMachine.attach(id);
        } catch (AttachNotSupportedException e) {
            if (String.valueOf(e.getMessage()).contains("does not support the attach mechanism")) throw disabled(pid);
            throw new Cli.Failure("cannot attach to pid " + pid + ": " + e.getMessage()
                    + " (run the command as the JVM's user)");
        } catch (IOException e) {
            throw new Cli.Failure("cannot attach to pid " + pid + ": " + e.getMessage()
                    + " (run the command as the JVM's user)");
        }
    }

    private static Cli.Failure disabled(long pid) {
        return new Cli.Failure("pid " + pid + " was started with -XX:+DisableAttachMechanism: no tool can attach"
                + " to it. Start it with -javaagent:sluice-agent.jar=config=<file> instead.");
    }

    private static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException | RuntimeException ignored) {
            // the connection is gone either way
        }
    }

    static void close(JMXConnector c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing to do
        }
    }
}
