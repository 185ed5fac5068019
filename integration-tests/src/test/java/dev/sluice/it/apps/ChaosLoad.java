package dev.sluice.it.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A randomized application: {@code calls} calls through one client family ({@code client=jdk|urlconn|apache5|
 * apache5-async|apache4}), {@code workers} threads at a time, each call's fate drawn from its own seed
 * ({@code seed} ^ index): what the upstream does (through the mock's {@code x-mock-chaos} header: 500, 503 or 429
 * with a retry time, latency, the connection cut mid-body; a stream or not) and what the application does (read the
 * body, close it unread or half read, a client timeout, cancel while waiting in the gate or in flight, interrupt,
 * disconnect, abandon the response to the GC). Meanwhile a controller changes the endpoint's limits over JMX now
 * and then, as an operator would, so the gate queues, sheds and refuses some of the time.
 *
 * <p>{@code mix=clean} makes every call an ordinary one whose status and body are checked (the fault-switch runs).
 *
 * <p>At the end, once every call has returned: the endpoint's figures once they settle, then {@code RESULT} with
 * outcome counts ({@code o.<outcome>=n}) and the gate's figures. An exception thrown by Sluice itself (a class of
 * Sluice's other than its refusal, or raised in Sluice's code) is counted as {@code o.SLUICE} and printed.
 */
public final class ChaosLoad {
    enum Action { READ, CLOSE_UNREAD, READ_PART, TIMEOUT, CANCEL_WAITING, CANCEL_IN_FLIGHT, INTERRUPT, DISCONNECT, ABANDON }

    /** One call's fate. */
    public static final class Plan {
        public final int index;
        public final boolean stream;
        /** The x-mock-chaos header value, or null. */
        public final String chaos;
        public final Action action;
        /** For TIMEOUT: the client's timeout; for CANCEL_IN_FLIGHT / INTERRUPT: when; for READ_PART: bytes. */
        public final int millis;
        public final int partBytes;
        public final String priority;
        /** A free draw for the family (which API flavour, which body mode). */
        public final int flavour;

        Plan(int index, SplittableRandom r, boolean clean) {
            this.index = index;
            this.stream = r.nextInt(10) < 3;
            this.flavour = r.nextInt(1000);
            String[] ps = {"low", "normal", "normal", "high", null};
            this.priority = ps[r.nextInt(ps.length)];
            if (clean) {
                chaos = null;
                action = Action.READ;
                millis = 0;
                partBytes = 0;
                return;
            }
            StringBuilder c = new StringBuilder();
            int u = r.nextInt(1000);
            if (u < 50) c.append("status=500");
            else if (u < 60) c.append("status=503;retry-ms=").append(1 + r.nextInt(10));
            else if (u < 70) c.append("status=429;retry-ms=").append(1 + r.nextInt(10));
            else if (u < 150) c.append("cut-after=").append(r.nextInt(400));
            if (r.nextInt(10) < 3) c.append(c.length() == 0 ? "" : ";").append("latency-ms=").append(1 + r.nextInt(20));
            if (stream && r.nextInt(4) == 0) c.append(c.length() == 0 ? "" : ";").append("chunk-delay-ms=1");
            // Now and then a burst of failures long enough to open the breaker, so its refusals and half-open
            // probes are part of the run too.
            if (index % 4000 < 40) {
                c.setLength(0);
                c.append("status=500");
            }
            chaos = c.length() == 0 ? null : c.toString();
            int a = r.nextInt(100);
            if (a < 55) action = Action.READ;
            else if (a < 63) action = Action.CLOSE_UNREAD;
            else if (a < 70) action = Action.READ_PART;
            else if (a < 78) action = Action.TIMEOUT;
            else if (a < 84) action = Action.CANCEL_WAITING;
            else if (a < 90) action = Action.CANCEL_IN_FLIGHT;
            else if (a < 95) action = Action.INTERRUPT;
            else if (a < 99) action = Action.DISCONNECT;
            else action = Action.ABANDON;
            millis = 1 + r.nextInt(25);
            partBytes = 1 + r.nextInt(200);
        }

        /** The request body: a chat completion, streamed or not, with a prompt that starts with the marker. */
        public String body() {
            return "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20," + (stream ? "\"stream\":true," : "")
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"" + SluiceProbe.prompt(40) + "\"}]}";
        }
    }

    /** One client family. {@link #call} returns the outcome label; it may throw, and the driver classifies. */
    public interface Family {
        String call(Plan p, Context ctx) throws Exception;
    }

