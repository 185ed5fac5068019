package dev.sluice.it.apps;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary application (it knows nothing of Sluice) that offers chat-completion calls through the JDK
 * HttpClient at a given rate, sync (a thread per call) or async (sendAsync from one thread), and prints what
 * happened as one RESULT line. Arguments are key=value:
 * url, calls, rate (calls/s offered; 0 = all at once), mode (sync|async), priority (low|normal|high|none, or
 * a cycle like low,normal,high), maxTokens, promptBytes, timeoutMs, tick (print per-second completions),
 * startAt (epoch ms at which to start offering), latencyFromMs (maxLatencyMs counts the calls sent from then on:
 * the first ones pay for warming up), goFile (print READY, then start once this file exists: several JVMs
 * start together however long each took to start up), mbean + attrs (an MBean's attributes to
 * print at the end, read through plain JMX as any monitoring tool would: jmx.Attr=value in the RESULT line).
 */
public final class JdkLoad {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        int calls = Integer.parseInt(a.getOrDefault("calls", "10"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "0"));
        boolean async = "async".equals(a.getOrDefault("mode", "sync"));
        String[] priorities = a.getOrDefault("priority", "none").split(",");
        int maxTokens = Integer.parseInt(a.getOrDefault("maxTokens", "20"));
        int promptBytes = Integer.parseInt(a.getOrDefault("promptBytes", "40"));
        long timeoutMs = Long.parseLong(a.getOrDefault("timeoutMs", "0"));
        boolean tick = Boolean.parseBoolean(a.getOrDefault("tick", "false"));
        boolean detail = Boolean.parseBoolean(a.getOrDefault("detail", "false"));
        long sampleThreadsAtMs = Long.parseLong(a.getOrDefault("sampleThreadsAtMs", "0"));
        long spacingMs = Long.parseLong(a.getOrDefault("spacingMs", "0"));
        long startAt = Long.parseLong(a.getOrDefault("startAt", "0"));
        long latencyFromMs = Long.parseLong(a.getOrDefault("latencyFromMs", "0"));

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + SluiceProbe.prompt(promptBytes) + "\"}]}";

