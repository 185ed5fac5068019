package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every key Sluice knows ({@link Keys}: the global ones, every endpoint and alert suffix, a client switch) fed a
 * list of garbage values, one key at a time, beside a valid endpoint. For each: the loader never throws, and either
 * takes the value (it was valid after all) or says so in exactly one message that names the key, is short enough
 * to read, and leaves the configuration as if the key had not been set (the default used), except where the
 * message says the value was clamped to a neighbour's. Each key must turn at least one garbage value away, unless
 * it takes any text ({@link #FREE_TEXT}). The child-JVM side (an application with a garbage file still runs and
 * its calls pass) is GarbageConfigIT.
 */
class GarbageValuesTest {
    static final String MATCH = "sluice.endpoint.e.match=https://api.example.com/v1";
    /** Keys whose value is free text by design (checked elsewhere, at use). */
    static final Set<String> FREE_TEXT = Set.of("sluice.alert.a.when");

    static final List<String> GARBAGE = List.of(
            " ", "-1", "-0", "0", "NaN", "Infinity", "-Infinity", "1e999", "99999999999999999999999", "0x10", "1.5",
            "+5", "abc", "true false", "\u0000", "\t\u000b", "\u221e", "10xs", "5 s", "-5s", "${env:X}", "%s%n", "(",
            "[a-", "*", ",", ",,,", "http://", "ftp://x", "redis://", "redis://:pw@", "'quoted'", "\"quoted\"",
            "x".repeat(10_000), "\u00e9", "\uFFFD", "-9223372036854775808", "9223372036854775807", "1/0", "0/0",
            "150%", "-50%", "1,5", "yes please", "on off", "ENFORCE!", "high,low", "*.", "https://*",
            "https://api.example.com/v1");

    static List<String> allKeys() {
        List<String> keys = new ArrayList<>(Keys.GLOBAL);
        for (String s : Keys.ENDPOINT_SUFFIXES) keys.add(Keys.ENDPOINT + "e." + s);
        for (String s : Keys.ALERT_SUFFIXES) keys.add(Keys.ALERT + "a." + s);
        keys.add(Keys.CLIENT + "okhttp" + Keys.CLIENT_SUFFIX);
        return keys;
    }

    @Test
    void everyKeyWithGarbageGivesOneClearMessageAndTheDefault() {
        int cases = 0;
        int refusedTotal = 0;
        List<String> failures = new ArrayList<>();
        for (String key : allKeys()) {
            boolean alert = key.startsWith(Keys.ALERT);
            Properties base = base(alert);
            ConfigLoadResult baseline = ConfigLoader.load(null, base, Map.of());
            assertEquals(List.of(), baseline.problems(), "the baseline is clean");
            String baseShape = shape(baseline.config());
            int refused = 0;
            for (String value : GARBAGE) {
                cases++;
                Properties p = base(alert);
                if (key.equals(Keys.ENDPOINT + "e.match")) p.remove(MATCH.substring(0, MATCH.indexOf('=')));
                p.setProperty(key, value);
                ConfigLoadResult r;
                try {
                    r = ConfigLoader.load(null, p, Map.of());
                } catch (Throwable t) {
                    failures.add(key + "=" + shortly(value) + " threw " + t);
                    continue;
                }
                List<String> problems = r.problems();
                for (String problem : problems) {
                    if (problem.contains("could not load the configuration")) failures.add(key + ": the loader failed: " + problem);
                }
                if (problems.isEmpty()) continue; // a valid value after all
                refused++;
                if (problems.size() != 1) {
                    failures.add(key + "=" + shortly(value) + " gave " + problems.size() + " messages: " + problems);
                    continue;
                }
                String m = problems.get(0);
                if (!m.contains(key)) failures.add(key + "=" + shortly(value) + ": the message does not name the key: " + m);
                if (m.length() > 600) failures.add(key + "=" + shortly(value) + ": a message of " + m.length() + " chars");
                if (key.equals(Keys.ENDPOINT + "e.match")) {
                    if (!r.config().endpoints().isEmpty()) failures.add("a bad match still made an endpoint: " + m);
                    continue;
                }
                if (m.contains("the rule is ignored")) { // an alert that cannot be kept has no default to fall back on
                    if (!r.config().alerts().isEmpty()) failures.add("an ignored alert rule was kept: " + m);
                    continue;
                }
                boolean clamped = m.contains("is more than") || m.contains("is below");
                if (!clamped && !shape(r.config()).equals(baseShape)) {
                    failures.add(key + "=" + shortly(value) + ": refused (" + m + ") but the configuration changed:\n  "
                            + baseShape + "\n  " + shape(r.config()));
                }
            }
            refusedTotal += refused;
            if (refused == 0 && !FREE_TEXT.contains(key)) failures.add(key + " took every garbage value");
        }
        System.out.println("FIGURES config garbage: " + allKeys().size() + " keys x " + GARBAGE.size() + " values = "
                + cases + " cases, " + refusedTotal + " refused with one message each");
        if (!failures.isEmpty()) fail(failures.size() + " problems:\n" + String.join("\n", failures));
    }

    /** The same garbage through the environment (SLUICE_*), the other way values arrive. */
    @Test
    void garbageFromTheEnvironmentToo() {
        int cases = 0;
        for (String key : allKeys()) {
            if (key.startsWith(Keys.ALERT)) continue;
            for (String value : List.of("abc", "-1", "x".repeat(5000), "\u0000")) {
                Properties p = base(false);
                ConfigLoadResult r = ConfigLoader.load(null, p, Map.of(Keys.envName(key), value));
                assertFalse(r.problems().stream().anyMatch(m -> m.contains("could not load")), key + ": " + r.problems());
                assertTrue(r.problems().size() <= 1, key + "=" + shortly(value) + ": " + r.problems());
                for (String m : r.problems()) assertTrue(m.length() <= 600, "short: " + m.length());
                cases++;
            }
        }
        assertTrue(cases > 100);
    }

    @Test
    void aValueCannotForgeALogLine() {
        assertEquals("5\\u000a[sluice] INFO all is well", Keys.clip("5\n[sluice] INFO all is well"));
        assertEquals("x".repeat(60) + "...(101 characters)", Keys.clip("x".repeat(101)));
        assertEquals("plain", Keys.clip("plain"));
        ConfigLoadResult r = ConfigLoader.load(null, base(false), Map.of("SLUICE_ENDPOINT_E_RPM", "5\r\n[sluice] forged"));
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertFalse(r.problems().get(0).contains("\n") || r.problems().get(0).contains("\r"), r.problems().get(0));
    }

    static Properties base(boolean alert) {
        Properties p = new Properties();
        p.setProperty(MATCH.substring(0, MATCH.indexOf('=')), MATCH.substring(MATCH.indexOf('=') + 1));
        if (alert) p.setProperty("sluice.alert.a.when", "queue.depth > 5");
        return p;
    }

    static String shortly(String v) {
        String s = v.length() > 30 ? v.substring(0, 30) + "...(" + v.length() + " chars)" : v;
        return s.replace("\u0000", "\\0");
    }

    /** Every field of the configuration, deep, as text (patterns by their source; caches left out). */
    static String shape(Object o) {
        StringBuilder sb = new StringBuilder();
        shape(o, sb, new IdentityHashMap<>());
        return sb.toString();
    }

    private static void shape(Object o, StringBuilder sb, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || o instanceof Number || o instanceof Boolean || o instanceof CharSequence || o instanceof Enum
                || o instanceof Character) {
            sb.append(o);
            return;
        }
        if (o instanceof Pattern) {
            sb.append("/").append(((Pattern) o).pattern()).append("/");
            return;
        }
        if (seen.put(o, Boolean.TRUE) != null) {
            sb.append("<cycle>");
            return;
        }
        if (o instanceof Map) {
            sb.append("{");
            new TreeMap<>((Map<?, ?>) o).forEach((k, v) -> {
                sb.append(k).append('=');
                shape(v, sb, seen);
                sb.append(',');
            });
            sb.append("}");
            return;
        }
        if (o instanceof Collection) {
            sb.append("[");
            for (Object e : (Collection<?>) o) {
                shape(e, sb, seen);
                sb.append(',');
            }
            sb.append("]");
            return;
        }
        if (o.getClass().isArray()) {
            sb.append("[");
            for (int i = 0; i < Array.getLength(o); i++) {
                shape(Array.get(o, i), sb, seen);
                sb.append(',');
            }
            sb.append("]");
            return;
        }
        if (!o.getClass().getName().startsWith("dev.sluice.")) {
            sb.append(o);
            return;
        }
        sb.append(o.getClass().getSimpleName()).append("(");
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getName().toLowerCase().contains("cache")) continue;
                f.setAccessible(true);
                sb.append(f.getName()).append('=');
                try {
                    shape(f.get(o), sb, seen);
                } catch (IllegalAccessException e) {
                    sb.append('?');
                }
                sb.append(' ');
            }
        }
        sb.append(")");
    }
}
