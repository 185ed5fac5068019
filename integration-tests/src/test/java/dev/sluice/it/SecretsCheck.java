package dev.sluice.it;

import dev.sluice.it.apps.SluiceProbe;

import java.util.ArrayList;
import java.util.List;

/**
 * "Secrets stay secret", checked on everything a child JVM printed: Sluice's {@code [sluice]} log lines, the
 * {@code JMX} attribute dumps the load apps print at the end ({@link SluiceProbe#dumpAttributes}: every attribute
 * of every {@code dev.sluice:*} MBean), the refusal messages they print, and anything else. None may hold a value of
 * the credential headers the apps send ({@code authorization}, {@code x-api-key}, {@code api-key}) or prompt text
 * (the apps' prompts start with a marker). {@link ChildJvm} runs it on every result, so every integration test is
 * checked without asking.
 */
public final class SecretsCheck {
    private SecretsCheck() {
    }

    /** The strings that must never appear in a child's output. */
    static List<String> secrets() {
        return List.of(SluiceProbe.API_KEY, SluiceProbe.X_API_KEY, SluiceProbe.AZURE_KEY, SluiceProbe.PROMPT_MARKER);
    }

    /** Lines of stdout and stderr that hold a secret; empty when clean. */
    public static List<String> leaks(ChildJvm.Result r) {
        List<String> bad = new ArrayList<>();
        for (String stream : new String[] {r.stdout, r.stderr}) {
            for (String line : stream.split("\n")) {
                for (String s : secrets()) {
                    if (line.contains(s)) {
                        bad.add(line.length() > 400 ? line.substring(0, 400) + "..." : line);
                        break;
                    }
                }
            }
        }
        return bad;
    }

    public static void assertClean(ChildJvm.Result r) {
        List<String> bad = leaks(r);
        if (!bad.isEmpty()) {
            throw new AssertionError("a secret or prompt text appeared in the child's output (" + bad.size()
                    + " line(s)):\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        }
    }

    /** How many MBean attributes the child dumped (a check that the JMX side was really looked at). */
    public static long jmxAttributesDumped(ChildJvm.Result r) {
        return r.stdout.lines().filter(l -> l.startsWith("JMX ")).count();
    }
}