    /** What a family may use: the URL, a timer for cancels and interrupts, the interrupt guard. */
    public static final class Context {
        public final String url;
        public final ScheduledExecutorService timer;
        /** Calls whose thread may still be interrupted: index -> thread, removed before the call returns. */
        private final Map<Integer, Thread> interruptible = new ConcurrentHashMap<>();

        Context(String url, ScheduledExecutorService timer) {
            this.url = url;
            this.timer = timer;
        }

        /**
         * A blocking call's disruption, armed before it starts: an interrupt of the calling thread (at once for
         * CANCEL_WAITING, after the plan's delay for INTERRUPT), or the client's own {@code abort} after the delay
         * for CANCEL_IN_FLIGHT. Other actions need nothing armed.
         */
        public void arm(Plan p, Runnable abort) {
            switch (p.action) {
                case INTERRUPT:
                case CANCEL_WAITING:
                    interruptLater(p.index, p.action == Action.CANCEL_WAITING ? 0 : p.millis);
                    break;
                case CANCEL_IN_FLIGHT:
                    timer.schedule(abort, p.millis, TimeUnit.MILLISECONDS);
                    break;
                default:
                    break;
            }
        }

        /** Interrupts the current thread after {@code millis} if call {@code index} is still running then. */
        public void interruptLater(int index, int millis) {
            Thread t = Thread.currentThread();
            interruptible.put(index, t);
            timer.schedule(() -> {
                synchronized (interruptible) {
                    if (interruptible.get(index) == t) t.interrupt();
                }
            }, millis, TimeUnit.MILLISECONDS);
        }

        /** The call is over: no interrupt may land after this; a pending one is cleared. */
        void callDone(int index) {
            synchronized (interruptible) {
                interruptible.remove(index);
            }
            Thread.interrupted();
        }
    }

    /** Status and body check of a whole answer (clean mode): "ok", else "bad:<why>". */
    public static String verify(int status, String body, boolean stream) {
        if (status != 200) return "status" + status;
        if (body == null) return "bad:nobody";
        if (stream) return body.contains("data: [DONE]") ? "ok" : "bad:stream";
        return body.contains("\"object\":\"chat.completion\"") && body.contains("\"total_tokens\":")
                && body.contains("tok tok") ? "ok" : "bad:body";
    }

