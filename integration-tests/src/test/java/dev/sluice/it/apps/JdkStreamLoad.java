package dev.sluice.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary streaming application (it knows nothing of Sluice): offers streamed LLM calls through the JDK
 * HttpClient and reads each answer as it arrives, then prints one RESULT line. Arguments are key=value:
 * <ul>
 * <li>url; api = chat | responses | messages (the body's shape); calls; rate (calls/s offered, 0 = all at once);
 *     mode = sync (a thread per call, {@code send}) | async ({@code sendAsync}); stream (default true);
 *     includeUsage (stream_options.include_usage, chat only; default true); promptBytes; maxTokens; model;</li>
 * <li>handler = lines ({@code BodyHandlers.ofLines()}) | input ({@code ofInputStream()}, read in 64 KiB blocks and
 *     discarded) | string;</li>
 * <li>mbean = an endpoint id: Sluice's figures for it are read from the platform MBean server at the end, as a
 *     monitoring library would (no Sluice class needed), and printed as sluice.*; absent when not registered;</li>
 * <li>warmupCalls = n: calls made one after another before the load (an application that has been running);</li>
 * <li>memory = true: heap in use after a GC before and after the calls, and the peak of every heap pool during
 *     them (heapBeforeKb, heapAfterKb, heapPeakKb).</li>
 * </ul>
 * Per call it measures when the first event line and the last byte arrived (ms after the send began): the RESULT
 * has the largest firstEventMs and the smallest lastByteMs over the calls.
 */
public final class JdkStreamLoad {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        String api = a.getOrDefault("api", "chat");
        int calls = Integer.parseInt(a.getOrDefault("calls", "1"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "0"));
        boolean async = "async".equals(a.getOrDefault("mode", "sync"));
        boolean stream = Boolean.parseBoolean(a.getOrDefault("stream", "true"));
        boolean includeUsage = Boolean.parseBoolean(a.getOrDefault("includeUsage", "true"));
        int promptBytes = Integer.parseInt(a.getOrDefault("promptBytes", "40"));
        int maxTokens = Integer.parseInt(a.getOrDefault("maxTokens", "20"));
        String model = a.getOrDefault("model", "gpt-4o-mini");
        String handler = a.getOrDefault("handler", "lines");
        String mbean = a.get("mbean");
        boolean memory = Boolean.parseBoolean(a.getOrDefault("memory", "false"));
        int warmupCalls = Integer.parseInt(a.getOrDefault("warmupCalls", "0"));

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String body = body(api, model, stream, includeUsage, promptBytes, maxTokens);
        try { // the warm-up every running application has had: classes loaded, a connection open (never governed)
            URI u = URI.create(url);
            client.send(HttpRequest.newBuilder(new URI(u.getScheme(), null, u.getHost(), u.getPort(), "/", null, null))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception ignored) {
            // only a warm-up
        }

        // An application that has been running for a while: a few calls one after another before the load.
        int warmupOk = 0;
        for (int i = 0; i < warmupCalls; i++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            if (exchange(client, req, handler, false, System.nanoTime(), new long[2], new AtomicLong(), new AtomicLong()) == 200) {
                warmupOk++;
            }
        }

        AtomicInteger ok = new AtomicInteger();
        AtomicInteger status429 = new AtomicInteger();
        AtomicInteger otherStatus = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong maxFirstEventNanos = new AtomicLong(-1);
        AtomicLong minLastByteNanos = new AtomicLong(Long.MAX_VALUE);
        Map<String, AtomicInteger> errors = new java.util.concurrent.ConcurrentHashMap<>();

        long heapBefore = memory ? usedHeapAfterGc() : -1;
        if (memory) for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();

        ExecutorService pool = Executors.newCachedThreadPool();
        CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            if (rate > 0) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer " + SluiceProbe.API_KEY)
                    .header("x-api-key", SluiceProbe.X_API_KEY).header("api-key", SluiceProbe.AZURE_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            Runnable one = () -> {
                long sent = System.nanoTime();
                try {
                    long[] firstAndLast = {-1, -1};
                    int status = exchange(client, req, handler, async, sent, firstAndLast, bytes, events);
                    if (status == 200) {
                        ok.incrementAndGet();
                        if (firstAndLast[0] >= 0) maxFirstEventNanos.accumulateAndGet(firstAndLast[0], Math::max);
                        minLastByteNanos.accumulateAndGet(firstAndLast[1], Math::min);
                    } else if (status == 429) {
                        status429.incrementAndGet();
                    } else {
                        otherStatus.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failed.incrementAndGet();
                    errors.computeIfAbsent(e.getClass().getName() + ": " + e.getMessage(), k -> new AtomicInteger())
                            .incrementAndGet();
                }
            };
            all[i] = CompletableFuture.runAsync(one, pool);
        }
        CompletableFuture.allOf(all).get(300, TimeUnit.SECONDS);
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        pool.shutdownNow();

        StringBuilder sb = new StringBuilder("RESULT");
        sb.append(" calls=").append(calls).append(" warmupOk=").append(warmupOk).append(" ok=").append(ok).append(" status429=").append(status429)
                .append(" otherStatus=").append(otherStatus).append(" failed=").append(failed)
                .append(" wallMs=").append(wallMs).append(" bytes=").append(bytes).append(" events=").append(events)
                .append(" firstEventMs=").append(maxFirstEventNanos.get() < 0 ? -1 : maxFirstEventNanos.get() / 1_000_000L)
                .append(" lastByteMs=").append(minLastByteNanos.get() == Long.MAX_VALUE ? -1 : minLastByteNanos.get() / 1_000_000L);
        if (memory) {
            long peak = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
            }
            sb.append(" heapBeforeKb=").append(heapBefore / 1024).append(" heapAfterKb=").append(usedHeapAfterGc() / 1024)
                    .append(" heapPeakKb=").append(peak / 1024)
                    .append(" maxHeapKb=").append(Runtime.getRuntime().maxMemory() / 1024);
        }
        if (mbean != null) appendSluice(sb, mbean);
        errors.forEach((k, v) -> System.err.println("ERROR x" + v + " " + k));
        System.out.println(sb);
        System.out.flush();
        System.exit(0);
    }

    static String body(String api, String model, boolean stream, boolean includeUsage, int promptBytes, int maxTokens) {
        String prompt = "x".repeat(Math.max(0, promptBytes));
        switch (api) {
            case "responses":
                return "{\"model\":\"" + model + "\",\"max_output_tokens\":" + maxTokens + ",\"stream\":" + stream
                        + ",\"input\":\"" + prompt + "\"}";
            case "messages":
                return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
            default:
                return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                        + (stream && includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        }
    }

    /** One call; fills {first event, last byte} in nanos after {@code sent}; returns the status. */
    static int exchange(HttpClient client, HttpRequest req, String handler, boolean async, long sent, long[] firstAndLast,
                        AtomicLong bytes, AtomicLong events) throws Exception {
        switch (handler) {
            case "input": {
                HttpResponse<InputStream> r = async
                        ? client.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream()).get()
                        : client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                byte[] buf = new byte[64 * 1024];
                long n = 0;
                try (InputStream in = r.body()) {
                    for (int k; (k = in.read(buf)) >= 0; ) {
                        if (n == 0 && k > 0) firstAndLast[0] = System.nanoTime() - sent;
                        n += k;
                    }
                }
                firstAndLast[1] = System.nanoTime() - sent;
                bytes.addAndGet(n);
                return r.statusCode();
            }
            case "string": {
                HttpResponse<String> r = async
                        ? client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).get()
                        : client.send(req, HttpResponse.BodyHandlers.ofString());
                firstAndLast[1] = System.nanoTime() - sent;
                bytes.addAndGet(r.body().getBytes(StandardCharsets.UTF_8).length);
                return r.statusCode();
            }
            default: {
                HttpResponse<java.util.stream.Stream<String>> r = async
                        ? client.sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get()
                        : client.send(req, HttpResponse.BodyHandlers.ofLines());
                long[] n = {0, 0};
                try (java.util.stream.Stream<String> lines = r.body()) {
                    lines.forEach(line -> {
                        if (n[1] == 0 && (line.startsWith("data:") || line.startsWith("event:"))) {
                            firstAndLast[0] = System.nanoTime() - sent;
                        }
                        if (line.startsWith("data:")) n[1]++;
                        n[0] += line.length() + 1;
                    });
                }
                firstAndLast[1] = System.nanoTime() - sent;
                bytes.addAndGet(n[0]);
                events.addAndGet(n[1]);
                return r.statusCode();
            }
        }
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Sluice's endpoint MBean, read by name through the platform MBean server (open types only). */
    static void appendSluice(StringBuilder sb, String endpoint) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.sluice:type=Endpoint,name=" + endpoint);
            if (!server.isRegistered(name)) return;
            for (String attr : new String[]{"TokensReserved", "TokensCharged", "Upstream429", "Rejected", "Admitted",
                    "Completed", "TokenCorrections", "TokenRefunds", "TokenExtraCharges", "EstimatorSamples",
                    "ProviderRemainingRequests", "ProviderRemainingTokens", "ProviderRequestRate", "ProviderTokenRate",
                    "Faults", "ReclaimedLeases"}) {
                sb.append(" sluice.").append(attr).append('=').append(server.getAttribute(name, attr));
            }
            sb.append(" sluice.EstimatorErrorPpm=")
                    .append(Math.round((Double) server.getAttribute(name, "EstimatorErrorPercent") * 1e4));
            sb.append(" sluice.EstimatorBiasPpm=")
                    .append(Math.round((Double) server.getAttribute(name, "EstimatorBiasPercent") * 1e4));
        } catch (Exception e) {
            System.err.println("cannot read Sluice's MBean: " + e);
        }
    }
}
