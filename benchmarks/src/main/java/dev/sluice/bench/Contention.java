package dev.sluice.bench;

import dev.sluice.core.Gate;
import dev.sluice.core.GateLimits;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Many callers on one endpoint: is admission fair, does anyone starve, what does a waiting caller cost?
 * In-process on the core {@link Gate}: {@code max-concurrent} slots (8), each call holding its slot for
 * {@code holdMs} (1 ms), so the endpoint serves about 8 calls per ms and every caller beyond 8 waits in the room
 * (capacity = callers, shedding off, max wait 60 s: nobody is refused, the question is only who goes when).
 * Each caller loops: acquire, hold, complete.
 *
 * <p>Callers are platform threads, virtual threads (JDK 21+, by reflection: this module compiles for 17), or
 * {@code async}: acquireAsync chains that hold no thread while they wait. Next to Sluice, the same load on a
 * Resilience4j Bulkhead (its fair semaphore), the usual choice for a concurrency cap with waiting.
 *
 * <p>Measured over {@code seconds} after a 1 s warm-up: admissions per second; wait per admission p50/p99/max;
 * admissions per caller (min, max, Jain's fairness index, 1.0 = perfectly even; callers with none = starved);
 * heap and resident memory added per waiting caller (after a GC at the end of the window, callers still there).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.sluice.bench.Contention [callers=2,64,1000,10000]
 *      [kinds=platform,virtual,async] [limiters=sluice,r4j-bulkhead] [seconds=5] [slots=8] [holdMs=1]</pre>
 */
public final class Contention {
    interface Limiter {
        /** Blocks until admitted; returns the handle for release. */
        Object acquire() throws Exception;

        void release(Object handle);
    }

    static Limiter sluice(int callers, int slots) {
        Gate g = new Gate("contention", GateLimits.builder().maxConcurrent(slots).queueCapacity(callers)
                .maxWaitNanos(60_000_000_000L).shedLow(2).shedNormal(2).shedHigh(2).build());
        return new Limiter() {
            @Override
            public Object acquire() throws Exception {
                return g.acquire(Priority.NORMAL, 100);
            }

            @Override
            public void release(Object h) {
                ((Permit) h).complete(200, Permit.KEEP_RESERVATION);
            }
        };
    }

    static Limiter bulkhead(int slots) {
        Bulkhead b = Bulkhead.of("contention", BulkheadConfig.custom().maxConcurrentCalls(slots)
                .maxWaitDuration(Duration.ofSeconds(60)).fairCallHandlingStrategyEnabled(true).build());
        return new Limiter() {
            @Override
            public Object acquire() {
                b.acquirePermission();
                return b;
            }

            @Override
            public void release(Object h) {
                b.onComplete();
            }
        };
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        int[] callerCounts = Arrays.stream(a.getOrDefault("callers", "2,64,1000,10000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        List<String> kinds = new ArrayList<>(Arrays.asList(a.getOrDefault("kinds", "platform,virtual,async").split(",")));
        List<String> limiters = Arrays.asList(a.getOrDefault("limiters", "sluice,r4j-bulkhead").split(","));
        double seconds = Double.parseDouble(a.getOrDefault("seconds", "5"));
        int slots = Integer.parseInt(a.getOrDefault("slots", "8"));
        long holdNs = (long) (Double.parseDouble(a.getOrDefault("holdMs", "1")) * 1e6);
        dev.sluice.log.SluiceLog.setLevel(dev.sluice.log.SluiceLog.Level.WARN); // no congestion lines in the table
        if (Runtime.version().feature() < 21 && kinds.remove("virtual")) {
            System.out.println("(JDK " + Runtime.version().feature() + ": no virtual threads; run on 21+ for them)");
        }
        System.out.println(String.format(Locale.ROOT, "JDK %s, %d slots, each call holds its slot %.1f ms; %.0f s measured after 1 s",
                Runtime.version(), slots, holdNs / 1e6, seconds));
        System.out.println();
        System.out.println("| limiter | callers | kind | admitted/s | wait p50 | wait p99 | wait max | per caller min / max | Jain | starved | heap per waiter | RSS per waiter |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String limiter : limiters) {
            for (String kind : kinds) {
                if (kind.equals("async") && !limiter.equals("sluice")) continue; // the bulkhead has no async acquire
                for (int callers : callerCounts) {
                    System.out.println(run(limiter, kind, callers, slots, holdNs, seconds));
                    System.gc();
                    Thread.sleep(500);
                }
            }
        }
    }

    static String run(String limiterName, String kind, int callers, int slots, long holdNs, double seconds) throws Exception {
        System.gc();
        Thread.sleep(200);
        long heap0 = usedHeap();
        long rss0 = rss();
        Limiter limiter = limiterName.equals("sluice") ? sluice(callers, slots) : bulkhead(slots);
        long[] perCaller = new long[callers];
        int cap = (int) Math.min(50_000_000, (long) (seconds + 2) * slots * 1_000_000_000L / holdNs * 2);
        AtomicLongArray waits = new AtomicLongArray(cap);
        AtomicInteger nWaits = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        long from = start + 1_000_000_000L;
        long to = from + (long) (seconds * 1e9);
        volatileStop = false;
        List<Thread> threads = new ArrayList<>();
        ScheduledExecutorService timer = null;
        Gate asyncGate = null;

        if (kind.equals("async")) {
            asyncGate = new Gate("contention", GateLimits.builder().maxConcurrent(slots).queueCapacity(callers)
                    .maxWaitNanos(60_000_000_000L).shedLow(2).shedNormal(2).shedHigh(2).build());
            timer = Executors.newScheduledThreadPool(2);
            for (int i = 0; i < callers; i++) asyncLoop(asyncGate, timer, i, perCaller, waits, nWaits, failures, from, to, holdNs);
        } else {
            for (int i = 0; i < callers; i++) {
                final int me = i;
                Runnable r = () -> {
                    while (!volatileStop) {
                        long t0 = System.nanoTime();
                        Object h;
                        try {
                            h = limiter.acquire();
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            continue;
                        }
                        long t1 = System.nanoTime();
                        if (t1 >= from && t1 < to) {
                            perCaller[me]++;
                            int k = nWaits.getAndIncrement();
                            if (k < waits.length()) waits.set(k, t1 - t0);
                        }
                        LockSupport.parkNanos(holdNs);
                        limiter.release(h);
                    }
                };
                Thread t = kind.equals("virtual") ? virtual(r) : new Thread(null, r, "caller-" + i, 256 * 1024);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
        long sleep = to - System.nanoTime();
        if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
        System.gc();
        long heap1 = usedHeap();
        long rss1 = rss();
        volatileStop = true;
        for (Thread t : threads) t.join(120_000);
        if (timer != null) {
            timer.shutdown();
            timer.awaitTermination(30, TimeUnit.SECONDS);
        }
        int n = Math.min(nWaits.get(), waits.length());
        long[] w = new long[n];
        for (int i = 0; i < n; i++) w[i] = waits.get(i);
        Arrays.sort(w);
        long min = Long.MAX_VALUE;
        long max = 0;
        double sum = 0;
        double sumSq = 0;
        int starved = 0;
        for (long c : perCaller) {
            min = Math.min(min, c);
            max = Math.max(max, c);
            sum += c;
            sumSq += (double) c * c;
            if (c == 0) starved++;
        }
        double jain = sumSq == 0 ? 0 : sum * sum / (callers * sumSq);
        return String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %s | %s | %s | %d / %d | %.3f | %d | %s | %s |%s",
                limiterName, callers, kind, nWaits.get() / seconds, dur(pct(w, 0.5)), dur(pct(w, 0.99)),
                dur(n == 0 ? 0 : w[n - 1]), min, max, jain, starved,
                callers < 1000 ? "–" : bytes((heap1 - heap0) / callers), // too few to see above the noise
                callers < 1000 ? "–" : bytes((rss1 - rss0) / callers), failures.get() > 0 ? " (" + failures.get() + " acquire failures)" : "");
    }

    static volatile boolean volatileStop;

    static void asyncLoop(Gate g, ScheduledExecutorService timer, int me, long[] perCaller, AtomicLongArray waits,
                          AtomicInteger nWaits, AtomicInteger failures, long from, long to, long holdNs) {
        if (volatileStop) return;
        long t0 = System.nanoTime();
        g.acquireAsync(Priority.NORMAL, 100).whenComplete((p, e) -> {
            if (e != null) {
                failures.incrementAndGet();
                asyncLoop(g, timer, me, perCaller, waits, nWaits, failures, from, to, holdNs);
                return;
            }
            long t1 = System.nanoTime();
            if (t1 >= from && t1 < to) {
                synchronized (perCaller) {
                    perCaller[me]++;
                }
                int k = nWaits.getAndIncrement();
                if (k < waits.length()) waits.set(k, t1 - t0);
            }
            timer.schedule(() -> {
                p.complete(200, Permit.KEEP_RESERVATION);
                asyncLoop(g, timer, me, perCaller, waits, nWaits, failures, from, to, holdNs);
            }, holdNs, TimeUnit.NANOSECONDS);
        });
    }

    static Thread virtual(Runnable r) throws Exception {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        return (Thread) unstarted.invoke(builder, r);
    }

    static long pct(long[] sorted, double q) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String dur(long ns) {
        if (ns < 1_000_000) return String.format(Locale.ROOT, "%.0f µs", ns / 1e3);
        if (ns < 1_000_000_000) return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }

    static String bytes(long b) {
        if (Math.abs(b) < 10_000) return b + " B";
        return String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
    }

    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static long rss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }
}
