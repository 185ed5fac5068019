package dev.sluice.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The shared part of the per-client load apps (UrlConnectionLoad, Apache5Load, Apache4Load): offers calls at a
 * rate, sync (a thread per call) or async (the client's own callback), counts outcomes, and prints one
 * {@code RESULT k=v ...} line in JdkLoad's format plus {@code inFlight=}, read at the end from this JVM's own
 * platform MBeanServer by plain JMX (the apps know nothing of Sluice). Refusals are recognised by class name
 * and read by reflection, as an application would; the first one is printed as a {@code REFUSAL} line.
 */
public final class LoadDriver {
    /** A blocking call: returns the HTTP status after consuming the body. */
    public interface SyncCall {
        int call(int index) throws Exception;
    }

    /** An asynchronous call: reports status or failure through {@code done}, from any thread. */
    public interface AsyncCall {
        void call(int index, BiConsumer<Integer, Throwable> done) throws Exception;
    }

    public final Map<String, String> args = new HashMap<>();
    public final int calls;
    public final double rate;
    public final String mode;
    public final String body;

    public LoadDriver(String[] argv) {
        for (String s : argv) {
            int i = s.indexOf('=');
            args.put(s.substring(0, i), s.substring(i + 1));
        }
        calls = Integer.parseInt(args.getOrDefault("calls", "10"));
        rate = Double.parseDouble(args.getOrDefault("rate", "0"));
        mode = args.getOrDefault("mode", "sync");
        int maxTokens = Integer.parseInt(args.getOrDefault("maxTokens", "20"));
        int promptBytes = Integer.parseInt(args.getOrDefault("promptBytes", "40"));
        body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + SluiceProbe.prompt(promptBytes) + "\"}]}";
    }

    public String url() {
        return args.get("url");
    }

    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger status429 = new AtomicInteger();
    private final AtomicInteger otherStatus = new AtomicInteger();
    private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    private final AtomicLong refusedMaxNanos = new AtomicLong();
    private volatile String firstRefusal;
    private final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
    private volatile String firstAnswer;

    /**
     * An app that reads a response's headers reports it here: one carrying {@code x-sluice-reason} is Sluice's
     * synthetic answer ({@code reject=http}), counted as {@code answered.REASON=} with the first printed as an
     * {@code ANSWER status= reason= body=} line.
     */
    public void sawResponse(int status, String sluiceReason, String body) {
        if (sluiceReason == null) return;
        answered.computeIfAbsent(sluiceReason, k -> new AtomicInteger()).incrementAndGet();
        if (firstAnswer == null) {
            firstAnswer = "ANSWER status=" + status + " reason=" + sluiceReason + " body="
                    + (body == null ? "" : body.replace('\n', ' '));
        }
    }
    private final Map<String, String> refusalMessages = new ConcurrentHashMap<>();

    private void record(int status, Throwable err, long sentAt) {
        if (err != null) {
            Throwable c = err;
            while ((c instanceof java.util.concurrent.CompletionException || c instanceof ExecutionException)
                    && c.getCause() != null) c = c.getCause();
            // A framework may wrap the client's IOException (Spring: ResourceAccessException): look down the causes.
            for (Throwable t = c; t != null && t.getCause() != t; t = t.getCause()) {
                if (sluiceReason(t) != null) {
                    c = t;
                    break;
                }
            }
            String reason = sluiceReason(c);
            if (reason != null) {
                refused.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
                refusedMaxNanos.accumulateAndGet(System.nanoTime() - sentAt, Math::max);
                if (refusalMessages.putIfAbsent(reason, String.valueOf(c.getMessage())) == null) {
                    System.out.println("REFUSALMSG reason=" + reason + " message=" + c.getMessage());
                }
                if (firstRefusal == null) {
                    firstRefusal = "REFUSAL class=" + c.getClass().getName() + " ioException=" + (c instanceof IOException)
                            + " outer=" + err.getClass().getName() + " message=" + c.getMessage();
                }
            } else {
                failed.incrementAndGet();
                errors.computeIfAbsent(c.getClass().getSimpleName() + ":" + c.getMessage(), k -> new AtomicInteger())
                        .incrementAndGet();
            }
            return;
        }
        if (status == 200) ok.incrementAndGet();
        else if (status == 429) status429.incrementAndGet();
        else otherStatus.incrementAndGet();
    }

    /** Runs the load: {@code sync} in the "sync" mode, {@code async} in the "async" mode. Prints RESULT and exits. */
    public void run(SyncCall sync, AsyncCall async) throws Exception {
        boolean isAsync = "async".equals(mode);
        if (isAsync && async == null) throw new IllegalArgumentException("no async mode");
        ExecutorService pool = Executors.newCachedThreadPool();
        // warmup=N: N calls one after another before the measured load (not counted), as an application that has
        // been running a while has its client's classes loaded and a connection open.
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "0"));
        for (int w = 0; w < warmup; w++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (isAsync) async.call(-1, (status, err) -> f.complete(null));
            else pool.submit(() -> sync.call(-1)).get(30, TimeUnit.SECONDS);
            if (isAsync) f.get(30, TimeUnit.SECONDS);
        }
        if (warmup > 0) Thread.sleep(1000); // the endpoint's buckets refill before the measured load
        CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
        boolean sequential = Boolean.parseBoolean(args.getOrDefault("sequential", "false")); // one call at a time
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            if (rate > 0) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
            final int index = i;
            final long sentAt = System.nanoTime();
            CompletableFuture<Void> f = new CompletableFuture<>();
            all[i] = f;
            if (isAsync) {
                try {
                    async.call(index, (status, err) -> {
                        record(status == null ? 0 : status, err, sentAt);
                        f.complete(null);
                    });
                } catch (Exception e) {
                    record(0, e, sentAt);
                    f.complete(null);
                }
            } else {
                pool.execute(() -> {
                    try {
                        record(sync.call(index), null, sentAt);
                    } catch (Exception e) {
                        record(0, e, sentAt);
                    }
                    f.complete(null);
                });
            }
            if (sequential) f.get(60, TimeUnit.SECONDS);
        }
        try {
            CompletableFuture.allOf(all).get(300, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // outcomes recorded per call
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        pool.shutdownNow();
        finish(wallMs, new TreeMap<>());
    }

    /** Prints the RESULT line (with {@code extra} fields) and exits. */
    public void finish(long wallMs, Map<String, Object> extra) {
        StringBuilder sb = new StringBuilder("RESULT");
        int refusedTotal = refused.values().stream().mapToInt(AtomicInteger::get).sum();
        sb.append(" calls=").append(calls).append(" ok=").append(ok).append(" failed=").append(failed)
                .append(" status429=").append(status429).append(" otherStatus=").append(otherStatus)
                .append(" refused=").append(refusedTotal).append(" wallMs=").append(wallMs)
                .append(" refusedMaxMs=").append(refusedMaxNanos.get() / 1_000_000L)
                .append(" inFlight=").append(inFlightSettled());
        new TreeMap<>(refused).forEach((k, v) -> sb.append(" refused.").append(k).append('=').append(v));
        new TreeMap<>(answered).forEach((k, v) -> sb.append(" answered.").append(k).append('=').append(v));
        if (firstAnswer != null) System.out.println(firstAnswer);
        extra.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        errors.forEach((k, v) -> System.err.println("ERROR x" + v + " " + k));
        if (firstRefusal != null) System.out.println(firstRefusal);
        SluiceProbe.dumpAttributes(System.out);
        System.out.println(sb);
        System.out.flush();
        System.exit(0);
    }

    /** InFlight once calls have ended: waits up to 2 s for it to reach 0 (a release may trail the app's result). */
    public static long inFlightSettled() {
        long end = System.nanoTime() + 2_000_000_000L;
        long v;
        while ((v = inFlight()) > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        return v;
    }

    /** The endpoint {@code mock}'s InFlight attribute, read by plain JMX; -1 when Sluice is not there. */
    public static long inFlight() {
        try {
            MBeanServer s = ManagementFactory.getPlatformMBeanServer();
            ObjectName n = new ObjectName("dev.sluice:type=Endpoint,name=mock");
            if (!s.isRegistered(n)) return -1;
            return ((Number) s.getAttribute(n, "InFlight")).longValue();
        } catch (Exception e) {
            return -2;
        }
    }

    /** The refusal's reason, read the way an application would: by reflection, not compiled against Sluice. */
    static String sluiceReason(Throwable t) {
        if (t == null || !t.getClass().getName().equals("dev.sluice.SluiceRejectedException")) return null;
        try {
            Method m = t.getClass().getMethod("getReason");
            return String.valueOf(m.invoke(t));
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** Reads a stream to its end. */
    public static byte[] drain(java.io.InputStream in) throws IOException {
        if (in == null) return new byte[0];
        try (in) {
            return in.readAllBytes();
        }
    }
}
