package dev.sluice.demo;

import dev.sluice.mock.MockLlmServer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The demo: {@code java -jar demo-app/target/sluice-demo.jar}.
 *
 * <p>Starts a mock LLM API in this JVM (600 RPM, 90,000 TPM, buckets holding one second of quota), then runs the
 * same ordinary application ({@link ChatApp}) twice in a child JVM: once as it is, once with
 * {@code -javaagent:sluice-agent.jar=config=...} and a generated configuration that tells Sluice the mock's limits.
 * Prints both runs side by side.
 *
 * <p>Options (key=value): calls (150), rate (30 calls/s offered), rpm (600), tpm (90000), maxTokens (50),
 * promptBytes (200), completionTokens (30), queueCapacity (40), maxWait (5s). The agent jar comes from
 * {@code -Dsluice.agent.jar=}, {@code SLUICE_AGENT_JAR}, {@code agent/target/sluice-agent.jar} under the working
 * directory, or next to this jar's module ({@code ../../agent/target/} from {@code demo-app/target/}).
 */
public final class Demo {
    private Demo() {
    }

    static final class Settings {
        int calls = 150;
        double rate = 30;
        long rpm = 600;
        long tpm = 90_000;
        int maxTokens = 50;
        int promptBytes = 200;
        int completionTokens = 30;
        int queueCapacity = 40;
        String maxWait = "5s";
    }

