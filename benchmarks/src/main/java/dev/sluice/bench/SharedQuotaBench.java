package dev.sluice.bench;

import dev.sluice.core.Gate;
import dev.sluice.core.GateLimits;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import dev.sluice.store.RedisQuotaStore;
import dev.sluice.store.RedisTarget;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * What admission costs with the RPM/TPM quota in Redis, next to the same gate with its quota in the JVM: one
 * {@code Gate.acquire} + {@code Permit.complete} per operation, limits far above what the threads reach (nothing
 * ever waits), so what is measured is the gate and its store alone. A latency distribution, not a throughput
 * score: each operation is timed on its own.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.sluice.bench.SharedQuotaBench [redis=redis://127.0.0.1:6390] [threads=1,2,4] [ops=20000]</pre>
 *
 * Prints p50 / p90 / p99 / p99.9 in microseconds per admission, per store and thread count. The Redis store runs
 * with a 1 s store.timeout so that what is measured is Redis, never the local fallback.
 */
public final class SharedQuotaBench {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            if (i > 0) a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.getOrDefault("redis", System.getenv().getOrDefault("SLUICE_TEST_REDIS", "redis://127.0.0.1:6379"));
        int ops = Integer.parseInt(a.getOrDefault("ops", "20000"));
        GateLimits limits = GateLimits.builder().rpm(1_000_000_000L).tpm(100_000_000_000L).build();
        System.out.printf(Locale.ROOT, "admission = Gate.acquire + Permit.complete (RPM and TPM limited, never short);"
                + " %d ops per thread; Redis %s; %d cores%n", ops, url, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-6s %7s %9s %9s %9s %9s %12s%n", "store", "threads", "p50 us", "p90 us",
                "p99 us", "p99.9 us", "ops/s");
        for (String t : a.getOrDefault("threads", "1,2,4").split(",")) {
            int threads = Integer.parseInt(t.trim());
            run("local", new Gate("bench-local", limits), threads, ops);

            Gate shared = new Gate("bench-redis", limits);
            RedisQuotaStore store = new RedisQuotaStore("bench", RedisTarget.parse(url, null, System.getenv()),
                    "bench-" + UUID.randomUUID(), 1_000_000_000L, -1, limits);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!store.state().equals("shared")) {
                if (System.nanoTime() > deadline || store.state().equals("fallback")) {
                    store.close();
                    throw new IllegalStateException("Redis at " + url + " not reached: " + store.lastProblem());
                }
                Thread.sleep(5);
            }
            shared.setQuotaStore(store);
            run("redis", shared, threads, ops);
            if (store.fallbacks() > 0) {
                System.out.println("  (the Redis store fell back " + store.fallbacks() + " time(s): " + store.lastProblem() + ")");
            }
            store.close();
        }
    }

    private static void run(String name, Gate gate, int threads, int ops) throws Exception {
        measure(gate, threads, Math.max(2_000, ops / 2)); // warm-up: JIT, connection
        long t0 = System.nanoTime();
        long[] all = measure(gate, threads, ops);
        double secs = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "%-6s %7d %9.1f %9.1f %9.1f %9.1f %12.0f%n", name, threads, pct(all, 0.50),
                pct(all, 0.90), pct(all, 0.99), pct(all, 0.999), all.length / secs);
    }

    private static long[] measure(Gate gate, int threads, int ops) throws Exception {
        List<long[]> samples = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] s = new long[ops];
            samples.add(s);
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < ops; i++) {
                        long a = System.nanoTime();
                        Permit p = gate.acquire(Priority.NORMAL, 100);
                        p.complete(200, 100);
                        s[i] = System.nanoTime() - a;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) th.join();
        long[] all = new long[threads * ops];
        for (int t = 0; t < threads; t++) System.arraycopy(samples.get(t), 0, all, t * ops, ops);
        return all;
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1000.0;
    }
}
