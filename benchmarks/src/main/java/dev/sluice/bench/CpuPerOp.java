package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A complement to {@link AdmissionBench} for a machine shared with other work: the same operations (the same
 * benchmark methods on the same state), timed by <em>CPU time</em> per operation rather than wall time, so time
 * the threads spent descheduled does not count; the median of {@code rounds} rounds (the best round would favour,
 * with two threads, a round where they hardly overlapped). Cache misses from another core (two threads on one
 * limiter) still count, as they should.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.sluice.bench.CpuPerOp [suite=admission|lookup|parser|call] [threads=1,2]
 *      [ops=2000000] [rounds=25]</pre>
 * The lookup, parser and call suites do the same for {@link LookupBench}, {@link ParserBench} and {@link CallBench}
 * (one thread).
 */
public final class CpuPerOp {
    interface Op {
        boolean run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        int ops = Integer.parseInt(a.getOrDefault("ops", "2000000"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "25"));
        String[] threadCounts = a.getOrDefault("threads", "1,2").split(",");

        String suite = a.getOrDefault("suite", "admission");
        if (suite.equals("lookup")) {
            lookup(ops, rounds);
            return;
        }
        if (suite.equals("parser")) {
            parser(rounds);
            return;
        }
        if (suite.equals("call")) {
            call(rounds);
            return;
        }
        AdmissionBench b = new AdmissionBench();
        b.setUp();
        Map<String, Op> all = new LinkedHashMap<>();
        all.put("sluiceGate", b::sluiceGate);
        ThreadLocal<AdmissionBench.OwnPermit> own = ThreadLocal.withInitial(AdmissionBench.OwnPermit::new);
        all.put("sluiceGateReused", () -> b.sluiceGateReused(own.get())); // the ThreadLocal read included
        all.put("sluiceGateAsync", b::sluiceGateAsync);
        all.put("sluiceGateNoLimits", b::sluiceGateNoLimits);
        all.put("sluiceTokenBucket", b::sluiceTokenBucket);
        all.put("sluiceBreaker", b::sluiceBreaker);
        all.put("clockRead", () -> b.clockRead() != 0);
        all.put("r4jAtomicRateLimiter", b::r4jAtomicRateLimiter);
        all.put("r4jSemaphoreRateLimiter", b::r4jSemaphoreRateLimiter);
        all.put("r4jCircuitBreaker", b::r4jCircuitBreaker);
        all.put("r4jBulkhead", b::r4jBulkhead);
        all.put("r4jStack", b::r4jStack);
        all.put("r4jEquivalent", b::r4jEquivalent);
        all.put("bucket4jTryConsume", b::bucket4jTryConsume);
        all.put("guavaTryAcquire", b::guavaTryAcquire);
        String only = a.get("only");

        System.out.println("CPU ns per operation, median of " + rounds + " rounds of " + ops + " ops per thread");
        System.out.printf(Locale.ROOT, "%-26s", "operation");
        for (String t : threadCounts) System.out.printf(Locale.ROOT, "%14s", t + " thread(s)");
        System.out.println();
        for (Map.Entry<String, Op> e : all.entrySet()) {
            if (only != null && !e.getKey().matches(only)) continue;
            System.out.printf(Locale.ROOT, "%-26s", e.getKey());
            for (String t : threadCounts) {
                double[] per = new double[rounds];
                for (int r = 0; r < rounds; r++) per[r] = round(e.getValue(), Integer.parseInt(t), ops);
                java.util.Arrays.sort(per);
                System.out.printf(Locale.ROOT, "%14.1f", per[rounds / 2]);
            }
            System.out.println();
        }
        b.tearDown();
    }

