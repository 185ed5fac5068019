package dev.sluice.it;

import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** A plain JMX client of a child JVM, the way JConsole connects: no Sluice class on its class path. */
public final class Jmx implements AutoCloseable {
    private final JMXConnector connector;
    public final MBeanServerConnection server;

    private Jmx(JMXConnector connector) throws Exception {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /**
     * Connects to a child JVM, retrying for up to 15 s while it is still starting: its attach listener can answer
     * before its management agent can start (an AttachOperationFailedException).
     */
    public static Jmx connect(long pid) throws Exception {
        long end = System.currentTimeMillis() + 15_000;
        while (true) {
            try {
                return connectOnce(pid);
            } catch (Exception e) {
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (System.currentTimeMillis() > end || !alive) throw e;
                Thread.sleep(100);
            }
        }
    }

    private static Jmx connectOnce(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        try {
            String address = vm.startLocalManagementAgent();
            return new Jmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
        } finally {
            vm.detach();
        }
    }

    public static ObjectName endpoint(String id) throws Exception {
        return new ObjectName("dev.sluice:type=Endpoint,name=" + id);
    }

    /** Waits until the MBean is registered (the agent registers it at start). */
    public ObjectName await(ObjectName name, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!server.isRegistered(name)) {
            if (System.currentTimeMillis() > end) throw new AssertionError(name + " never registered");
            Thread.sleep(50);
        }
        return name;
    }

    public Object get(ObjectName name, String attribute) throws Exception {
        return server.getAttribute(name, attribute);
    }

    public void set(ObjectName name, String attribute, Object value) throws Exception {
        server.setAttribute(name, new javax.management.Attribute(attribute, value));
    }

    @Override
    public void close() throws Exception {
        connector.close();
    }
}
