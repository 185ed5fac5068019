package dev.sluice.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load loop the OkHttp and SDK test apps share (the apps know nothing of Sluice); {@link LoadDriver} is its
 * twin for the HttpURLConnection/Apache apps. It offers {@code calls} calls at
 * {@code rate} per second, {@code mode=sync} (a thread per call), {@code async} (the client's own async API, from
 * one thread) or {@code seq} (one after another on the main thread), after {@code warmup} uncounted calls
 * (default 0), classifies each outcome and prints one line:
 *
 * <pre>RESULT calls= ok= failed= status429= otherStatus= canceled= refused= refusedMaxMs= wallMs= inFlight= queueDepth=
 *        tokensReserved= tokensCharged= faults= reclaimed= refused.REASON=</pre>
 *
 * and, for the first refusal, {@code REFUSAL outer=<class the app caught> sluiceMessageInOuter=<bool>
 * message=<Sluice's message>} (the rest of the line). The endpoint figures are read by name from this JVM's own
 * platform MBeanServer ({@code dev.sluice:type=Endpoint,name=mock}); -1 when there is none.
 */
public final class LoadLoop {
    /** One call, blocking; returns the HTTP status it ended with (200 = success). */
    public interface SyncCall {
        int call(int i) throws Exception;
    }

    /** One call through the client's async API; the future completes with the HTTP status. */
    public interface AsyncCall {
        CompletableFuture<Integer> call(int i);
    }

    public final Map<String, String> args = new HashMap<>();
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger status429 = new AtomicInteger();
    private final AtomicInteger otherStatus = new AtomicInteger();
    private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    private final AtomicLong refusedMaxNanos = new AtomicLong();
    private final Map<String, Object> extra = new ConcurrentHashMap<>();
    private final AtomicInteger canceled = new AtomicInteger();
    private volatile String refusalLine;
    private long wallMs;
    /** Run on the main thread once every call is launched, before waiting for them (e.g. to cancel them). */
    public Runnable afterLaunch;

    public LoadLoop(String[] argv) {
        for (String s : argv) {
            int i = s.indexOf('=');
            args.put(s.substring(0, i), s.substring(i + 1));
        }
    }

    public String arg(String key, String dflt) {
        return args.getOrDefault(key, dflt);
    }

    public int intArg(String key, int dflt) {
        return Integer.parseInt(args.getOrDefault(key, String.valueOf(dflt)));
    }

    public String mode() {
        return arg("mode", "sync");
    }

    /** An extra figure for the RESULT line (e.g. streamed events). */
    public void put(String key, Object value) {
        extra.put(key, value);
    }

    public void add(String key, long delta) {
        extra.merge(key, delta, (a, b) -> (Long) a + (Long) b);
    }

    /**
     * Runs the load: {@code sync} or {@code seq} with {@code sync}, {@code async} with {@code async} (may be null),
     * and waits for every call. {@link #print} then reports.
     */
    public void run(SyncCall sync, AsyncCall async) throws Exception {
        int calls = intArg("calls", 10);
        double rate = Double.parseDouble(arg("rate", "0"));
        String mode = mode();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "load");
            t.setDaemon(true);
            return t;
        });
        // Warm-up calls (class loading, the SDK's first-use setup) before the clock starts; not counted here.
        for (int w = 0, n = intArg("warmup", 0); w < n; w++) {
            try {
                if (mode.equals("async")) async.call(-1 - w).get(60, TimeUnit.SECONDS);
                else sync.call(-1 - w);
            } catch (Exception e) {
                System.err.println("warm-up call failed: " + e);
            }
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            if (rate > 0) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
            final int index = i;
            final long sentAt = System.nanoTime();
            switch (mode) {
                case "seq":
                    all[i] = CompletableFuture.completedFuture(null);
                    try {
                        record(sync.call(index), null, sentAt);
                    } catch (Throwable t) {
                        record(0, t, sentAt);
                    }
                    break;
                case "async":
                    CompletableFuture<Integer> f;
                    try {
                        f = async.call(index);
                    } catch (Throwable t) {
                        f = CompletableFuture.failedFuture(t);
                    }
                    all[i] = f.whenComplete((status, err) -> record(status == null ? 0 : status, err, sentAt));
                    break;
                default:
                    all[i] = CompletableFuture.runAsync(() -> {
                        try {
                            record(sync.call(index), null, sentAt);
                        } catch (Throwable t) {
                            record(0, t, sentAt);
                        }
                    }, pool);
            }
        }
        if (afterLaunch != null) afterLaunch.run();
        try {
            CompletableFuture.allOf(all).get(300, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // individual outcomes are recorded
        }
        wallMs = (System.nanoTime() - start) / 1_000_000L;
        pool.shutdownNow();
    }

    private void record(int status, Throwable err, long sentAt) {
        if (err != null) {
            Throwable outer = unwrap(err);
            Throwable sluice = sluiceRejection(outer);
            if (sluice != null) {
                String reason = reason(sluice);
                refused.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
                refusedMaxNanos.accumulateAndGet(System.nanoTime() - sentAt, Math::max);
                if (refusalLine == null) {
                    String m = String.valueOf(sluice.getMessage());
                    refusalLine = "REFUSAL outer=" + outer.getClass().getName() + " sluiceMessageInOuter="
                            + (outer == sluice || String.valueOf(outer.getMessage()).contains(m)) + " message=" + m;
                }
                return;
            }
            if (status(outer) == 429) {
                status429.incrementAndGet();
                return;
            }
            if ("Canceled".equals(outer.getMessage())) {
                canceled.incrementAndGet();
                return;
            }
            failed.incrementAndGet();
            errors.computeIfAbsent(outer.getClass().getName() + ": " + outer.getMessage()
                    + (outer.getCause() == null ? "" : " / cause " + outer.getCause()), k -> new AtomicInteger())
                    .incrementAndGet();
            return;
        }
        if (status == 200) ok.incrementAndGet();
        else if (status == 429) status429.incrementAndGet();
        else otherStatus.incrementAndGet();
    }

    /** Prints the REFUSAL and RESULT lines (after {@link #run}). */
    public void print() throws Exception {
        int calls = intArg("calls", 10);
        Map<String, Long> figures = endpointFigures();
        StringBuilder sb = new StringBuilder("RESULT");
        int refusedTotal = refused.values().stream().mapToInt(AtomicInteger::get).sum();
        sb.append(" calls=").append(calls).append(" ok=").append(ok).append(" failed=").append(failed)
                .append(" status429=").append(status429).append(" otherStatus=").append(otherStatus)
                .append(" canceled=").append(canceled).append(" refused=").append(refusedTotal)
                .append(" refusedMaxMs=").append(refusedMaxNanos.get() / 1_000_000L)
                .append(" wallMs=").append(wallMs);
        figures.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        new TreeMap<>(refused).forEach((k, v) -> sb.append(" refused.").append(k).append('=').append(v));
        new TreeMap<>(extra).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        errors.forEach((k, v) -> System.err.println("ERROR x" + v + " " + k));
        if (refusalLine != null) System.out.println(refusalLine);
        SluiceProbe.dumpAttributes(System.out);
        System.out.println(sb);
        System.out.flush();
    }

    /** The endpoint's figures once every permit is back (waits up to 3 s for stragglers to settle). */
    private static Map<String, Long> endpointFigures() throws Exception {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.sluice:type=Endpoint,name=mock");
        if (!server.isRegistered(name)) {
            for (String k : new String[]{"inFlight", "queueDepth", "tokensReserved", "tokensCharged", "faults",
                    "reclaimed"}) {
                m.put(k, -1L);
            }
            return m;
        }
        long end = System.nanoTime() + 3_000_000_000L;
        while (((Number) server.getAttribute(name, "InFlight")).intValue() != 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        m.put("inFlight", ((Number) server.getAttribute(name, "InFlight")).longValue());
        m.put("queueDepth", ((Number) server.getAttribute(name, "QueueDepth")).longValue());
        m.put("tokensReserved", ((Number) server.getAttribute(name, "TokensReserved")).longValue());
        m.put("tokensCharged", ((Number) server.getAttribute(name, "TokensCharged")).longValue());
        m.put("faults", ((Number) server.getAttribute(name, "Faults")).longValue());
        m.put("reclaimed", ((Number) server.getAttribute(name, "ReclaimedLeases")).longValue());
        return m;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Sluice's refusal anywhere in the cause chain, found by name as an application would log it. */
    static Throwable sluiceRejection(Throwable t) {
        for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
            if (t.getClass().getName().equals("dev.sluice.SluiceRejectedException")) return t;
        }
        return null;
    }

    static String reason(Throwable sluice) {
        try {
            Method m = sluice.getClass().getMethod("getReason");
            return String.valueOf(m.invoke(sluice));
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** An SDK's service exception's HTTP status ({@code statusCode()}), or 0. */
    static int status(Throwable t) {
        try {
            Method m = t.getClass().getMethod("statusCode");
            return ((Number) m.invoke(t)).intValue();
        } catch (Exception e) {
            return 0;
        }
    }

    /** A chat-completions request body naming an output bound. */
    public static String openAiBody(int promptBytes, int maxTokens, boolean stream) {
        return "{\"model\":\"gpt-4o-mini\",\"max_tokens\":" + maxTokens
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + SluiceProbe.prompt(promptBytes) + "\"}]}";
    }
}
