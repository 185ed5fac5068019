package dev.sluice.jmx;

import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import java.util.HashMap;
import java.util.Map;

/**
 * The notifications Sluice sends, and their user data: always a {@link CompositeData} of open types, so a JMX
 * client without Sluice's classes (JConsole, a script) receives and reads them.
 *
 * <table>
 * <tr><th>type</th><th>sent by</th><th>user data items</th></tr>
 * <tr><td>dev.sluice.breaker</td><td>endpoint, agent</td><td>endpoint, from, to, transitions</td></tr>
 * <tr><td>dev.sluice.congestion</td><td>endpoint, agent</td><td>endpoint, congested, queueDepth, utilization</td></tr>
 * <tr><td>dev.sluice.alert</td><td>endpoint, agent</td><td>alert, endpoint, state (firing|recovered), when, action, detail, cause, fired</td></tr>
 * <tr><td>dev.sluice.config.reloaded</td><td>agent</td><td>path, applied, summary, endpoints, problems</td></tr>
 * <tr><td>dev.sluice.config.rejected</td><td>agent</td><td>the same; applied is false</td></tr>
 * </table>
 */
public final class Notifications {
    public static final String BREAKER = "dev.sluice.breaker";
    public static final String CONGESTION = "dev.sluice.congestion";
    public static final String ALERT = "dev.sluice.alert";
    public static final String CONFIG_RELOADED = "dev.sluice.config.reloaded";
    public static final String CONFIG_REJECTED = "dev.sluice.config.rejected";

    static final CompositeType BREAKER_TYPE;
    static final CompositeType CONGESTION_TYPE;
    static final CompositeType ALERT_TYPE;
    static final CompositeType CONFIG_TYPE;

    static {
        try {
            ArrayType<String[]> strings = ArrayType.getArrayType(SimpleType.STRING);
            BREAKER_TYPE = type(BREAKER, "A circuit breaker changed state",
                    "endpoint", SimpleType.STRING, "from", SimpleType.STRING, "to", SimpleType.STRING,
                    "transitions", SimpleType.LONG);
            CONGESTION_TYPE = type(CONGESTION, "An endpoint became congested or stopped being congested",
                    "endpoint", SimpleType.STRING, "congested", SimpleType.BOOLEAN, "queueDepth", SimpleType.INTEGER,
                    "utilization", SimpleType.DOUBLE);
            ALERT_TYPE = type(ALERT, "An alert rule fired or recovered",
                    "alert", SimpleType.STRING, "endpoint", SimpleType.STRING, "state", SimpleType.STRING,
                    "when", SimpleType.STRING, "action", SimpleType.STRING, "detail", SimpleType.STRING,
                    "cause", SimpleType.STRING, "fired", SimpleType.LONG);
            CONFIG_TYPE = type("dev.sluice.config", "The configuration file was reloaded, or a reload was rejected",
                    "path", SimpleType.STRING, "applied", SimpleType.BOOLEAN, "summary", SimpleType.STRING,
                    "endpoints", strings, "problems", strings);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Notifications() {
    }

    private static CompositeType type(String name, String description, Object... items) throws OpenDataException {
        int n = items.length / 2;
        String[] names = new String[n];
        OpenType<?>[] types = new OpenType<?>[n];
        for (int i = 0; i < n; i++) {
            names[i] = (String) items[2 * i];
            types[i] = (OpenType<?>) items[2 * i + 1];
        }
        return new CompositeType(name, description, names, names, types);
    }

    /** User data from alternating item names and values. */
    static CompositeData data(CompositeType type, Object... namesAndValues) {
        try {
            Map<String, Object> m = new HashMap<>();
            for (int i = 0; i < namesAndValues.length; i += 2) m.put((String) namesAndValues[i], namesAndValues[i + 1]);
            return new CompositeDataSupport(type, m);
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
    }

    static Notification notification(String type, Object source, long sequence, String message, CompositeData data) {
        Notification n = new Notification(type, source, sequence, System.currentTimeMillis(), message);
        n.setUserData(data);
        return n;
    }

    static MBeanNotificationInfo[] endpointInfo() {
        return new MBeanNotificationInfo[]{
                new MBeanNotificationInfo(new String[]{BREAKER}, Notification.class.getName(),
                        "circuit breaker state changes; user data: " + BREAKER_TYPE.keySet()),
                new MBeanNotificationInfo(new String[]{CONGESTION}, Notification.class.getName(),
                        "congestion on/off (waiting room past its high-water mark / back under its low-water mark); user data: "
                                + CONGESTION_TYPE.keySet()),
                new MBeanNotificationInfo(new String[]{ALERT}, Notification.class.getName(),
                        "alert rules firing and recovering; user data: " + ALERT_TYPE.keySet()),
        };
    }

    static MBeanNotificationInfo[] agentInfo() {
        MBeanNotificationInfo[] ep = endpointInfo();
        MBeanNotificationInfo[] all = new MBeanNotificationInfo[ep.length + 1];
        System.arraycopy(ep, 0, all, 0, ep.length);
        all[ep.length] = new MBeanNotificationInfo(new String[]{CONFIG_RELOADED, CONFIG_REJECTED},
                Notification.class.getName(), "configuration reloaded or a reload rejected (the last good"
                + " configuration stays); user data: " + CONFIG_TYPE.keySet());
        return all;
    }
}