    /** A call the application waits for: 30 s without an answer is a hung call, never a timeout it asked for. */
    public static <T> T await(java.util.concurrent.Future<T> f) throws Exception {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new Hung();
        }
    }

    /** See {@link #await}. */
    static final class Hung extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Hung() {
            super("no answer within 30 s", null, false, false);
        }
    }

    /** Reads up to {@code n} bytes (fewer at end of stream). */
    public static void readSome(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int k = in.read(b, got, n - got);
            if (k < 0) break;
            got += k;
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        int calls = Integer.parseInt(a.getOrDefault("calls", "1000"));
        int workers = Integer.parseInt(a.getOrDefault("workers", "32"));
        // calls, or as many as fit in budgetMs (0 = no budget): the run's length does not depend on the machine's load
        long budgetMs = Long.parseLong(a.getOrDefault("budgetMs", "0"));
        long seed = a.containsKey("seed") ? Long.parseLong(a.get("seed")) : System.nanoTime();
        boolean clean = "clean".equals(a.get("mix"));
        boolean control = !clean && !"false".equals(a.get("control"));
        String client = a.getOrDefault("client", "jdk");
        System.out.println("SEED " + seed);
        System.out.flush();
        Family family = family(client);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "chaos-timer");
            t.setDaemon(true);
            return t;
        });
        Context ctx = new Context(url, timer);

        // A running application: its client's classes loaded, a connection open.
        for (int w = 0; w < 3; w++) {
            Plan p = new Plan(-1, new SplittableRandom(w), true);
            try {
                family.call(p, ctx);
            } catch (Exception ignored) {
                // warm-up only
            }
        }

        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicLong sluiceThrown = new AtomicLong();
        java.util.Set<String> examples = ConcurrentHashMap.newKeySet();
        Thread controller = control ? controller(seed) : null;
        long start = System.nanoTime();
        long stopAt = budgetMs > 0 ? start + budgetMs * 1_000_000L : Long.MAX_VALUE;
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            threads[w] = new Thread(() -> {
                for (int i; System.nanoTime() - stopAt < 0 && (i = next.getAndIncrement()) < calls; ) {
                    Plan p = new Plan(i, new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L)), clean);
                    String outcome;
                    try {
                        outcome = family.call(p, ctx);
                        // HttpURLConnection and others end a fixed-length body cut short without an error: the
                        // application gets fewer bytes. That is the upstream's doing, and the plan says so.
                        if (outcome.startsWith("bad:") && p.chaos != null && p.chaos.contains("cut-after")) {
                            outcome = "truncated";
                        }
                    } catch (Throwable t) {
                        outcome = classify(t);
                        if (outcome.startsWith("SLUICE") && sluiceThrown.incrementAndGet() <= 5) {
                            System.out.println("SLUICE-EXCEPTION call " + i + " " + p.action + " " + p.chaos);
                            t.printStackTrace(System.out);
                        } else if (outcome.startsWith("refused:") && examples.add(outcome)) {
                            // one refusal message per reason, for the secrets check of every child's output
                            Throwable x = t;
                            while (x.getCause() != null && refusalReason(x) == null) x = x.getCause();
                            System.out.println("REFUSALMSG " + outcome + " message=" + x.getMessage());
                        } else if (outcome.startsWith("other:") && examples.add(outcome)) {
                            System.out.println("EXAMPLE " + outcome + " call " + i + " " + p.action + " " + p.chaos);
                            t.printStackTrace(System.out);
                        }
                    } finally {
                        ctx.callDone(i);
                    }
                    outcomes.computeIfAbsent(p.action + ":" + outcome, k -> new LongAdder()).increment();
                    if (outcome.startsWith("refused:")) { // as an application would, back off a moment
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        Thread.interrupted();
                    }
                }
            }, "chaos-" + w);
            threads[w].start();
        }
        outcomesDone = () -> outcomes.values().stream().mapToLong(LongAdder::sum).sum();
        Thread watchdog = watchdog();
        for (Thread t : threads) t.join();
        watchdog.interrupt();
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        if (controller != null) {
            controller.interrupt();
            controller.join();
        }

        // Abandoned responses are handed back when the GC finds them: give it the chance, then a few clean calls
        // (the bookkeeping of the abandoned ones is swept on the next accesses).
        if (family instanceof ChaosUrlConnection) ((ChaosUrlConnection) family).forget();
        for (int g = 0; g < 3; g++) {
            System.gc();
            Thread.sleep(100);
        }
        for (int w = 0; w < 3; w++) {
            try {
                family.call(new Plan(-2, new SplittableRandom(w), true), ctx);
            } catch (Exception ignored) {
                // only to sweep
            }
        }
        long settleEnd = System.nanoTime() + Long.parseLong(a.getOrDefault("settleMs", "10000")) * 1_000_000L;
        while ((SluiceProbe.num("mock", "InFlight") != 0 || SluiceProbe.num("mock", "QueueDepth") != 0)
                && System.nanoTime() < settleEnd) {
            Thread.sleep(50);
        }

        // Buckets: set fixed limits, let them refill, and read the level twice: a full bucket holds still.
        String buckets = "";
        if (!clean && SluiceProbe.get("mock", "Rpm") != null) {
            SluiceProbe.set("mock", "Burst", 1.0 / 60);
            SluiceProbe.set("mock", "Rpm", 60_000L);
            SluiceProbe.set("mock", "Tpm", 6_000_000L);
            Thread.sleep(1500);
            long r1 = SluiceProbe.num("mock", "AvailableRequests");
            long t1 = SluiceProbe.num("mock", "AvailableTokens");
            Thread.sleep(300);
            buckets = " availReq1=" + r1 + " availReq2=" + SluiceProbe.num("mock", "AvailableRequests")
                    + " availTok1=" + t1 + " availTok2=" + SluiceProbe.num("mock", "AvailableTokens");
        }

        SluiceProbe.dumpAttributes(System.out);
        StringBuilder sb = new StringBuilder("RESULT");
        sb.append(" calls=").append(Math.min(calls, next.get())).append(" seed=").append(seed).append(" wallMs=").append(wallMs)
                .append(" sluiceThrown=").append(sluiceThrown.get());
        new TreeMap<>(outcomes).forEach((k, v) -> sb.append(" o.").append(k.replace(' ', '_')).append('=').append(v.sum()));
        for (String f : new String[] {"InFlight", "QueueDepth", "Admitted", "Completed", "ReclaimedLeases", "Enqueued",
                "Dequeued", "Rejected", "Dropped", "Shed", "Upstream429", "Failures", "Faults", "TokensReserved",
                "TokensCharged"}) {
            sb.append(' ').append(f).append('=').append(SluiceProbe.num("mock", f));
        }
        sb.append(" AgentFaults=").append(SluiceProbe.num(null, "Faults"));
        Object byReason = SluiceProbe.get("mock", "RejectedByReason");
        if (byReason != null) sb.append(" rejectedByReason=").append(SluiceProbe.text(byReason).replace(' ', '_'));
        sb.append(buckets);
        System.out.println(sb);
        System.out.flush();
        System.exit(0);
    }

    private static volatile java.util.function.LongSupplier outcomesDone = () -> 0;

    /** No call finished for 60 s: something hangs. Prints every thread's stack and the gate's figures, and exits 3. */
    private static Thread watchdog() {
        Thread t = new Thread(() -> {
            long last = -1;
            long since = System.nanoTime();
            try {
                while (true) {
                    Thread.sleep(1000);
                    long now = outcomesDone.getAsLong();
                    if (now != last) {
                        last = now;
                        since = System.nanoTime();
                    } else if (System.nanoTime() - since > 60_000_000_000L) {
                        System.out.println("WATCHDOG no call finished for 60 s; " + now + " done");
                        Thread.getAllStackTraces().forEach((th, st) -> {
                            System.out.println("THREAD " + th.getName() + " " + th.getState());
                            for (StackTraceElement e : st) System.out.println("    at " + e);
                        });
                        SluiceProbe.dumpAttributes(System.out);
                        System.out.flush();
                        System.exit(3);
                    }
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }, "chaos-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Every 200 ms a new set of limits, drawn from {@code seed}: concurrency caps and request rates that bind, and
     * spells without them; shorter and longer waits; a smaller or larger room.
     */
    private static Thread controller(long seed) {
        Thread t = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(seed * 31 + 7);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(200);
                    long[] rpm = {0, 0, 60_000, 240_000};
                    int[] conc = {0, 8, 16, 32};
                    SluiceProbe.set("mock", "Rpm", rpm[r.nextInt(rpm.length)]);
                    SluiceProbe.set("mock", "Tpm", r.nextInt(4) == 0 ? 600_000L : 0L);
                    SluiceProbe.set("mock", "MaxConcurrent", conc[r.nextInt(conc.length)]);
                    SluiceProbe.set("mock", "QueueCapacity", r.nextInt(3) == 0 ? 16 : 64);
                    SluiceProbe.set("mock", "MaxWaitMillis", r.nextBoolean() ? 200L : 2000L);
                }
            } catch (InterruptedException e) {
                // the run is over
            } catch (Exception e) {
                System.out.println("CONTROLLER-FAILED " + e);
            }
        }, "chaos-controller");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static Family family(String name) {
        switch (name) {
            case "jdk": return new ChaosJdk();
            case "urlconn": return new ChaosUrlConnection();
            case "apache5": return new ChaosApache5(false);
            case "apache5-async": return new ChaosApache5(true);
            case "apache4": return new ChaosApache4();
            default:
                try { // families on other branches' libraries, by name
                    return (Family) Class.forName(name).getConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("no client family " + name, e);
                }
        }
    }

    /** The outcome label of a call that threw. */
    static String classify(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof Hung) return "HUNG";
        for (Throwable x = c; x != null; x = x.getCause() == x ? null : x.getCause()) {
            String reason = refusalReason(x);
            if (reason != null) return "refused:" + reason;
        }
        // Sluice turns an interrupt while waiting into the client's InterruptedIOException, and a cancel into a
        // CancellationException: the application asked for those.
        if (c instanceof CancellationException) return "cancelled";
        if (c instanceof IOException && "Canceled".equals(c.getMessage())) return "cancelled"; // OkHttp's own words
        if (c instanceof InterruptedException || c instanceof InterruptedIOException && !(c instanceof SocketTimeoutException)) {
            return "interrupted";
        }
        if (fromSluice(c)) return "SLUICE:" + c.getClass().getName();
        if (c instanceof SocketTimeoutException || c instanceof TimeoutException
                || c.getClass().getSimpleName().contains("Timeout")) {
            return "timeout";
        }
        if (c instanceof IOException) return "io:" + c.getClass().getSimpleName();
        return "other:" + c.getClass().getName();
    }

    /** A Sluice class other than the refusal, or thrown from Sluice's own code (not the app's). */
    static boolean fromSluice(Throwable t) {
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            String n = x.getClass().getName();
            if (n.startsWith("dev.sluice.") && !n.startsWith("dev.sluice.it.") && !n.equals("dev.sluice.SluiceRejectedException")) {
                return true;
            }
            StackTraceElement[] st = x.getStackTrace();
            if (st.length > 0) {
                String top = st[0].getClassName();
                if (top.startsWith("dev.sluice.") && !top.startsWith("dev.sluice.it.")) return true;
            }
        }
        return false;
    }

    static String refusalReason(Throwable t) {
        if (t == null || !t.getClass().getName().equals("dev.sluice.SluiceRejectedException")) return null;
        try {
            Method m = t.getClass().getMethod("getReason");
            return String.valueOf(m.invoke(t)).toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return "unknown";
        }
    }
}
