package dev.sluice.it.apps;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * What the test apps share about secrets and Sluice's MBeans, read the way any JMX client of the application's own
 * JVM would (plain JMX, no Sluice class).
 *
 * <p>Every load app sends the same fake credentials in the three header shapes providers use, and prompts that
 * start with {@link #PROMPT_MARKER}, so that a check of everything a child printed ({@code SecretsCheck}) can tell
 * whether any of it leaked into a log line, an MBean attribute or a refusal message.
 */
public final class SluiceProbe {
    /** {@code authorization: Bearer ...} (OpenAI). */
    public static final String API_KEY = "sk-test-secret-do-not-log";
    /** {@code x-api-key} (Anthropic). */
    public static final String X_API_KEY = "sk-ant-test-xapikey-do-not-log";
    /** {@code api-key} (Azure OpenAI). */
    public static final String AZURE_KEY = "azure-test-apikey-do-not-log";
    /** Starts every prompt the load apps send (when the prompt is at least this long). */
    public static final String PROMPT_MARKER = "PRMPT-7qZk-MARKER";

    private SluiceProbe() {
    }

    /** A prompt of exactly {@code bytes} ASCII bytes, starting with the marker when it fits. */
    public static String prompt(int bytes) {
        int n = Math.max(0, bytes);
        if (n < PROMPT_MARKER.length()) return "x".repeat(n);
        return PROMPT_MARKER + "x".repeat(n - PROMPT_MARKER.length());
    }

    /** The three credential headers, name then value. */
    public static String[][] credentialHeaders() {
        return new String[][] {{"authorization", "Bearer " + API_KEY}, {"x-api-key", X_API_KEY},
                {"api-key", AZURE_KEY}};
    }

    /**
     * Prints every readable attribute of every {@code dev.sluice:*} MBean as {@code JMX <object name> <attr>=<value>}
     * (open types flattened to text), plus {@code JMXERR} lines for attributes that failed to read.
     * Returns the number of attributes read.
     */
    public static int dumpAttributes(PrintStream out) {
        int n = 0;
        try {
            MBeanServer s = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName name : new TreeSet<>(s.queryNames(new ObjectName("dev.sluice:*"), null))) {
                for (MBeanAttributeInfo a : s.getMBeanInfo(name).getAttributes()) {
                    if (!a.isReadable()) continue;
                    try {
                        Object v = s.getAttribute(name, a.getName());
                        out.println("JMX " + name + " " + a.getName() + "=" + text(v));
                        n++;
                    } catch (Exception e) {
                        out.println("JMXERR " + name + " " + a.getName() + " " + e.getClass().getName()
                                + (e.getCause() == null ? "" : " cause " + e.getCause()));
                    }
                }
            }
        } catch (Exception e) {
            out.println("JMXERR dump failed: " + e);
        }
        out.flush();
        return n;
    }

    /** One attribute of the endpoint's (or, with id null, the agent's) MBean; null when absent or unreadable. */
    public static Object get(String endpointId, String attribute) {
        try {
            MBeanServer s = ManagementFactory.getPlatformMBeanServer();
            ObjectName n = new ObjectName(endpointId == null ? "dev.sluice:type=Agent"
                    : "dev.sluice:type=Endpoint,name=" + endpointId);
            if (!s.isRegistered(n)) return null;
            return s.getAttribute(n, attribute);
        } catch (Exception e) {
            return null;
        }
    }

    /** A numeric attribute, -1 when absent. */
    public static long num(String endpointId, String attribute) {
        Object v = get(endpointId, attribute);
        return v instanceof Number ? ((Number) v).longValue() : -1;
    }

    /** Writes an attribute of the endpoint's MBean (the way an operator would from JConsole). */
    public static void set(String endpointId, String attribute, Object value) throws Exception {
        ManagementFactory.getPlatformMBeanServer().setAttribute(
                new ObjectName("dev.sluice:type=Endpoint,name=" + endpointId), new Attribute(attribute, value));
    }

    static String text(Object v) {
        if (v == null) return "null";
        if (v instanceof CompositeData) {
            CompositeData c = (CompositeData) v;
            List<String> parts = new ArrayList<>();
            for (String k : new TreeSet<>(c.getCompositeType().keySet())) parts.add(k + ":" + text(c.get(k)));
            return "{" + String.join(",", parts) + "}";
        }
        if (v instanceof TabularData) {
            List<String> parts = new ArrayList<>();
            for (Object row : ((TabularData) v).values()) parts.add(text(row));
            return "[" + String.join(",", parts) + "]";
        }
        if (v instanceof Collection) {
            List<String> parts = new ArrayList<>();
            for (Object o : (Collection<?>) v) parts.add(text(o));
            return "[" + String.join(",", parts) + "]";
        }
        if (v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) parts.add(text(Array.get(v, i)));
            return "[" + String.join(",", parts) + "]";
        }
        return String.valueOf(v).replace('\n', ' ');
    }
}
