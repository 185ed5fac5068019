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
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.sluice.bench.CpuPerOp [threads=1,2] [ops=2000000] [rounds=25]</pre>
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

        AdmissionBench b = new AdmissionBench();
        b.setUp();
        Map<String, Op> all = new LinkedHashMap<>();
        all.put("sluiceGate", b::sluiceGate);
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