    public static void main(String[] args) throws Exception {
        Settings s = new Settings();
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println("usage: java [-Dsluice.agent.jar=PATH] -jar sluice-demo.jar [calls=150] [rate=30] [rpm=600]"
                        + " [tpm=90000] [maxTokens=50] [promptBytes=200] [completionTokens=30] [queueCapacity=40] [maxWait=5s]");
                return;
            }
            int i = arg.indexOf('=');
            if (i <= 0) throw new IllegalArgumentException("expected key=value: " + arg);
            String k = arg.substring(0, i);
            String v = arg.substring(i + 1);
            switch (k) {
                case "calls": s.calls = Integer.parseInt(v); break;
                case "rate": s.rate = Double.parseDouble(v); break;
                case "rpm": s.rpm = Long.parseLong(v); break;
                case "tpm": s.tpm = Long.parseLong(v); break;
                case "maxTokens": s.maxTokens = Integer.parseInt(v); break;
                case "promptBytes": s.promptBytes = Integer.parseInt(v); break;
                case "completionTokens": s.completionTokens = Integer.parseInt(v); break;
                case "queueCapacity": s.queueCapacity = Integer.parseInt(v); break;
                case "maxWait": s.maxWait = v; break;
                default: throw new IllegalArgumentException("unknown option " + k);
            }
        }
        new Demo().run(s);
    }

    private void run(Settings s) throws Exception {
        long perCallCharge = (s.promptBytes + 3) / 4 + s.maxTokens;
        System.out.println("Sluice demo: the same application, the same load, the same LLM API; without and with the agent.");
        System.out.println();
        try (MockLlmServer api = MockLlmServer.builder().rpm(s.rpm).tpm(s.tpm).burstSeconds(1)
                .completionTokens(s.completionTokens).start()) {
            System.out.printf(Locale.ROOT, "The API:  a mock OpenAI-style server at %s, limits %,d requests/min (%s/s) and %,d tokens/min,%n"
                            + "          buckets holding one second of quota; it answers 429 with retry-after past them, and charges each%n"
                            + "          call prompt + max_tokens = %d tokens at arrival, like OpenAI.%n",
                    api.chatUrl(), s.rpm, fmt(s.rpm / 60.0), s.tpm, perCallCharge);
            System.out.printf(Locale.ROOT, "The app:  %d chat calls offered at %s/s (%.1fx what the quota allows) from a thread pool with the%n"
                            + "          JDK HttpClient; each carries X-Sluice-Priority (2 high, 5 normal, 3 low in every 10). Like the%n"
                            + "          OpenAI SDKs it retries a 429 twice, waiting retry-after-ms. It knows nothing of Sluice.%n",
                    s.calls, fmt(s.rate), s.rate / (s.rpm / 60.0));
            System.out.println();

            Path agentJar = findAgentJar();
            List<String> app = List.of("url=" + api.chatUrl(), "calls=" + s.calls, "rate=" + s.rate,
                    "maxTokens=" + s.maxTokens, "promptBytes=" + s.promptBytes, "retries=2");

            System.out.println("Run 1: without Sluice ...");
            Run without = runChild(null, null, app);
            without.upstream = Upstream.of(api);
            System.out.println("       " + without.summary());

            Run with = null;
            if (agentJar == null) {
                System.out.println();
                System.out.println("The agent jar was not found, so only the run without Sluice took place. Build it from the repository root");
                System.out.println("with   mvn -B -q -DskipTests package   (it lands in agent/target/sluice-agent.jar), or point to it with");
                System.out.println("-Dsluice.agent.jar=/path/sluice-agent.jar, then run the demo again.");
            } else {
                // A fresh quota for the second run, as after a quiet minute.
                api.reset().refill();
                Path config = writeConfig(api, s);
                System.out.println("Run 2: with -javaagent:" + agentJar + "=config=" + config);
                System.out.println("       (the generated configuration is in " + config.getParent() + ")");
                with = runChild(agentJar, config, app);
                with.upstream = Upstream.of(api);
                System.out.println("       " + with.summary());
                if (!with.ok()) {
                    System.out.println();
                    System.out.println("The run with the agent did not complete (exit " + with.exit + "); its output:");
                    System.out.println(indent(with.stdout + with.stderr));
                    with = null;
                } else {
                    List<String> agentLines = new ArrayList<>();
                    for (String line : with.stderr.split("\n")) {
                        if (line.toLowerCase(Locale.ROOT).contains("sluice") && agentLines.size() < 6) agentLines.add(line);
                    }
                    if (!agentLines.isEmpty()) {
                        System.out.println("       the agent said:");
                        agentLines.forEach(l -> System.out.println("         " + l));
                    }
                }
            }
            System.out.println();
            if (!without.ok()) {
                System.out.println("The run without the agent did not complete (exit " + without.exit + "); its output:");
                System.out.println(indent(without.stdout + without.stderr));
                System.exit(1);
            }
            printTable(s, without, with);
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Child JVMs

    static final class Upstream {
        long requests;
        long rateLimited;
        long tokensCharged;
        int maxConcurrent;

        static Upstream of(MockLlmServer api) {
            Upstream u = new Upstream();
            u.requests = api.requests();
            u.rateLimited = api.rateLimited();
            u.tokensCharged = api.tokensCharged();
            u.maxConcurrent = api.maxConcurrent();
            return u;
        }
    }

    static final class Run {
        int exit;
        String stdout = "";
        String stderr = "";
        Map<String, String> result;
        Upstream upstream;

        boolean ok() {
            return exit == 0 && result != null;
        }

        long num(String key) {
            String v = result == null ? null : result.get(key);
            return v == null ? 0 : Long.parseLong(v);
        }

        String summary() {
            if (!ok()) return "failed (exit " + exit + ")";
            return String.format(Locale.ROOT, "%d calls: %d succeeded, %d 429s seen, %d refused by Sluice, in %.1f s",
                    num("calls"), num("ok"), num("upstream429"), num("refused"), num("wallMs") / 1000.0);
        }
    }

    private static Run runChild(Path agentJar, Path config, List<String> appArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        if (agentJar != null) cmd.add("-javaagent:" + agentJar + "=config=" + config);
        cmd.add("-cp");
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) cp.add(Path.of(e).toAbsolutePath().toString());
        }
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(ChatApp.class.getName());
        cmd.addAll(appArgs);
        Path out = Files.createTempFile("sluice-demo-", ".out");
        Path err = Files.createTempFile("sluice-demo-", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            Run r = new Run();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                r.exit = -1;
            } else {
                r.exit = p.exitValue();
            }
            r.stdout = Files.readString(out, StandardCharsets.UTF_8);
            r.stderr = Files.readString(err, StandardCharsets.UTF_8);
            for (String line : r.stdout.split("\n")) {
                if (line.startsWith("RESULT ")) {
                    Map<String, String> m = new HashMap<>();
                    for (String kv : line.substring(7).trim().split(" ")) {
                        int i = kv.indexOf('=');
                        if (i > 0) m.put(kv.substring(0, i), kv.substring(i + 1));
                    }
                    r.result = m;
                }
            }
            return r;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** -Dsluice.agent.jar, SLUICE_AGENT_JAR, ./agent/target, or beside this jar's module; null if none exists. */
    static Path findAgentJar() {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("sluice.agent.jar");
        if (prop != null && !prop.isBlank()) return existing(Path.of(prop).toAbsolutePath().normalize(), true);
        String env = System.getenv("SLUICE_AGENT_JAR");
        if (env != null && !env.isBlank()) return existing(Path.of(env).toAbsolutePath().normalize(), true);
        candidates.add(Path.of("agent", "target", "sluice-agent.jar"));
        candidates.add(Path.of("..", "agent", "target", "sluice-agent.jar"));
        String cp = System.getProperty("java.class.path");
        if (cp != null && !cp.contains(File.pathSeparator) && cp.endsWith(".jar")) {
            Path dir = Path.of(cp).toAbsolutePath().getParent(); // demo-app/target
            if (dir != null) {
                candidates.add(dir.resolve("../../agent/target/sluice-agent.jar"));
                candidates.add(dir.resolve("../agent/target/sluice-agent.jar"));
                candidates.add(dir.resolve("sluice-agent.jar"));
            }
        }
        for (Path c : candidates) {
            Path p = existing(c.toAbsolutePath().normalize(), false);
            if (p != null) return p;
        }
        return null;
    }

    private static Path existing(Path p, boolean named) {
        if (Files.isRegularFile(p)) return p;
        if (named) System.out.println("(no agent jar at " + p + ")");
        return null;
    }

    /** The configuration a user would write: one endpoint, the provider's own limits. */
    static Path writeConfig(MockLlmServer api, Settings s) throws IOException {
        Path dir = Files.createTempDirectory("sluice-demo-");
        Path file = dir.resolve("sluice.properties");
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("sluice.reload", "0");
        keys.put("sluice.endpoint.demo.match", api.baseUrl() + "/v1");
        keys.put("sluice.endpoint.demo.provider", "openai");
        keys.put("sluice.endpoint.demo.rpm", String.valueOf(s.rpm));
        keys.put("sluice.endpoint.demo.tpm", String.valueOf(s.tpm));
        keys.put("sluice.endpoint.demo.burst", String.valueOf(1.0 / 60));
        keys.put("sluice.endpoint.demo.queue.capacity", String.valueOf(s.queueCapacity));
        keys.put("sluice.endpoint.demo.queue.max-wait", s.maxWait);
        StringBuilder b = new StringBuilder();
        b.append("# Written by the Sluice demo: one endpoint, the mock API's own limits.\n");
        b.append("# burst = 1/60: the buckets hold one second of quota, as the mock's do.\n");
        b.append("# Low-priority calls are shed first when the waiting room fills; a call that would wait longer than\n");
        b.append("# queue.max-wait is refused at once.\n");
        keys.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
    }

    // -------------------------------------------------------------------------------------------------------------
    // The table

    private static void printTable(Settings s, Run without, Run with) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"", "without Sluice", with == null ? "with Sluice (not run)" : "with Sluice"});
        row(rows, "calls the app made", without, with, r -> String.valueOf(r.num("calls")));
        row(rows, "succeeded", without, with, r -> String.valueOf(r.num("ok")));
        row(rows, "  of them high / normal / low", without, with,
                r -> r.num("ok.high") + " / " + r.num("ok.normal") + " / " + r.num("ok.low"));
        row(rows, "429s the app got (incl. retries)", without, with, r -> String.valueOf(r.num("upstream429")));
        row(rows, "calls failed with 429 after 2 retries", without, with, r -> String.valueOf(r.num("gaveUp429")));
        row(rows, "refused by Sluice", without, with, r -> String.valueOf(r.num("refused")));
        row(rows, "  why", without, with, Demo::reasons);
        row(rows, "  by priority high / normal / low", without, with,
                r -> r.num("refused.high") + " / " + r.num("refused.normal") + " / " + r.num("refused.low"));
        row(rows, "other errors", without, with, r -> String.valueOf(r.num("errors") + r.num("otherStatus")));
        row(rows, "wall time", without, with, r -> String.format(Locale.ROOT, "%.1f s", r.num("wallMs") / 1000.0));
        row(rows, "latency of successes p50 / max", without, with,
                r -> r.num("ok") == 0 ? "-" : r.num("p50Ms") + " / " + r.num("maxMs") + " ms");
        row(rows, "HTTP requests that reached the API", without, with, r -> String.valueOf(r.upstream.requests));
        row(rows, "tokens used (sum of usage.total_tokens)", without, with, r -> String.format(Locale.ROOT, "%,d", r.num("tokens")));
        row(rows, "tokens the API charged (prompt+max_tokens)", without, with,
                r -> String.format(Locale.ROOT, "%,d", r.upstream.tokensCharged));
        row(rows, "charged tokens/min vs TPM quota " + String.format(Locale.ROOT, "%,d", s.tpm), without, with,
                r -> String.format(Locale.ROOT, "%,d (%d%%)", perMinute(r), Math.round(100.0 * perMinute(r) / s.tpm)));

        int w0 = 0;
        int w1 = 0;
        for (String[] r : rows) {
            w0 = Math.max(w0, r[0].length());
            w1 = Math.max(w1, r[1].length());
        }
        for (String[] r : rows) {
            System.out.println(pad(r[0], w0) + "   " + padLeft(r[1], w1) + "   " + r[2]);
        }
        System.out.println();
        System.out.println(explain(s, without, with));
    }

    private interface Cell {
        String of(Run r);
    }

    private static void row(List<String[]> rows, String name, Run without, Run with, Cell cell) {
        rows.add(new String[]{name, cell.of(without), with == null ? "-" : cell.of(with)});
    }

    private static String reasons(Run r) {
        Map<String, Long> m = new TreeMap<>();
        r.result.forEach((k, v) -> {
            if (k.startsWith("refused.") && !k.equals("refused.high") && !k.equals("refused.normal") && !k.equals("refused.low")) {
                m.put(k.substring(8), Long.parseLong(v));
            }
        });
        if (m.isEmpty()) return "-";
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    /** The agent was active: something was refused, or far fewer 429s came back; and it did not say it failed. */
    private static boolean governed(Run with) {
        String err = with.stderr.toLowerCase(Locale.ROOT);
        if (err.contains("failed to start") || err.contains("is not active")) return false;
        return with.num("refused") > 0 || with.num("upstream429") == 0 || with.upstream.rateLimited == 0;
    }

    private static long perMinute(Run r) {
        double sec = Math.max(0.001, r.num("wallMs") / 1000.0);
        return Math.round(r.upstream.tokensCharged / sec * 60);
    }

    private static String explain(Settings s, Run without, Run with) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Without Sluice the app sends as fast as its callers ask, %.1fx the quota: the API answers %,d "
                        + "429s, the SDK-style retries hammer it again at the time it names, and %d of %d calls still fail after "
                        + "their retries. ",
                s.rate / (s.rpm / 60.0), without.num("upstream429"), without.num("gaveUp429"), without.num("calls")));
        if (with == null) {
            b.append("With the agent attached, Sluice would hold each call until the quota has room, so the API need not "
                    + "refuse it; build the agent to see it.");
        } else if (!governed(with)) {
            b.append(String.format(Locale.ROOT, "With the agent attached the calls were NOT governed as they should be "
                    + "(%d 429s, nothing refused): the agent did not become active, or its configuration does not match "
                    + "the API; see what it said above.", with.num("upstream429")));
        } else {
            b.append("With the agent attached, the application is unchanged, but every call passes Sluice's gate: it "
                    + "goes out only when the local RPM and TPM buckets, set to the API's own limits, have room, ");
            b.append(with.num("upstream429") == 0 ? "so the API never had to answer 429. "
                    : String.format(Locale.ROOT, "so the API answered only %d 429s. ", with.num("upstream429")));
            if (with.num("refused") > 0) {
                b.append(String.format(Locale.ROOT, "Calls beyond what the quota could serve in time waited in a bounded "
                                + "waiting room; when it filled, Sluice refused %d of them at once, each with an explicit "
                                + "reason (%s), low priority first (%d low, %d normal, %d high), instead of letting every "
                                + "caller fail slowly upstream. ",
                        with.num("refused"), reasons(with), with.num("refused.low"), with.num("refused.normal"),
                        with.num("refused.high")));
            } else {
                b.append("Calls waited their turn in Sluice's waiting room; none had to be refused. ");
            }
            b.append(String.format(Locale.ROOT, "%d calls succeeded, at the rate the API allows.", with.num("ok")));
        }
        return wrap(b.toString(), 110);
    }

    // -------------------------------------------------------------------------------------------------------------

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }

    private static String indent(String s) {
        StringBuilder b = new StringBuilder();
        for (String line : s.split("\n")) b.append("  | ").append(line).append('\n');
        return b.toString();
    }

    private static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + 1 + word.length() > width) {
                out.append('\n');
                col = 0;
            } else if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }
}
