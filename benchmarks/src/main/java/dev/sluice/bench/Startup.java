package dev.sluice.bench;

import dev.sluice.mock.MockLlmServer;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What attaching the agent costs at start: JVM start to main, Sluice's premain (between two do-nothing stamp
 * agents listed before and after it: agents run in command-line order), the first chat call (the JDK HttpClient's
 * classes are loaded, and transformed when the agent is there, on that call), loading the ~1,100 classes of the
 * app's libraries that the agent leaves alone, then OkHttp's ~300 (its {@code RealCall} instrumented), and the
 * whole process from launch
 * to exit; with and without the agent, interleaved, medians over {@code rounds}. Also the agent jar's size.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.sluice.bench.Startup [rounds=10] [java=/path/to/jdk]</pre>
 */
public final class Startup {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "10"));
        String java = a.get("java");
        Map<String, Map<String, List<Long>>> f = new LinkedHashMap<>();
        String classes = "?";
        String okHttpClasses = "?";
        try (MockLlmServer api = MockLlmServer.builder().start()) {
            String cfg = "config=" + LoadRun.config("startup", "sluice.endpoint.llm.match=" + api.baseUrl() + "/v1\n"
                    + "sluice.endpoint.llm.provider=openai\nsluice.endpoint.llm.rpm=10000\nsluice.endpoint.llm.tpm=10000000\n");
            String apps = Child.appsJar().toString();
            for (int r = 0; r < rounds; r++) {
                for (boolean agent : new boolean[]{false, true}) {
                    Child c = new Child("dev.sluice.bench.apps.StartApp").java(java)
                            .jvmArg("-javaagent:" + apps + "=before");
                    if (agent) c.jvmArg("-javaagent:" + Child.agentJar() + "=" + cfg);
                    c.jvmArg("-javaagent:" + apps + "=after").args(api.chatUrl());
                    Child.Result res = c.run(120);
                    Map<String, String> m = res.result();
                    if (!"200".equals(m.get("status"))) throw new IllegalStateException("first call failed: " + res);
                    if (agent && !res.stderr.contains("active")) throw new IllegalStateException("agent not active: " + res.stderr);
                    String k = agent ? "agent" : "none";
                    put(f, k, "main", Long.parseLong(m.get("uptimeAtMainMs")) * 1_000_000L);
                    put(f, k, "premain", Long.parseLong(m.get("premainNs")));
                    put(f, k, "first", Long.parseLong(m.get("firstCallNs")));
                    put(f, k, "load", Long.parseLong(m.get("loadNs")));
                    put(f, k, "okhttp", Long.parseLong(m.get("okHttpLoadNs")));
                    put(f, k, "process", res.wallNs);
                    classes = m.get("classes");
                    okHttpClasses = m.get("okHttpClasses");
                    System.err.println("RUN " + k + " " + m + " processMs=" + res.wallNs / 1_000_000);
                }
            }
        }
        System.out.println(String.format(Locale.ROOT, "Agent jar: %s, %,d bytes", Child.agentJar().getFileName(),
                Files.size(Child.agentJar())));
        System.out.println();
        System.out.println("| ms (median of " + rounds + ") | JVM start to main | premain (between stamps) | first chat call | loading "
                + classes + " library classes | loading OkHttp's " + okHttpClasses + " (RealCall instrumented) | launch to exit |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (String k : new String[]{"none", "agent"}) {
            System.out.println(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f |", k.equals("none") ? "without agent" : "with agent",
                    med(f, k, "main"), med(f, k, "premain"), med(f, k, "first"), med(f, k, "load"), med(f, k, "okhttp"),
                    med(f, k, "process")));
        }
        System.out.println(String.format(Locale.ROOT, "| added by the agent | %+.0f | %+.1f | %+.1f | %+.1f | %+.1f | %+.0f |",
                med(f, "agent", "main") - med(f, "none", "main"), med(f, "agent", "premain") - med(f, "none", "premain"),
                med(f, "agent", "first") - med(f, "none", "first"), med(f, "agent", "load") - med(f, "none", "load"),
                med(f, "agent", "okhttp") - med(f, "none", "okhttp"), med(f, "agent", "process") - med(f, "none", "process")));
        System.exit(0);
    }

    static void put(Map<String, Map<String, List<Long>>> f, String k, String what, long v) {
        f.computeIfAbsent(k, x -> new LinkedHashMap<>()).computeIfAbsent(what, x -> new ArrayList<>()).add(v);
    }

    static double med(Map<String, Map<String, List<Long>>> f, String k, String what) {
        return LoadRun.median(f.get(k).get(what)) / 1e6;
    }
}
