package dev.sluice.bench;

import dev.sluice.mock.MockLlmServer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * End-to-end load runs: the mock LLM server on loopback (in this JVM) driven by child JVMs running an ordinary
 * application ({@code dev.sluice.bench.apps.LoadApp}: JDK HttpClient or OkHttp, sync or async), without the agent,
 * with the agent and the endpoint unmatched, and with the agent and the endpoint matched.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.sluice.bench.LoadRun [what=overhead,overload,paired] [rounds=3]
 *      [clients=jdk-sync,jdk-async,okhttp-sync,okhttp-async] [calls=20000] [warmup=5000] [concurrency=16]
 *      [seconds=5] [warmupSeconds=15] [overloadSeconds=15] [loads=1,3,10] [java=/path/to/jdk] [out=benchmarks/target/loadrun.md]
 *      [childJvmArgs='-agentpath:... -XX:...']
 * </pre>
 * Run from the repository root after {@code mvn -pl benchmarks -am package}. Prints Markdown tables (and writes
 * them to {@code out}); each child's raw RESULT line goes to stderr.
 *
 * <h2>overhead</h2>
 * Limits far above the load. Per round, per client, the three set-ups run one after the other (interleaved, so a
 * neighbour's burst of work hits all three alike); the table shows the median over rounds of each figure.
 * Latency: {@code warmup} calls then {@code calls} calls one after the other, each timed from send to body read.
 * Throughput: {@code concurrency} calls in flight for {@code seconds} after a warm-up.
 *
 * <h2>paired</h2>
 * The same figures as overhead, matched against unmatched measured inside one child JVM: the agent attached with
 * the endpoint matching {@code http://127.0.0.1:port/v1}, and two clients of the same kind taking turns, one calling
 * the server as {@code 127.0.0.1} (governed), the other as {@code localhost} (only looked up). A JVM launch of its
 * own per set-up, as overhead does, moves this machine's figures by more than the agent costs; turns inside one
 * process do not. The agent's count of governed calls must equal the first client's calls exactly. With
 * {@code agent=none} the same turns run without the agent: how far apart two identical sides come out.
 *
 * <h2>overload</h2>
 * The server enforces a TPM quota (240k tokens/min, a 1 s bucket; each call is charged 200 tokens: a 400-byte
 * prompt and max_tokens 100, so the quota is 20 calls/s). The app offers 1x, 3x and 10x that for
 * {@code overloadSeconds}, each call with an SDK's retry policy (a 429 is retried twice after its
 * retry-after-ms); with the agent the endpoint has the same TPM and the defaults otherwise (waiting room of 100,
 * max wait 30 s).
 */
public final class LoadRun {
    static final String[] SETUPS = {"none", "unmatched", "matched"};
    static final long QUOTA_TPM = 240_000;
    static final int CALL_TOKENS = 200; // 400-byte prompt = 100 tokens, + max_tokens 100

    final Map<String, String> opts;
    final PrintStream report;
    final StringBuilder md = new StringBuilder();

    LoadRun(Map<String, String> opts) {
        this.opts = opts;
        this.report = System.out;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            if (i < 0) throw new IllegalArgumentException("arguments are key=value: " + s);
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        LoadRun run = new LoadRun(a);
        run.header();
        List<String> what = Arrays.asList(a.getOrDefault("what", "overhead,overload").split(","));
        if (what.contains("overhead")) run.overhead();
        if (what.contains("paired")) run.paired();
        if (what.contains("overload")) run.overload();
        Path out = Path.of(a.getOrDefault("out", "benchmarks/target/loadrun.md"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, run.md.toString(), StandardCharsets.UTF_8);
        System.err.println("written: " + out.toAbsolutePath());
        System.exit(0);
    }

    void print(String s) {
        report.println(s);
        md.append(s).append('\n');
    }

    String java() {
        return opts.get("java");
    }

    List<String> clients() {
        return Arrays.asList(opts.getOrDefault("clients", "jdk-sync,jdk-async,okhttp-sync,okhttp-async").split(","));
    }

    void header() throws Exception {
        Child.Result v = new Child("dev.sluice.bench.apps.StartApp").java(java()).jvmArg("-XshowSettings:properties")
                .run(60);
        String vm = v.stderr.lines().filter(l -> l.contains("java.vm.version") || l.contains("java.runtime.version"))
                .map(String::trim).findFirst().orElse("?");
        print("<!-- LoadRun " + String.join(" ", opts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                + " | child JVM " + vm + " | agent jar " + Files.size(Child.agentJar()) + " bytes -->");
    }

    // ------------------------------------------------------------------------------------------------ configs

    static Path config(String name, String body) throws IOException {
        Path p = Child.work().resolve(name + ".properties");
        Files.writeString(p, body, StandardCharsets.UTF_8);
        return p;
    }

    /** The agent argument for a set-up, or null for none. */
    static String agentFor(String setup, MockLlmServer api) throws IOException {
        switch (setup) {
            case "none":
                return null;
            case "unmatched":
                // An endpoint is configured (same host, another port), but the calls go elsewhere: they pay the lookup.
                return "config=" + config("unmatched", "sluice.endpoint.llm.match=http://127.0.0.1:1/v1\n"
                        + "sluice.endpoint.llm.provider=openai\nsluice.endpoint.llm.rpm=10000000\n"
                        + "sluice.endpoint.llm.tpm=10000000000\nsluice.endpoint.llm.max-concurrent=1000\n");
            case "matched":
                return "config=" + config("matched", "sluice.endpoint.llm.match=" + api.baseUrl() + "/v1\n"
                        + "sluice.endpoint.llm.provider=openai\nsluice.endpoint.llm.rpm=10000000\n"
                        + "sluice.endpoint.llm.tpm=10000000000\nsluice.endpoint.llm.max-concurrent=1000\n");
            default:
                throw new IllegalArgumentException(setup);
        }
    }

    Child app(String client, String agentArgs, MockLlmServer api) {
        String[] cm = client.split("-");
        Child c = new Child("dev.sluice.bench.apps.LoadApp").java(java()).agent(agentArgs)
                .args("url=" + api.chatUrl(), "client=" + cm[0], "mode=" + cm[1]);
        // childJvmArgs: extra JVM options for the application's JVMs, space-separated (a profiler's -agentpath)
        String extra = opts.getOrDefault("childJvmArgs", "").trim();
        if (!extra.isEmpty()) for (String a : extra.split("\\s+")) c.jvmArg(a);
        return c;
    }

    static Map<String, String> runChild(Child c, long timeout, String label) throws Exception {
        Child.Result r = c.run(timeout);
        Map<String, String> m = r.result();
        System.err.println("RUN " + label + " " + new TreeMap<>(m));
        if (r.stderr.contains("[sluice] ERROR") || r.stderr.contains("[sluice] WARN")) {
            System.err.println("  child stderr: " + r.stderr.lines().filter(l -> l.contains("[sluice]")).limit(5).toList());
        }
        int failure = r.stderr.indexOf("LoadApp: first failed call");
        if (failure >= 0) { // the first failure of each kind, with its stack: what a failed call was
            System.err.println("  child stderr, from the first failed call:");
            r.stderr.substring(failure).lines().limit(40).forEach(l -> System.err.println("    " + l));
        }
        return m;
    }

    /** The settings overhead and paired share, as given or their defaults. */
    static final class Settings {
        final int rounds;
        final String calls;
        final String warmup;
        final String concurrency;
        final String seconds;
        /**
         * The JIT compiles the client's and the agent's paths for 5 to 30 s under this load: figures measured before
         * it is done charge the agent for the compiling (3 s of warm-up once showed +46 to +132 us CPU per call). The
         * child warms up for at least this and then until the JIT is quiet (LoadApp.Warmup).
         */
        final String warmupSeconds;

        Settings(Map<String, String> opts) {
            rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
            calls = opts.getOrDefault("calls", "20000");
            warmup = opts.getOrDefault("warmup", "5000");
            concurrency = opts.getOrDefault("concurrency", "16");
            seconds = opts.getOrDefault("seconds", "5");
            warmupSeconds = opts.getOrDefault("warmupSeconds", "15");
        }
    }

    // ------------------------------------------------------------------------------------------------ overhead

    void overhead() throws Exception {
        Settings o = new Settings(opts);
        // figure -> client -> setup -> values over rounds
        Map<String, Map<String, Map<String, List<Long>>>> f = new LinkedHashMap<>();
        List<String> failureKinds = new ArrayList<>(); // why calls failed (warm-up included), per child
        try (MockLlmServer api = MockLlmServer.builder().start()) {
            for (int round = 0; round < o.rounds; round++) {
                for (String client : clients()) {
                    for (String setup : SETUPS) {
                        String agent = agentFor(setup, api);
                        Map<String, String> lat = runChild(app(client, agent, api)
                                .args("phase=latency", "calls=" + o.calls, "warmup=" + o.warmup,
                                        "warmupSeconds=" + o.warmupSeconds), 600, client + " " + setup + " latency");
                        Map<String, String> thr = runChild(app(client, agent, api)
                                .args("phase=throughput", "concurrency=" + o.concurrency, "seconds=" + o.seconds,
                                        "warmupSeconds=" + o.warmupSeconds),
                                600, client + " " + setup + " throughput");
                        for (Map<String, String> r : List.of(lat, thr)) {
                            String kinds = r.getOrDefault("errorKinds", "none");
                            if (!kinds.equals("none")) failureKinds.add(client + " " + setup + " round " + (round + 1)
                                    + (r == lat ? " one at a time" : " in flight") + ": " + kinds);
                        }
                        checkGoverned(setup, lat, Long.parseLong(o.calls) + Long.parseLong(o.warmup));
                        checkGoverned(setup, thr, Long.parseLong(thr.get("calls")));
                        for (String k : new String[]{"p50Ns", "p90Ns", "p99Ns", "p999Ns", "errors"}) {
                            add(f, k, client, setup, Long.parseLong(lat.get(k)));
                        }
                        add(f, "perSecond", client, setup, Long.parseLong(thr.get("perSecond")));
                        add(f, "cpuLat", client, setup, Long.parseLong(lat.get("cpuPerCallNs")));
                        add(f, "cpuThr", client, setup, Long.parseLong(thr.get("cpuPerCallNs")));
                        add(f, "thrErrors", client, setup, Long.parseLong(thr.get("errors")));
                        add(f, "jitLat", client, setup, Long.parseLong(lat.get("jitMs")));
                        add(f, "jitThr", client, setup, Long.parseLong(thr.get("jitMs")));
                        add(f, "warmLat", client, setup, Math.round(10 * Double.parseDouble(lat.get("warmedSeconds"))));
                        add(f, "warmThr", client, setup, Math.round(10 * Double.parseDouble(thr.get("warmedSeconds"))));
                    }
                }
            }
        }
        print("");
        print("#### Latency, one call at a time (µs; median of " + o.rounds + " rounds of " + o.calls + " calls after "
                + o.warmup + " warm-up calls and at least " + o.warmupSeconds + " s, until the JIT was quiet)");
        print("");
        print("| client | set-up | p50 | p90 | p99 | p99.9 | p50 added | errors |");
        print("|---|---|---:|---:|---:|---:|---:|---:|");
        for (String client : clients()) {
            long base = median(f.get("p50Ns").get(client).get("none"));
            for (String setup : SETUPS) {
                long p50 = median(f.get("p50Ns").get(client).get(setup));
                print(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %d |", client, setup,
                        p50 / 1e3, median(f.get("p90Ns").get(client).get(setup)) / 1e3,
                        median(f.get("p99Ns").get(client).get(setup)) / 1e3,
                        median(f.get("p999Ns").get(client).get(setup)) / 1e3,
                        setup.equals("none") ? "" : String.format(Locale.ROOT, "%+.1f µs", (p50 - base) / 1e3),
                        sum(f.get("errors").get(client).get(setup))));
            }
        }
        print("");
        print("#### Throughput, " + o.concurrency + " calls in flight (calls/s; median of " + o.rounds + " rounds of "
                + o.seconds + " s)");
        print("");
        print("| client | none | unmatched | matched | unmatched vs none | matched vs none | errors |");
        print("|---|---:|---:|---:|---:|---:|---:|");
        for (String client : clients()) {
            long n = median(f.get("perSecond").get(client).get("none"));
            long u = median(f.get("perSecond").get(client).get("unmatched"));
            long m = median(f.get("perSecond").get(client).get("matched"));
            long errs = 0;
            for (String s : SETUPS) errs += sum(f.get("thrErrors").get(client).get(s));
            print(String.format(Locale.ROOT, "| %s | %d | %d | %d | %+.1f%% | %+.1f%% | %d |", client, n, u, m,
                    100.0 * (u - n) / n, 100.0 * (m - n) / n, errs));
        }
        printFailureKinds(failureKinds);
        print("");
        print("#### CPU time the application's process spends per call (µs; all its threads: app, client, agent, JIT, GC; "
                + "median of " + o.rounds + " rounds)");
        print("");
        print("On a machine shared with other work this is the steadiest end-to-end figure: time the process spends "
                + "descheduled does not count.");
        print("");
        print("| client | one at a time: none | unmatched | matched | added (matched) | 16 in flight: none | unmatched | matched | added (matched) | JIT ms while measured, none / matched | warm-up s, none / matched |");
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String client : clients()) {
            long[] l = new long[3];
            long[] t = new long[3];
            for (int i = 0; i < 3; i++) {
                l[i] = median(f.get("cpuLat").get(client).get(SETUPS[i]));
                t[i] = median(f.get("cpuThr").get(client).get(SETUPS[i]));
            }
            String jit = (median(f.get("jitLat").get(client).get("none")) + median(f.get("jitThr").get(client).get("none")))
                    + " / " + (median(f.get("jitLat").get(client).get("matched")) + median(f.get("jitThr").get(client).get("matched")));
            String warm = String.format(Locale.ROOT, "%.0f+%.0f / %.0f+%.0f",
                    median(f.get("warmLat").get(client).get("none")) / 10.0, median(f.get("warmThr").get(client).get("none")) / 10.0,
                    median(f.get("warmLat").get(client).get("matched")) / 10.0, median(f.get("warmThr").get(client).get("matched")) / 10.0);
            print(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %+.1f (%+.0f%%) | %.1f | %.1f | %.1f | %+.1f (%+.0f%%) | %s | %s |", client,
                    l[0] / 1e3, l[1] / 1e3, l[2] / 1e3, (l[2] - l[0]) / 1e3, 100.0 * (l[2] - l[0]) / l[0],
                    t[0] / 1e3, t[1] / 1e3, t[2] / 1e3, (t[2] - t[0]) / 1e3, 100.0 * (t[2] - t[0]) / t[0], jit, warm));
        }
        print("");
        print("```");
        print("p50 latency, µs (one call at a time)");
        double max = 0;
        for (String client : clients()) for (String s : SETUPS) max = Math.max(max, median(f.get("p50Ns").get(client).get(s)) / 1e3);
        for (String client : clients()) {
            for (String s : SETUPS) {
                double v = median(f.get("p50Ns").get(client).get(s)) / 1e3;
                print(String.format(Locale.ROOT, "%-13s %-9s %s %.1f", client, s, bar(v, max, 40), v));
            }
        }
        print("```");
    }

    // ------------------------------------------------------------------------------------------------ paired

    void paired() throws Exception {
        Settings o = new Settings(opts);
        // agent=none: the same turns without the agent, to see how far apart two identical sides come out.
        boolean none = "none".equals(opts.get("agent"));
        // figure -> client -> values over rounds
        Map<String, Map<String, List<Long>>> f = new LinkedHashMap<>();
        List<String> failureKinds = new ArrayList<>();
        try (MockLlmServer api = MockLlmServer.builder().start()) {
            String agent = none ? null : agentFor("matched", api);
            String other = api.chatUrl().replace("://127.0.0.1:", "://localhost:");
            if (other.equals(api.chatUrl())) throw new IllegalStateException("the mock is not on 127.0.0.1: " + other);
            for (int round = 0; round < o.rounds; round++) {
                for (String client : clients()) {
                    Map<String, String> lat = runChild(app(client, agent, api).args("url2=" + other,
                            "phase=paired-latency", "calls=" + o.calls, "warmup=" + o.warmup,
                            "warmupSeconds=" + o.warmupSeconds, "threadCpu=true"), 900, client + " paired latency");
                    Map<String, String> thr = runChild(app(client, agent, api).args("url2=" + other,
                            "phase=paired-throughput", "concurrency=" + o.concurrency, "seconds=" + o.seconds,
                            "warmupSeconds=" + o.warmupSeconds), 900, client + " paired throughput");
                    for (Map<String, String> r : List.of(lat, thr)) {
                        long a = Long.parseLong(r.get("aCalls"));
                        if (none ? !r.get("governed").equals("-1")
                                : Long.parseLong(r.get("governed")) != a || !r.get("faults").equals("0")) {
                            throw new IllegalStateException("the agent governed other calls than the matched "
                                    + "client's " + a + ": " + r);
                        }
                        String kinds = r.getOrDefault("errorKinds", "none");
                        if (!kinds.equals("none")) failureKinds.add(client + " round " + (round + 1)
                                + (r == lat ? " one at a time" : " in flight") + ": " + kinds);
                    }
                    for (String k : new String[]{"p50Ns", "p90Ns", "p99Ns", "p999Ns", "cpuPerCallNs"}) {
                        for (String s : new String[]{"a.", "b."}) addPaired(f, s + k, client, Long.parseLong(lat.get(s + k)));
                    }
                    addPaired(f, "p50Added", client, Long.parseLong(lat.get("a.p50Ns")) - Long.parseLong(lat.get("b.p50Ns")));
                    addPaired(f, "cpuAdded", client,
                            Long.parseLong(lat.get("a.cpuPerCallNs")) - Long.parseLong(lat.get("b.cpuPerCallNs")));
                    Map<String, Long> aThreads = byThread(lat.get("a.cpuPerCallByThread"));
                    Map<String, Long> bThreads = byThread(lat.get("b.cpuPerCallByThread"));
                    Set<String> pools = new TreeSet<>(aThreads.keySet());
                    pools.addAll(bThreads.keySet());
                    for (String pool : pools) {
                        addPaired(f, "thread " + pool, client,
                                aThreads.getOrDefault(pool, 0L) - bThreads.getOrDefault(pool, 0L));
                    }
                    long ta = Long.parseLong(thr.get("a.perSecond"));
                    long tb = Long.parseLong(thr.get("b.perSecond"));
                    addPaired(f, "a.perSecond", client, ta);
                    addPaired(f, "b.perSecond", client, tb);
                    addPaired(f, "lossPermille", client, Math.round(1000.0 * (tb - ta) / tb));
                    addPaired(f, "thrCpuAdded", client,
                            Long.parseLong(thr.get("a.cpuPerCallNs")) - Long.parseLong(thr.get("b.cpuPerCallNs")));
                    addPaired(f, "errors", client, Long.parseLong(lat.get("errors")) + Long.parseLong(thr.get("errors")));
                }
            }
        }
        print("");
        print("#### " + (none ? "No agent: a (127.0.0.1) against b (localhost)"
                : "Matched (a, 127.0.0.1) against unmatched (b, localhost)") + " inside one process (median of " + o.rounds + " rounds; per round: "
                + o.calls + " calls per side one at a time in turns of 200, then " + o.seconds + " s per side with "
                + o.concurrency + " in flight in turns of 0.5 s; [min, max] over rounds)");
        print("");
        print("| client | p50 a / b, µs | **p50 added** | p99 a / b | CPU per call added, one at a time | calls/s a / b | **throughput lost** | CPU per call added, in flight | errors |");
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String client : clients()) {
            print(String.format(Locale.ROOT, "| %s | %.1f / %.1f | %s | %.1f / %.1f | %s | %d / %d | %s | %s | %d |", client,
                    median(f.get("a.p50Ns").get(client)) / 1e3, median(f.get("b.p50Ns").get(client)) / 1e3,
                    spread(f.get("p50Added").get(client), 1e3, "%+.1f µs"),
                    median(f.get("a.p99Ns").get(client)) / 1e3, median(f.get("b.p99Ns").get(client)) / 1e3,
                    spread(f.get("cpuAdded").get(client), 1e3, "%+.1f µs"),
                    median(f.get("a.perSecond").get(client)), median(f.get("b.perSecond").get(client)),
                    spread(f.get("lossPermille").get(client), 10, "%.1f%%"),
                    spread(f.get("thrCpuAdded").get(client), 1e3, "%+.1f µs"), sum(f.get("errors").get(client))));
        }
        print("");
        print("CPU per call added one at a time, by thread (a less b; median over rounds; `vm` is the rest of the "
                + "process: JIT, GC, the VM's own threads):");
        print("");
        for (String client : clients()) {
            StringJoiner line = new StringJoiner(", ", "* " + client + ": ", "");
            f.forEach((figure, byClient) -> {
                List<Long> v = figure.startsWith("thread ") ? byClient.get(client) : null;
                if (v != null && Math.abs(median(v)) >= 100) {
                    line.add(String.format(Locale.ROOT, "%s %+.1f µs", figure.substring("thread ".length()), median(v) / 1e3));
                }
            });
            print(line.toString());
        }
        printFailureKinds(failureKinds);
    }

    /** {@code name:ns,name:ns} (LoadApp's {@code cpuPerCallByThread}) as a map; empty when absent. */
    static Map<String, Long> byThread(String v) {
        Map<String, Long> m = new TreeMap<>();
        if (v == null || v.isEmpty()) return m;
        for (String kv : v.split(",")) {
            int i = kv.lastIndexOf(':');
            m.put(kv.substring(0, i), Long.parseLong(kv.substring(i + 1)));
        }
        return m;
    }

    /** Why calls failed, one line per child that had failures; nothing when none did. */
    void printFailureKinds(List<String> failureKinds) {
        if (failureKinds.isEmpty()) return;
        print("");
        print("Failed calls by kind (warm-up included; the first of each kind is on the child's stderr):");
        print("");
        for (String k : failureKinds) print("* " + k);
    }

    static void addPaired(Map<String, Map<String, List<Long>>> f, String k, String client, long v) {
        f.computeIfAbsent(k, x -> new LinkedHashMap<>()).computeIfAbsent(client, x -> new ArrayList<>()).add(v);
    }

    /** The median, then [min, max], each divided by {@code scale} and shown with {@code format}. */
    static String spread(List<Long> v, double scale, String format) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        return String.format(Locale.ROOT, format, median(v) / scale) + " ["
                + String.format(Locale.ROOT, format, s.get(0) / scale) + ", "
                + String.format(Locale.ROOT, format, s.get(s.size() - 1) / scale) + "]";
    }

    /** The set-up is what it says: matched calls went through the gate, the others did not (and no faults). */
    static void checkGoverned(String setup, Map<String, String> r, long atLeast) {
        long governed = Long.parseLong(r.get("governed"));
        long faults = Long.parseLong(r.get("faults"));
        boolean ok = setup.equals("matched") ? governed >= atLeast && faults == 0
                : setup.equals("unmatched") ? governed == 0 && faults == 0 : governed == -1;
        if (!ok) throw new IllegalStateException("set-up " + setup + " is not what it claims: " + r);
    }

    static String ms(String v) {
        long x = Long.parseLong(v);
        return x < 0 ? "–" : x < 1000 ? x + " ms" : String.format(Locale.ROOT, "%.1f s", x / 1000.0);
    }

    static void add(Map<String, Map<String, Map<String, List<Long>>>> f, String k, String client, String setup, long v) {
        f.computeIfAbsent(k, x -> new LinkedHashMap<>()).computeIfAbsent(client, x -> new LinkedHashMap<>())
                .computeIfAbsent(setup, x -> new ArrayList<>()).add(v);
    }

    static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static long sum(List<Long> v) {
        long t = 0;
        for (long x : v) t += x;
        return t;
    }

    static String bar(double v, double max, int width) {
        int n = max <= 0 ? 0 : (int) Math.round(v / max * width);
        return "#".repeat(Math.max(0, n)) + " ".repeat(Math.max(0, width - n));
    }

    // ------------------------------------------------------------------------------------------------ overload

    void overload() throws Exception {
        double seconds = Double.parseDouble(opts.getOrDefault("overloadSeconds", "15"));
        String[] loads = opts.getOrDefault("loads", "1,3,10").split(",");
        double quotaCallsPerSecond = QUOTA_TPM / 60.0 / CALL_TOKENS;
        double burstSeconds = 1.0;
        print("");
        print(String.format(Locale.ROOT, "#### Goodput under overload: quota %d TPM (%.0f calls/s of %d tokens), "
                + "offered for %.0f s, SDK-style retries (2) on 429", QUOTA_TPM, quotaCallsPerSecond, CALL_TOKENS, seconds));
        print("");
        print("| client | offered | agent | calls | succeeded | upstream 429s | gave up on 429 | refused by Sluice | tokens used / quota | wall / ideal | success in, p50 / p99 | failure in, p50 / p99 |");
        print("|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        List<String[]> chart = new ArrayList<>();
        for (String client : clients()) {
            for (String load : loads) {
                double rate = quotaCallsPerSecond * Double.parseDouble(load);
                for (boolean withAgent : new boolean[]{false, true}) {
                    try (MockLlmServer api = MockLlmServer.builder().tpm(QUOTA_TPM).burstSeconds(burstSeconds).start()) {
                        String agent = null;
                        if (withAgent) {
                            agent = "config=" + config("overload", "sluice.endpoint.llm.match=" + api.baseUrl() + "/v1\n"
                                    + "sluice.endpoint.llm.provider=openai\nsluice.endpoint.llm.tpm=" + QUOTA_TPM + "\n"
                                    + String.format(Locale.ROOT, "sluice.endpoint.llm.burst=%.6f%n", burstSeconds / 60.0));
                        }
                        Map<String, String> r = runChild(app(client, agent, api).args("phase=overload",
                                "rate=" + rate, "seconds=" + seconds, "retries=2"), 900,
                                client + " overload " + load + "x agent=" + withAgent);
                        long calls = Long.parseLong(r.get("calls"));
                        long ok = Long.parseLong(r.get("ok"));
                        long wallMs = Long.parseLong(r.get("wallMs"));
                        long charged = api.tokensCharged();
                        double quotaTokens = QUOTA_TPM / 60.0 * (wallMs / 1000.0) + QUOTA_TPM / 60.0 * burstSeconds;
                        // Ideal: the offer window, or the time the quota needs to serve what succeeded, if longer.
                        double idealMs = Math.max(seconds * 1000, (ok * (double) CALL_TOKENS - QUOTA_TPM / 60.0 * burstSeconds)
                                / (QUOTA_TPM / 60.0) * 1000);
                        StringBuilder refused = new StringBuilder();
                        r.forEach((k, v) -> {
                            if (k.startsWith("refused.")) refused.append(refused.length() == 0 ? "" : ", ").append(k.substring(8)).append(' ').append(v);
                        });
                        String refusedText = r.get("refused").equals("0") ? "0" : r.get("refused") + " (" + refused + ")";
                        long other = Long.parseLong(r.get("errors")) + Long.parseLong(r.get("otherStatus"));
                        print(String.format(Locale.ROOT, "| %s | %sx (%.0f/s) | %s | %d | %d | %d | %s | %s | %.0f%% | %.1f s / %.1f s | %s | %s |",
                                client, load, rate, withAgent ? "yes" : "no", calls, ok, api.rateLimited(), r.get("gaveUp429"),
                                refusedText + (other > 0 ? " [" + other + " other errors]" : ""),
                                100.0 * charged / quotaTokens, wallMs / 1000.0, idealMs / 1000.0,
                                ms(r.get("okP50Ms")) + " / " + ms(r.get("okP99Ms")), ms(r.get("failP50Ms")) + " / " + ms(r.get("failP99Ms"))));
                        chart.add(new String[]{client, load, withAgent ? "agent" : "no agent", Long.toString(ok),
                                Long.toString(api.rateLimited())});
                    }
                }
            }
        }
        print("");
        print("```");
        print("succeeded calls (#) and upstream 429s (x) per offered load");
        long max = 1;
        for (String[] c : chart) max = Math.max(max, Math.max(Long.parseLong(c[3]), Long.parseLong(c[4])));
        for (String[] c : chart) {
            long ok = Long.parseLong(c[3]);
            long r429 = Long.parseLong(c[4]);
            print(String.format(Locale.ROOT, "%-13s %3sx %-8s ok   %s %d", c[0], c[1], c[2], bar(ok, max, 40).replace(' ', ' '), ok));
            print(String.format(Locale.ROOT, "%-13s %3s  %-8s 429  %s %d", "", "", "", bar(r429, max, 40).replace('#', 'x'), r429));
        }
        print("```");
    }
}