        // A running application has loaded its HTTP client's classes and opened a connection before the load
        // starts; so does this one (an unmatched GET: it is never governed).
        try {
            URI u = URI.create(url);
            client.send(HttpRequest.newBuilder(new URI(u.getScheme(), null, u.getHost(), u.getPort(), "/", null, null))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception ignored) {
            // only a warm-up
        }

        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger status429 = new AtomicInteger();
        AtomicInteger otherStatus = new AtomicInteger();
        Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        Map<String, String> refusalMessages = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> perSecond = new ConcurrentHashMap<>();
        AtomicLong usageTokens = new AtomicLong();
        AtomicLong refusedMaxNanos = new AtomicLong();
        String[] outcome = new String[calls];
        AtomicInteger threadsSampled = new AtomicInteger(-1);
        AtomicInteger threadsBefore = new AtomicInteger(-1);
        AtomicLong waitingSampled = new AtomicLong(-1);
        AtomicInteger clientWorkers = new AtomicInteger(-1);
        Map<String, Integer> threadGroups = new java.util.TreeMap<>();
        if (sampleThreadsAtMs > 0) {
            threadsBefore.set(java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
            Thread sampler = new Thread(() -> {
                try {
                    Thread.sleep(sampleThreadsAtMs);
                    threadsSampled.set(java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
                    waitingSampled.set(queueDepth(a.get("mbean")));
                    // Thread names with digits folded, so a failure shows which pool grew.
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        threadGroups.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
                    }
                    clientWorkers.set(threadGroups.getOrDefault("HttpClient-#-Worker-#", 0));
                } catch (InterruptedException ignored) {
                }
            });
            sampler.setDaemon(true);
            sampler.start();
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
        AtomicLong maxLatencyNanos = new AtomicLong();
        long[] latencyNanos = new long[calls];
        long[] sentAtNanos = new long[calls];
        long untilStart = startAt - System.currentTimeMillis();
        if (untilStart > 0) Thread.sleep(untilStart);
        if (a.containsKey("goFile")) {
            java.nio.file.Path go = java.nio.file.Path.of(a.get("goFile"));
            System.out.println("READY");
            System.out.flush();
            long giveUp = System.nanoTime() + 120_000_000_000L;
            while (!java.nio.file.Files.exists(go) && System.nanoTime() < giveUp) Thread.sleep(1);
        }
        long startEpochMs = System.currentTimeMillis();
        long start = System.nanoTime();

        for (int i = 0; i < calls; i++) {
            if (spacingMs > 0 && i > 0) Thread.sleep(spacingMs);
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            for (String[] h : SluiceProbe.credentialHeaders()) rb.header(h[0], h[1]);
            String p = priorities[i % priorities.length];
            if (!p.equals("none")) rb.header("X-Sluice-Priority", p);
            if (timeoutMs > 0) rb.timeout(Duration.ofMillis(timeoutMs));
            HttpRequest req = rb.build();
            final int index = i;
            final long sentAt = System.nanoTime();
            java.util.function.BiConsumer<HttpResponse<String>, Throwable> record = (resp, err) -> {
                long took = System.nanoTime() - sentAt;
                if (sentAt - start >= latencyFromMs * 1_000_000L) maxLatencyNanos.accumulateAndGet(took, Math::max);
                latencyNanos[index] = took;
                sentAtNanos[index] = sentAt;
                outcome[index] = err != null ? "error" : String.valueOf(resp.statusCode());
                if (err != null) {
                    Throwable c = err;
                    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) c = c.getCause();
                    String reason = sluiceReason(c);
                    if (reason != null) {
                        if (refusalMessages.putIfAbsent(reason, c.getMessage()) == null) {
                            System.out.println("REFUSALMSG reason=" + reason + " message=" + c.getMessage());
                        }
                        refused.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
                        refused.computeIfAbsent(reason + "." + p, k -> new AtomicInteger()).incrementAndGet();
                        refusedMaxNanos.accumulateAndGet(System.nanoTime() - sentAt, Math::max);
                        outcome[index] = "refused:" + reason;
                    }
                    else {
                        failed.incrementAndGet();
                        errors.computeIfAbsent(c.getClass().getSimpleName() + ":" + c.getMessage(), k -> new AtomicInteger()).incrementAndGet();
                    }
                    return;
                }
                int sc = resp.statusCode();
                if (sc == 200) {
                    ok.incrementAndGet();
                    usageTokens.addAndGet(totalTokens(resp.body()));
                    perSecond.computeIfAbsent((System.nanoTime() - start) / 1_000_000_000L, k -> new AtomicInteger()).incrementAndGet();
                } else if (sc == 429) status429.incrementAndGet();
                else otherStatus.incrementAndGet();
            };
            if (async) {
                all[i] = client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete(record);
            } else {
                all[i] = CompletableFuture.runAsync(() -> {
                    try {
                        record.accept(client.send(req, HttpResponse.BodyHandlers.ofString()), null);
                    } catch (Exception e) {
                        record.accept(null, e);
                    }
                }, pool);
            }
        }
        try {
            CompletableFuture.allOf(all).get(300, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // individual outcomes are recorded
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        long endEpochMs = System.currentTimeMillis();
        pool.shutdownNow();

        StringBuilder sb = new StringBuilder("RESULT");
        int refusedTotal = refused.entrySet().stream().filter(e -> !e.getKey().contains("."))
                .mapToInt(e -> e.getValue().get()).sum();
        sb.append(" calls=").append(calls).append(" ok=").append(ok).append(" failed=").append(failed)
                .append(" status429=").append(status429).append(" otherStatus=").append(otherStatus)
                .append(" refused=").append(refusedTotal).append(" wallMs=").append(wallMs)
                .append(" usageTokens=").append(usageTokens)
                .append(" refusedMaxMs=").append(refusedMaxNanos.get() / 1_000_000L)
                .append(" threads=").append(threadsSampled.get())
                .append(" threadsBefore=").append(threadsBefore.get())
                .append(" waitingAtSample=").append(waitingSampled.get())
                .append(" clientWorkers=").append(clientWorkers.get())
                .append(" maxLatencyMs=").append(maxLatencyNanos.get() / 1_000_000L)
                .append(" slowestAtMs=").append(slowestAt(latencyNanos, sentAtNanos, start, latencyFromMs))
                .append(" startEpochMs=").append(startEpochMs).append(" endEpochMs=").append(endEpochMs);
        if (a.containsKey("mbean")) {
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name = new javax.management.ObjectName(a.get("mbean"));
            for (String attr : a.getOrDefault("attrs", "").split(",")) {
                if (attr.isEmpty()) continue;
                Object v;
                try {
                    v = server.getAttribute(name, attr);
                } catch (Exception e) {
                    v = "?" + e.getClass().getSimpleName();
                }
                sb.append(" jmx.").append(attr).append('=').append(String.valueOf(v).replace(' ', '_'));
            }
        }
        new TreeMap<>(refused).forEach((k, v) -> sb.append(" refused.").append(k).append('=').append(v));
        if (tick) {
            new TreeMap<>(perSecond).forEach((k, v) -> System.out.println("TICK sec=" + k + " ok=" + v));
        }
        errors.forEach((k, v) -> System.err.println("ERROR x" + v + " " + k));
        if (detail) {
            for (int i = 0; i < calls; i++) System.out.println("CALL i=" + i + " outcome=" + outcome[i]);
        }
        SluiceProbe.dumpAttributes(System.out);
        System.out.println(sb);
        if (!threadGroups.isEmpty()) System.out.println("THREADS " + threadGroups);
        System.out.flush();
        System.exit(0);
    }

    /** When (ms after the start) the slowest call counted in maxLatencyMs was sent; -1 = none. */
    /** The governed endpoint's waiting-room depth, read from its MBean in this JVM; -1 when not named. */
    static long queueDepth(String mbean) {
        if (mbean == null) return -1;
        try {
            Object v = java.lang.management.ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new javax.management.ObjectName(mbean), "QueueDepth");
            return ((Number) v).longValue();
        } catch (Exception e) {
            return -1;
        }
    }

    static long slowestAt(long[] latency, long[] sentAt, long start, long fromMs) {
        int worst = -1;
        for (int i = 0; i < latency.length; i++) {
            if (sentAt[i] - start < fromMs * 1_000_000L) continue;
            if (worst < 0 || latency[i] > latency[worst]) worst = i;
        }
        return worst < 0 ? -1 : (sentAt[worst] - start) / 1_000_000L;
    }

    /** The refusal's reason, read the way an application would: by reflection, not compiled against Sluice. */
    static String sluiceReason(Throwable t) {
        if (!(t instanceof IOException) || !t.getClass().getName().equals("dev.sluice.SluiceRejectedException")) return null;
        try {
            Method m = t.getClass().getMethod("getReason");
            return String.valueOf(m.invoke(t));
        } catch (Exception e) {
            return "unknown";
        }
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
}
