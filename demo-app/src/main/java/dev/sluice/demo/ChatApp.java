package dev.sluice.demo;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary application that calls a chat-completions API. It knows nothing of Sluice: no dependency, no import.
 *
 * <p>It offers {@code calls} calls at {@code rate} per second, each on a thread of a pool (like request threads of a
 * web app), with the JDK HttpClient. Each call carries an {@code X-Sluice-Priority} header from a fixed mix (2 high,
 * 5 normal, 3 low in every 10) that only matters if something reads it. Like the OpenAI and Anthropic SDKs, it
 * retries a 429 up to {@code retries} (default 2) times, waiting the answer's {@code retry-after-ms}, else
 * {@code retry-after} seconds, else 0.5 s x 2^attempt, capped at 8 s. It retries nothing else. Any other status or
 * IOException ends the call.
 *
 * <p>It prints one machine-readable line: {@code RESULT calls= ok= upstream429= gaveUp429= refused= refused.<reason>=
 * otherStatus= errors= wallMs= tokens= attempts= ok.<priority>= refused.<priority>= p50Ms= p95Ms= maxMs=}, where
 * refused counts the IOExceptions whose class is {@code dev.sluice.SluiceRejectedException}, their reason read by
 * reflection ({@code getReason()}).
 *
 * <p>Arguments, key=value: url (required), calls (150), rate (30), maxTokens (50), promptBytes (200), retries (2).
 */
public final class ChatApp {
    static final String[] PRIORITY_MIX = {"high", "normal", "low", "normal", "low", "high", "normal", "low", "normal", "normal"};

    private ChatApp() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            if (i <= 0) {
                System.err.println("usage: ChatApp url=http://host/v1/chat/completions [calls=150] [rate=30] [maxTokens=50]"
                        + " [promptBytes=200] [retries=2]");
                System.exit(2);
            }
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        if (url == null) throw new IllegalArgumentException("url= is required");
        int calls = Integer.parseInt(a.getOrDefault("calls", "150"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "30"));
        int maxTokens = Integer.parseInt(a.getOrDefault("maxTokens", "50"));
        int promptBytes = Integer.parseInt(a.getOrDefault("promptBytes", "200"));
        int retries = Integer.parseInt(a.getOrDefault("retries", "2"));

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String prompt = "Summarise the following text in one line. ";
        prompt = (prompt + "lorem ipsum dolor sit amet ".repeat(promptBytes / 27 + 1)).substring(0, promptBytes);
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}";

        Stats st = new Stats();
        ExecutorService pool = Executors.newCachedThreadPool();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            if (rate > 0) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
            String priority = PRIORITY_MIX[i % PRIORITY_MIX.length];
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(60))
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer sk-demo-not-a-real-key")
                    .header("X-Sluice-Priority", priority)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            pool.execute(() -> call(client, req, priority, retries, st));
        }
        pool.shutdown();
        if (!pool.awaitTermination(5, TimeUnit.MINUTES)) System.err.println("calls still running after 5 minutes");
        long wallMs = (System.nanoTime() - start) / 1_000_000L;

        StringBuilder sb = new StringBuilder("RESULT");
        sb.append(" calls=").append(calls).append(" ok=").append(st.ok).append(" upstream429=").append(st.upstream429)
                .append(" gaveUp429=").append(st.gaveUp429).append(" refused=").append(st.refusedTotal)
                .append(" otherStatus=").append(st.otherStatus).append(" errors=").append(st.errors)
                .append(" wallMs=").append(wallMs).append(" tokens=").append(st.tokens).append(" attempts=").append(st.attempts);
        new TreeMap<>(st.counts).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        List<Long> lat = new ArrayList<>(st.latenciesMs);
        Collections.sort(lat);
        if (!lat.isEmpty()) {
            sb.append(" p50Ms=").append(lat.get(lat.size() / 2)).append(" p95Ms=").append(lat.get((int) (lat.size() * 0.95)))
                    .append(" maxMs=").append(lat.get(lat.size() - 1));
        }
        st.errorKinds.forEach((k, v) -> System.err.println("error x" + v + ": " + k));
        System.out.println(sb);
        System.out.flush();
        System.exit(0);
    }

    static final class Stats {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger upstream429 = new AtomicInteger();
        final AtomicInteger gaveUp429 = new AtomicInteger();
        final AtomicInteger refusedTotal = new AtomicInteger();
        final AtomicInteger otherStatus = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicLong tokens = new AtomicLong();
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> errorKinds = new ConcurrentHashMap<>();
        final List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());

        void count(String key) {
            counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    static void call(HttpClient client, HttpRequest req, String priority, int retries, Stats st) {
        long t0 = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            st.attempts.incrementAndGet();
            HttpResponse<String> r;
            try {
                r = client.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                String reason = sluiceReason(e);
                if (reason != null) {
                    st.refusedTotal.incrementAndGet();
                    st.count("refused." + reason);
                    st.count("refused." + priority);
                } else {
                    st.errors.incrementAndGet();
                    st.errorKinds.computeIfAbsent(e.getClass().getName() + ": " + e.getMessage(), k -> new AtomicInteger())
                            .incrementAndGet();
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int sc = r.statusCode();
            if (sc == 200) {
                st.ok.incrementAndGet();
                st.count("ok." + priority);
                st.tokens.addAndGet(totalTokens(r.body()));
                st.latenciesMs.add((System.nanoTime() - t0) / 1_000_000L);
                return;
            }
            if (sc != 429) {
                st.otherStatus.incrementAndGet();
                return;
            }
            st.upstream429.incrementAndGet();
            if (attempt >= retries) {
                st.gaveUp429.incrementAndGet();
                return;
            }
            try {
                Thread.sleep(retryDelayMillis(r, attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** retry-after-ms, else retry-after (seconds), else 0.5 s x 2^attempt; at most 8 s. */
    static long retryDelayMillis(HttpResponse<?> r, int attempt) {
        long ms = -1;
        try {
            String h = r.headers().firstValue("retry-after-ms").orElse(null);
            if (h != null) ms = (long) Double.parseDouble(h);
            else {
                h = r.headers().firstValue("retry-after").orElse(null);
                if (h != null) ms = (long) (Double.parseDouble(h) * 1000);
            }
        } catch (NumberFormatException ignored) {
            ms = -1;
        }
        if (ms < 0) ms = (long) (500 * Math.pow(2, attempt));
        return Math.min(8000, ms);
    }

    /** A refusal by Sluice, read the way an application can without compiling against it: by class name and reflection. */
    static String sluiceReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals("dev.sluice.SluiceRejectedException")) {
                try {
                    Method m = c.getClass().getMethod("getReason");
                    return String.valueOf(m.invoke(c));
                } catch (ReflectiveOperationException | RuntimeException e) {
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
}