    /** {@link LookupBench}, one thread: CPU ns per lookup. */
    static void lookup(int ops, int rounds) throws Exception {
        System.out.println("CPU ns per lookup, median of " + rounds + " rounds of " + ops + " lookups");
        System.out.printf(Locale.ROOT, "%-10s %-10s %12s %12s%n", "endpoints", "layout", "unmatched", "matched");
        for (String layout : new String[]{"hosts", "paths", "wildcards"}) {
            for (int n : new int[]{1, 10, 100}) {
                LookupBench l = new LookupBench();
                l.endpoints = n;
                l.layout = layout;
                l.setUp();
                double u = median(rounds, () -> round(() -> l.unmatched() == null, 1, ops));
                double m = median(rounds, () -> round(() -> l.matched() != null, 1, ops));
                System.out.printf(Locale.ROOT, "%-10d %-10s %12.1f %12.1f%n", n, layout, u, m);
            }
        }
    }

    /** {@link ParserBench}, one thread: MB (10^6 bytes) per CPU second. */
    static void parser(int rounds) throws Exception {
        ParserBench p = new ParserBench();
        p.setUp();
        ParserBench.Bytes b = new ParserBench.Bytes();
        System.out.println("MB per CPU second, median of " + rounds + " rounds (a fresh parser per body, 8 KiB slices)");
        Object[][] cases = {
                {"usage parser, JSON chat completion", p.json.length, (Op) () -> p.usageJson(b) > 0},
                {"usage parser, SSE chat stream", p.sse.length, (Op) () -> p.usageSse(b) > 0},
                {"request scanner, chat request", p.request.length, (Op) () -> p.requestScan(b) != null},
        };
        for (Object[] c : cases) {
            int len = (Integer) c[1];
            int ops = Math.max(1000, 200_000_000 / len);
            double ns = median(rounds, () -> round((Op) c[2], 1, ops));
            System.out.printf(Locale.ROOT, "%-36s %8d bytes  %8.0f MB/s  %9.0f ns per body%n", c[0], len, len / ns * 1000, ns);
        }
    }

    /** {@link CallBench}, one thread: CPU ns per governed call. */
    static void call(int rounds) throws Exception {
        CallBench c = new CallBench();
        c.setUp();
        System.out.println("CPU ns per governed call (Sluice's part only), median of " + rounds + " rounds; request body "
                + c.request.length + " bytes");
        System.out.printf(Locale.ROOT, "%-52s %10.0f ns%n", "no bodies (lookup, estimate, admit, release)",
                median(rounds, () -> round(() -> c.bodilessCall() > 0, 1, 200_000)));
        System.out.printf(Locale.ROOT, "%-52s %10.0f ns%n", "JSON answer, " + c.json.length + " bytes, no rate-limit headers",
                median(rounds, () -> round(() -> c.jsonCallNoHeaders() > 0, 1, 200_000)));
        double j = median(rounds, () -> round(() -> c.jsonCall() > 0, 1, 200_000));
        System.out.printf(Locale.ROOT, "%-52s %10.0f ns%n", "JSON answer, " + c.json.length + " bytes", j);
        double s = median(rounds, () -> round(() -> c.streamedCall() > 0, 1, 20_000));
        System.out.printf(Locale.ROOT, "%-52s %10.0f ns%n", "streamed answer (SSE), " + c.sse.length + " bytes", s);
    }

    interface Round {
        double run() throws Exception;
    }

    static double median(int rounds, Round r) throws Exception {
        double[] v = new double[rounds];
        for (int i = 0; i < rounds; i++) v[i] = r.run();
        java.util.Arrays.sort(v);
        return v[rounds / 2];
    }

    /** CPU ns per operation over all threads of one round. */
    static double round(Op op, int threads, int ops) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong cpu = new AtomicLong();
        AtomicLong sink = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int k = 0; k < threads; k++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    long c0 = mx.getCurrentThreadCpuTime();
                    long ok = 0;
                    for (int i = 0; i < ops; i++) if (op.run()) ok++;
                    cpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
                    sink.addAndGet(ok);
                } catch (Throwable x) {
                    failure[0] = x;
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) t.join();
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
        if (sink.get() != (long) ops * threads) throw new IllegalStateException("not every call was admitted: " + sink.get());
        return cpu.get() / (double) ((long) ops * threads);
    }
}
