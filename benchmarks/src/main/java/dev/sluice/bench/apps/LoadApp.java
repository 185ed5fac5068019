package dev.sluice.bench.apps;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * The load-run child application: an ordinary program that knows nothing of Sluice, calling chat completions
 * through the JDK HttpClient or OkHttp, sync or async, and printing one {@code RESULT k=v ...} line.
 * Arguments are key=value: {@code client} (jdk|okhttp), {@code mode} (sync|async), {@code url}, {@code phase}:
 * <ul>
 *   <li>{@code latency}: {@code warmup} calls and the warm-up time, then {@code calls} calls one after the other;
 *       each call's time (send to body read) gives p50/p99/p999.</li>
 *   <li>{@code throughput}: {@code concurrency} calls in flight at all times (threads for sync, a window of
 *       futures for async) for the warm-up time, then for {@code seconds}; completed calls per second.</li>
 *   <li>{@code overload}: {@code rate} calls per second offered for {@code seconds} (each sync call on a thread
 *       of its own), with an SDK's retry policy: a 429/503 is retried up to {@code retries} times after its
 *       {@code retry-after-ms} (else 0.5 s doubling) with jitter; a refusal by Sluice is final.</li>
 *   <li>{@code paired-latency}, {@code paired-throughput}: the same two measurements inside one process, taking
 *       turns between two clients of the same kind: one calls {@code url}, the other {@code url2}, the same server
 *       under another host name (see {@link #pairedLatency}). With {@code threadCpu=true} the latency phase also
 *       gives each side's CPU per call by thread pool ({@code a.cpuPerCallByThread}): which threads a call keeps
 *       busy, to the nanosecond, where the process's CPU clock ticks in 10 ms.</li>
 * </ul>
 * The warm-up time is at least {@code warmupSeconds} (15) and then until the JIT is done (see {@link Warmup}), at
 * most {@code maxWarmupSeconds} (90); the RESULT line says how long it took ({@code warmedSeconds}).
 */
public final class LoadApp {
    interface Client {
        /** Blocking call: the status and the body (or throws). */
        Answer send(String body) throws Exception;

        /** Asynchronous call: {@code done} is told once. */
        void sendAsync(String body, Done done);
    }

    interface Done {
        void accept(Answer a, Throwable error);
    }

    static final class Answer {
        final int status;
        final String body;
        final long retryAfterMs;

        Answer(int status, String body, long retryAfterMs) {
            this.status = status;
            this.body = body;
            this.retryAfterMs = retryAfterMs;
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        String clientName = a.getOrDefault("client", "jdk");
        boolean async = "async".equals(a.getOrDefault("mode", "sync"));
        int promptBytes = Integer.parseInt(a.getOrDefault("promptBytes", "400"));
        int maxTokens = Integer.parseInt(a.getOrDefault("maxTokens", "100"));
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(promptBytes) + "\"}]}";
        Client client = "okhttp".equals(clientName) ? new OkHttpClientAdapter(url) : new JdkClientAdapter(url);
        String phase = a.getOrDefault("phase", "latency");
        String result;
        switch (phase) {
            case "latency":
                result = latency(client, async, body, Integer.parseInt(a.getOrDefault("warmup", "5000")), warmup(a),
                        Integer.parseInt(a.getOrDefault("calls", "20000")));
                break;
            case "throughput":
                result = throughput(client, async, body, Integer.parseInt(a.getOrDefault("concurrency", "16")), warmup(a),
                        Double.parseDouble(a.getOrDefault("seconds", "5")));
                break;
            case "paired-latency":
                result = pairedLatency(client, pairedClient(clientName, a), async, body,
                        Integer.parseInt(a.getOrDefault("warmup", "5000")), warmup(a),
                        Integer.parseInt(a.getOrDefault("calls", "20000")), Integer.parseInt(a.getOrDefault("block", "200")),
                        Boolean.parseBoolean(a.getOrDefault("threadCpu", "false")));
                break;
            case "paired-throughput":
                result = pairedThroughput(client, pairedClient(clientName, a), async, body,
                        Integer.parseInt(a.getOrDefault("concurrency", "16")), warmup(a),
                        Double.parseDouble(a.getOrDefault("seconds", "5")),
                        Double.parseDouble(a.getOrDefault("blockSeconds", "0.5")));
                break;
            case "overload":
                result = overload(client, async, body, Double.parseDouble(a.getOrDefault("rate", "10")),
                        Double.parseDouble(a.getOrDefault("seconds", "10")),
                        Integer.parseInt(a.getOrDefault("retries", "2")));
                break;
            default:
                throw new IllegalArgumentException("phase " + phase);
        }
        System.out.println("RESULT " + result + " " + sluiceFigures());
        System.out.flush();
        System.exit(0);
    }

    static Client pairedClient(String clientName, Map<String, String> a) {
        String url2 = a.get("url2");
        if (url2 == null) throw new IllegalArgumentException("paired phases need url2");
        return "okhttp".equals(clientName) ? new OkHttpClientAdapter(url2) : new JdkClientAdapter(url2);
    }

    /** Each thread's label, the name it had when first seen (OkHttp renames its threads to the task they run). */
    private static final Map<Long, String> THREAD_LABELS = new HashMap<>();

    /** A thread's pool: its name without numbers; OkHttp's dispatcher threads are named after the call they run. */
    static String label(String threadName) {
        if (threadName.startsWith("OkHttp ") && threadName.contains("://")) return "OkHttp_Dispatcher";
        return threadName.replaceAll("[0-9]+", "#").replace(' ', '_');
    }

    /** CPU time of each live Java thread so far, by thread id. */
    static Map<Long, Long> threadCpuNs() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> m = new HashMap<>();
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti == null) continue;
            long ns = mx.getThreadCpuTime(ti.getThreadId());
            if (ns < 0) continue;
            m.put(ti.getThreadId(), ns);
            THREAD_LABELS.computeIfAbsent(ti.getThreadId(), id -> label(ti.getThreadName()));
        }
        return m;
    }

    /**
     * Adds each thread pool's CPU since {@code before} to {@code into}; {@code vm} gets the rest of the process's
     * {@code processNs} (JIT, GC, the VM's own threads, and a thread that ended meanwhile).
     */
    static void addThreadCpu(Map<String, Long> into, Map<Long, Long> before, long processNs) {
        long java = 0;
        for (Map.Entry<Long, Long> e : threadCpuNs().entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            into.merge(THREAD_LABELS.get(e.getKey()), d, Long::sum);
            java += d;
        }
        into.merge("vm", processNs - java, Long::sum);
    }

    static Warmup warmup(Map<String, String> a) {
        return new Warmup(Double.parseDouble(a.getOrDefault("warmupSeconds", "15")),
                Double.parseDouble(a.getOrDefault("maxWarmupSeconds", "90")));
    }

    // ------------------------------------------------------------------------------------------------ latency

    /** CPU time this whole process has used (every thread: the app's, the client's, the agent's, JIT and GC). */
    static long processCpuNs() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    /** Milliseconds the JIT has spent compiling so far (-1 if the JVM does not say). */
    static long jitMs() {
        java.lang.management.CompilationMXBean c = java.lang.management.ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
    }

    /**
     * When warm-up is over: at least {@code minSeconds}, and then the JIT quiet (under {@link #QUIET_JIT_MS} ms of
     * compiling per second) for {@link #QUIET_SECONDS} seconds in a row; at most {@code maxSeconds}. A fixed warm-up
     * is not enough: with 16 callers on 2 cores the one C2 thread works through a backlog for 15 to 30 s (the JDK
     * HttpClient needs ~650 C2 compiles, OkHttp ~420), and CPU measured meanwhile says more about the JIT than
     * the call. Polled by one thread.
     */
    static final class Warmup {
        static final long QUIET_JIT_MS = 20;
        static final int QUIET_SECONDS = 3;
        final long start = System.nanoTime();
        final long minNanos;
        final long maxNanos;
        long lastAt = start;
        long lastJit = jitMs();
        int quiet;

        Warmup(double minSeconds, double maxSeconds) {
            minNanos = (long) (minSeconds * 1e9);
            maxNanos = (long) (Math.max(minSeconds, maxSeconds) * 1e9);
        }

        boolean done() {
            long now = System.nanoTime();
            if (now - start >= maxNanos) return true;
            if (now - lastAt >= 1_000_000_000L) {
                long j = jitMs();
                quiet = j - lastJit < QUIET_JIT_MS ? quiet + 1 : 0;
                lastJit = j;
                lastAt = now;
            }
            return now - start >= minNanos && quiet >= QUIET_SECONDS;
        }

        String seconds() {
            return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
        }
    }

    /** Warms up for {@code warmup} calls and until {@link Warmup} says the JIT is done, then times {@code calls} calls. */
    static String latency(Client client, boolean async, String body, int warmup, Warmup w, int calls)
            throws Exception {
        long[] t = new long[calls];
        int errors = 0;
        for (int i = 0; i < warmup || !w.done(); i++) {
            if (!ok(client, async, body)) errors++;
        }
        String warmed = w.seconds();
        long cpu0 = processCpuNs();
        long jit0 = jitMs();
        for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            if (!ok(client, async, body)) errors++;
            t[i] = System.nanoTime() - s;
        }
        long cpu = processCpuNs() - cpu0;
        long jit = jitMs() - jit0;
        Arrays.sort(t);
        double mean = Arrays.stream(t).average().orElse(0);
        return "cpuPerCallNs=" + cpu / calls + " calls=" + calls + " errors=" + errors + " p50Ns=" + pct(t, 0.50) + " p90Ns=" + pct(t, 0.90)
                + " p99Ns=" + pct(t, 0.99) + " p999Ns=" + pct(t, 0.999) + " maxNs=" + t[t.length - 1]
                + " meanNs=" + (long) mean + " jitMs=" + jit + " warmedSeconds=" + warmed + failureKinds();
    }

    /** One call; false when it failed or did not answer 200 (a failed call is counted, as the throughput phase does). */
    static boolean ok(Client client, boolean async, String body) {
        try {
            Answer r = async ? await(client, body) : client.send(body);
            return r != null && r.status == 200 || failed(r, null);
        } catch (Exception e) {
            return failed(null, e);
        }
    }

    /** Why calls failed: "status-503", or the exception's class and its cause's; counted per kind. */
    static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

    /** Counts one failed call by its kind; false, so a caller can return it. The first of each kind goes to stderr. */
    static boolean failed(Answer r, Throwable e) {
        String kind;
        if (e == null) {
            kind = r == null ? "no-answer" : "status-" + r.status;
        } else {
            while ((e instanceof java.util.concurrent.CompletionException
                    || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
                e = e.getCause();
            }
            kind = e.getClass().getName() + (e.getCause() != null ? "<-" + e.getCause().getClass().getName() : "");
        }
        if (FAILURES.computeIfAbsent(kind, k -> new AtomicInteger()).getAndIncrement() == 0) {
            System.err.println("LoadApp: first failed call of kind " + kind + (e != null ? ": " + e : ""));
            if (e != null) e.printStackTrace();
        }
        return false;
    }

    /** {@code errorKinds=} for the result line: kind:count pairs, comma separated, or "none". */
    static String failureKinds() {
        if (FAILURES.isEmpty()) return " errorKinds=none";
        StringBuilder b = new StringBuilder(" errorKinds=");
        new TreeMap<>(FAILURES).forEach((k, v) -> b.append(k).append(':').append(v.get()).append(','));
        return b.substring(0, b.length() - 1);
    }

    static long pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static Answer await(Client client, String body) throws Exception {
        CountDownLatch l = new CountDownLatch(1);
        Answer[] out = new Answer[1];
        Throwable[] err = new Throwable[1];
        client.sendAsync(body, (r, e) -> {
            out[0] = r;
            err[0] = e;
            l.countDown();
        });
        l.await();
        if (err[0] instanceof Exception) throw (Exception) err[0];
        if (err[0] != null) throw new RuntimeException(err[0]);
        return out[0];
    }

    // ------------------------------------------------------------------------------------------------ throughput

    /**
     * {@code concurrency} calls in flight (threads for sync, a window of futures for async) until {@link Warmup} says
     * the JIT is done, then {@code seconds} measured: calls completed, CPU and JIT time between the two marks.
     */
    static String throughput(Client client, boolean async, String body, int concurrency, Warmup w,
                             double seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore window = new Semaphore(concurrency);
        Thread[] callers = callers(new Client[] {client}, () -> 0, async, concurrency, body, stop, window, errors,
                s -> done.incrementAndGet());
        for (Thread t : callers) t.start();
        while (!w.done()) TimeUnit.MILLISECONDS.sleep(100);
        String warmed = w.seconds();
        long cpu0 = processCpuNs();
        long jit0 = jitMs();
        long done0 = done.get();
        long errors0 = errors.get();
        TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
        long cpu = processCpuNs() - cpu0;
        long jit = jitMs() - jit0;
        long count = done.get() - done0;
        long failed = errors.get() - errors0;
        stop.set(true);
        for (Thread t : callers) t.join();
        if (async) window.acquire(concurrency); // the calls still in flight end before the process does
        return "cpuPerCallNs=" + cpu / Math.max(1, count) + " concurrency=" + concurrency + " calls=" + count + " errors=" + failed
                + " perSecond=" + (long) (count / seconds) + " jitMs=" + jit + " warmedSeconds=" + warmed + failureKinds();
    }

    /**
     * The callers that keep {@code concurrency} calls in flight until {@code stop}: a thread each for sync, one thread
     * sending within {@code window} for async. Each call goes to {@code clients[side]}, {@code side} read as it starts;
     * {@code ended} is told the side of every call that ends, a failed one counted in {@code errors} too.
     */
    static Thread[] callers(Client[] clients, IntSupplier side, boolean async, int concurrency, String body,
                            AtomicBoolean stop, Semaphore window, AtomicLong errors, IntConsumer ended) {
        if (async) {
            return new Thread[] {new Thread(() -> {
                try {
                    while (!stop.get()) {
                        if (!window.tryAcquire(10, TimeUnit.MILLISECONDS)) continue;
                        int s = side.getAsInt();
                        clients[s].sendAsync(body, (r, e) -> {
                            if (e != null || r.status != 200) {
                                errors.incrementAndGet();
                                failed(r, e);
                            }
                            ended.accept(s);
                            window.release();
                        });
                    }
                } catch (InterruptedException ignored) {
                    // stopped
                }
            }, "caller")};
        }
        Thread[] callers = new Thread[concurrency];
        for (int k = 0; k < concurrency; k++) {
            callers[k] = new Thread(() -> {
                while (!stop.get()) {
                    int s = side.getAsInt();
                    if (!ok(clients[s], false, body)) errors.incrementAndGet();
                    ended.accept(s);
                }
            }, "caller-" + k);
        }
        return callers;
    }

    // ------------------------------------------------------------------------------------------------ paired

    /**
     * One call at a time, taking turns in blocks of {@code block} calls between {@code a} (its URL matched by an
     * endpoint) and {@code b} (the same server under a host name nothing matches: the agent only looks it up), until
     * each has made {@code calls}. Separate launches of this JDK client differ by more than Sluice costs (its p50
     * moves ±35 µs from one JVM to the next); inside one process the JIT, the GC, the neighbours and where the
     * hypervisor puts the vCPUs fall on both sides alike. Keys are prefixed {@code a.} and {@code b.}; {@code aCalls}
     * counts a's calls with the warm-up, which the agent's count of governed calls must equal.
     */
    static String pairedLatency(Client a, Client b, boolean async, String body, int warmup, Warmup w, int calls,
                                int block, boolean threadCpu) throws Exception {
        Client[] side = {a, b};
        long[][] t = new long[2][calls];
        int[] n = new int[2];
        long[] cpu = new long[2];
        List<Map<String, Long>> byThread = List.of(new TreeMap<>(), new TreeMap<>());
        long aCalls = 0;
        int errors = 0;
        for (int i = 0; i < warmup || !w.done(); i++) {
            if (!ok(a, async, body)) errors++;
            if (!ok(b, async, body)) errors++;
            aCalls++;
        }
        String warmed = w.seconds();
        long jit0 = jitMs();
        for (int s = 0; n[0] < calls || n[1] < calls; s ^= 1) {
            Map<Long, Long> th0 = threadCpu ? threadCpuNs() : null; // outside the turn's own figure
            long c0 = processCpuNs();
            for (int k = 0; k < block && n[s] < calls; k++) {
                long start = System.nanoTime();
                if (!ok(side[s], async, body)) errors++;
                t[s][n[s]++] = System.nanoTime() - start;
            }
            long c = processCpuNs() - c0;
            cpu[s] += c;
            if (threadCpu) addThreadCpu(byThread.get(s), th0, c);
        }
        aCalls += calls;
        StringBuilder r = new StringBuilder("calls=" + calls + " block=" + block + " aCalls=" + aCalls);
        for (int s = 0; s < 2; s++) {
            long[] x = t[s];
            Arrays.sort(x);
            String p = s == 0 ? " a." : " b.";
            r.append(p).append("p50Ns=").append(pct(x, 0.50)).append(p).append("p90Ns=").append(pct(x, 0.90))
                    .append(p).append("p99Ns=").append(pct(x, 0.99)).append(p).append("p999Ns=").append(pct(x, 0.999))
                    .append(p).append("cpuPerCallNs=").append(cpu[s] / calls);
            if (threadCpu) {
                StringJoiner g = new StringJoiner(",");
                byThread.get(s).forEach((pool, ns) -> {
                    if (Math.abs(ns / calls) >= 100) g.add(pool + ":" + ns / calls);
                });
                r.append(p).append("cpuPerCallByThread=").append(g);
            }
        }
        return r + " errors=" + errors + " jitMs=" + (jitMs() - jit0) + " warmedSeconds=" + warmed + failureKinds();
    }

    /**
     * {@code concurrency} calls in flight, every new call going to the side whose turn it is: {@code a} and
     * {@code b} (as in {@link #pairedLatency}) take turns of {@code blockSeconds} until each has had {@code seconds}.
     * A side's rate counts only its own calls ending in its own turns: the calls still in flight from the other
     * side when a turn begins take its first moments from both sides alike.
     */
    static String pairedThroughput(Client a, Client b, boolean async, String body, int concurrency, Warmup w,
                                   double seconds, double blockSeconds) throws Exception {
        Client[] side = {a, b};
        AtomicLongArray done = new AtomicLongArray(2);
        AtomicLong errors = new AtomicLong();
        AtomicInteger turn = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore window = new Semaphore(concurrency);
        Thread[] callers = callers(side, turn::get, async, concurrency, body, stop, window, errors, done::incrementAndGet);
        for (Thread t : callers) t.start();
        long blockNanos = (long) (blockSeconds * 1e9);
        while (!w.done()) {
            TimeUnit.NANOSECONDS.sleep(blockNanos);
            turn.set(turn.get() ^ 1);
        }
        String warmed = w.seconds();
        long aBefore = done.get(0);
        long jit0 = jitMs();
        long errors0 = errors.get();
        long[] count = new long[2];
        long[] cpu = new long[2];
        long[] all = new long[2];
        long[] nanos = new long[2];
        int blocks = (int) Math.max(1, Math.round(seconds / blockSeconds));
        for (int k = 0; k < 2 * blocks; k++) {
            int s = k & 1;
            turn.set(s);
            long d0 = done.get(s);
            long a0 = done.get(0) + done.get(1);
            long c0 = processCpuNs();
            long t0 = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(blockNanos);
            nanos[s] += System.nanoTime() - t0;
            cpu[s] += processCpuNs() - c0;
            all[s] += done.get(0) + done.get(1) - a0;
            count[s] += done.get(s) - d0;
        }
        long jit = jitMs() - jit0;
        long failed = errors.get() - errors0;
        stop.set(true);
        for (Thread t : callers) t.join();
        if (async) window.acquire(concurrency); // the calls still in flight end before the process does
        long aCalls = done.get(0);
        StringBuilder r = new StringBuilder("concurrency=" + concurrency + " blockSeconds=" + blockSeconds
                + " blocks=" + blocks + " aCalls=" + aCalls + " aMeasuredFrom=" + aBefore);
        for (int s = 0; s < 2; s++) {
            String p = s == 0 ? " a." : " b.";
            r.append(p).append("calls=").append(count[s]).append(p).append("perSecond=")
                    .append((long) (count[s] * 1e9 / nanos[s])).append(p).append("cpuPerCallNs=")
                    .append(cpu[s] / Math.max(1, all[s]));
        }
        return r + " errors=" + failed + " jitMs=" + jit + " warmedSeconds=" + warmed + failureKinds();
    }

    // ------------------------------------------------------------------------------------------------ overload

    static String overload(Client client, boolean async, String body, double rate, double seconds, int retries)
            throws Exception {
        int calls = (int) Math.round(rate * seconds);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger gaveUp429 = new AtomicInteger();
        AtomicInteger seen429 = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        AtomicLongArray finishedAt = new AtomicLongArray(calls);
        long[] took = new long[calls]; // first send to final outcome, ns; negative for a failure
        long[] offeredAt = new long[calls];
        Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(calls);
        ExecutorService pool = Executors.newCachedThreadPool();
        java.util.concurrent.ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        long start = System.nanoTime();

        class Attempt {
            final int index;
            int attempt;

            Attempt(int index) {
                this.index = index;
            }

            boolean succeeded;

            void finish() {
                long t = System.nanoTime() - start;
                finishedAt.set(index, t);
                long d = Math.max(1, t - offeredAt[index]);
                took[index] = succeeded ? d : -d;
                all.countDown();
            }

            /** True when it will be retried. */
            boolean outcome(Answer r, Throwable e) {
                if (e != null) {
                    Throwable c = e;
                    while ((c instanceof java.util.concurrent.CompletionException
                            || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) c = c.getCause();
                    String reason = sluiceReason(c);
                    if (reason != null) refused.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
                    else errors.incrementAndGet();
                    finish();
                    return false;
                }
                if (r.status == 200) {
                    succeeded = true;
                    ok.incrementAndGet();
                    tokens.addAndGet(totalTokens(r.body));
                    finish();
                    return false;
                }
                if (r.status == 429 || r.status == 503) {
                    seen429.incrementAndGet();
                    if (attempt < retries) {
                        long backoff = r.retryAfterMs >= 0 ? r.retryAfterMs : (long) (500 * Math.pow(2, attempt));
                        backoff = Math.min(backoff, 8000) + ThreadLocalRandom.current().nextLong(0, 1 + backoff / 4);
                        attempt++;
                        retryAfter(backoff);
                        return true;
                    }
                    gaveUp429.incrementAndGet();
                } else {
                    other.incrementAndGet();
                }
                finish();
                return false;
            }

            void retryAfter(long ms) {
                if (async) timer.schedule(this::go, ms, TimeUnit.MILLISECONDS);
                // sync: the caller's own thread sleeps and sends again (see run)
                else sleepMs = ms;
            }

            long sleepMs;

            void go() {
                if (async) {
                    client.sendAsync(body, this::outcome);
                    return;
                }
                pool.execute(this::run);
            }

            private void run() {
                while (true) {
                    Answer r = null;
                    Throwable e = null;
                    try {
                        r = client.send(body);
                    } catch (Throwable t) {
                        e = t;
                    }
                    if (!outcome(r, e)) return;
                    try {
                        Thread.sleep(sleepMs);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }

        for (int i = 0; i < calls; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            offeredAt[i] = System.nanoTime() - start;
            new Attempt(i).go();
        }
        boolean finished = all.await(300, TimeUnit.SECONDS);
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        pool.shutdownNow();
        timer.shutdownNow();
        long[] okT = Arrays.stream(took).filter(x -> x > 0).sorted().toArray();
        long[] failT = Arrays.stream(took).filter(x -> x < 0).map(x -> -x).sorted().toArray();
        StringBuilder sb = new StringBuilder();
        sb.append("okP50Ms=").append(okT.length == 0 ? -1 : pct(okT, 0.5) / 1_000_000)
                .append(" okP99Ms=").append(okT.length == 0 ? -1 : pct(okT, 0.99) / 1_000_000)
                .append(" failP50Ms=").append(failT.length == 0 ? -1 : pct(failT, 0.5) / 1_000_000)
                .append(" failP99Ms=").append(failT.length == 0 ? -1 : pct(failT, 0.99) / 1_000_000).append(' ');
        sb.append("calls=").append(calls).append(" ok=").append(ok).append(" upstream429seen=").append(seen429)
                .append(" gaveUp429=").append(gaveUp429).append(" otherStatus=").append(other)
                .append(" errors=").append(errors).append(" tokens=").append(tokens).append(" wallMs=").append(wallMs)
                .append(" finished=").append(finished)
                .append(" refused=").append(refused.values().stream().mapToInt(AtomicInteger::get).sum());
        new TreeMap<>(refused).forEach((k, v) -> sb.append(" refused.").append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * What Sluice's endpoint MBean says it governed, read over plain JMX (nothing of Sluice on the class path):
     * {@code governed} calls admitted and {@code faults} inside Sluice; -1 when there is no such MBean (no agent,
     * or no endpoint named llm).
     */
    static String sluiceFigures() {
        try {
            javax.management.MBeanServer s = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName n = new javax.management.ObjectName("dev.sluice:type=Endpoint,name=llm");
            if (!s.isRegistered(n)) return "governed=-1 faults=-1";
            return "governed=" + s.getAttribute(n, "Admitted") + " faults=" + s.getAttribute(n, "Faults");
        } catch (Exception e) {
            return "governed=-1 faults=-1";
        }
    }

    /** The refusal's reason, read the way an application would: by reflection, not compiled against Sluice. */
    static String sluiceReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException && c.getClass().getName().equals("dev.sluice.SluiceRejectedException")) {
                try {
                    Method m = c.getClass().getMethod("getReason");
                    return String.valueOf(m.invoke(c));
                } catch (Exception e) {
                    return "unknown";
                }
            }
            if (c.getCause() == c) break;
        }
        return null;
    }

    static long totalTokens(String body) {
        int i = body.indexOf("\"total_tokens\"");
        if (i < 0) return 0;
        int j = body.indexOf(':', i) + 1;
        while (j < body.length() && body.charAt(j) == ' ') j++;
        int k = j;
        while (k < body.length() && Character.isDigit(body.charAt(k))) k++;
        return k > j ? Long.parseLong(body.substring(j, k)) : 0;
    }

    static long retryAfterMs(String retryAfterMs, String retryAfter) {
        try {
            if (retryAfterMs != null) return Long.parseLong(retryAfterMs.trim());
            if (retryAfter != null) return (long) (Double.parseDouble(retryAfter.trim()) * 1000);
        } catch (NumberFormatException ignored) {
            // no usable retry time
        }
        return -1;
    }
}
