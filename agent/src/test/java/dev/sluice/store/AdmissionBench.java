package dev.sluice.store;

import dev.sluice.core.Gate;
import dev.sluice.core.GateLimits;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Admission cost, local store next to the Redis store: one {@code Gate.acquire} + {@code Permit.complete} per
 * operation, limits high enough that nothing waits, so what is measured is the gate and its store alone.
 * JUnit-free; run after {@code mvn -pl agent test-compile}:
 *
 * <pre>
 * java -cp agent/target/classes:agent/target/test-classes dev.sluice.store.AdmissionBench redis://127.0.0.1:6390 [threads] [ops]
 * </pre>
 *
 * Prints p50 / p90 / p99 / p99.9 in microseconds per admission, per store and thread count.
 */
public final class AdmissionBench {
    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : System.getenv().getOrDefault(TestRedis.ENV, "redis://127.0.0.1:6379");
        int maxThreads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        GateLimits limits = GateLimits.builder().rpm(1_000_000_000L).tpm(100_000_000_000L).build();
        System.out.printf(Locale.ROOT, "admission = Gate.acquire + Permit.complete (rpm and tpm limited, never short);"
                + " %d ops per thread; Redis %s%n", ops, url);
        System.out.printf(Locale.ROOT, "%-8s %7s %9s %9s %9s %9s %12s%n", "store", "threads", "p50 us", "p90 us",
                "p99 us", "p99.9 us", "ops/s total");
        for (int threads = 1; threads <= maxThreads; threads *= 2) {
            Gate local = new Gate("bench-local", limits);
            run("local", local, threads, ops);

            Gate shared = new Gate("bench-redis", limits);
            RedisQuotaStore store = new RedisQuotaStore("bench", RedisTarget.parse(url, null, Map.of()),
                    "bench-" + UUID.randomUUID(), 1_000_000_000L, -1, limits); // a 1 s timeout: measure Redis, not the fallback
            store.awaitFirstAttempt(5000);
            if (store.stateNow() != RedisQuotaStore.State.SHARED) {
                throw new IllegalStateException("Redis at " + url + " not reached: " + store.lastProblem());
            }
            shared.setQuotaStore(store);
            run("redis", shared, threads, ops);
            if (store.fallbacks() > 0) System.out.println("  (redis fell back " + store.fallbacks() + " time(s): " + store.lastProblem() + ")");
            store.close();
        }
    }

    private static void run(String name, Gate gate, int threads, int ops) throws Exception {
        measure(gate, threads, Math.max(2_000, ops / 2)); // warm-up: JIT, connection
        long t0 = System.nanoTime();
        long[] all = measure(gate, threads, ops);
        double secs = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "%-8s %7d %9.1f %9.1f %9.1f %9.1f %12.0f%n", name, threads, pct(all, 0.50),
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
