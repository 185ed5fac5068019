package dev.sluice.core;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thousands of callers on one gate at once: {@code threads} virtual threads (JDK 21+, reached by reflection since
 * the build targets 17) or platform threads, each making {@code ops} admissions of every kind (blocking, with a
 * deadline, async joined, async cancelled at once or later) and holding its permit a moment before handing it back,
 * while an interrupter pokes random callers. The gate has few slots and a room big enough for everyone, so nearly
 * every caller waits, and every release has to wake the right waiter.
 *
 * <p>Checked while it runs: never more permits out than slots (a double permit), never a caller left waiting while
 * slots stand free for seconds (a lost wake-up), progress (a deadlock: the watchdog prints every thread, virtual
 * ones included, and exits 3). Checked at the end: every permit obtained was handed back exactly once, the books
 * balance (admitted = completed, entered = left the room), nothing in flight or waiting, and the token bucket,
 * which refills by one token a minute, holds exactly its capacity less every charge.
 *
 * <p>{@code main} prints one {@code RESULT ok=true ...} line (or {@code ok=false problem=...}) and exits 0, or 3
 * on a hang. Arguments: {@code threads=10000 ops=20 virtual=true slots=32 seed=...}.
 */
public final class GateConcurrencyStress {
    static final long MS = 1_000_000L;

    final int threads;
    final int ops;
    final boolean virtual;
    final int slots;
    final long seed;
    /** Tokens: 1 a minute and 1000 in the bucket; callers ask for tokens rarely enough never to run it dry. */
    final long tokenCapacity = 1_000L;

    final Map<Permit, Boolean> handedOut = new ConcurrentHashMap<>();
    final AtomicInteger holding = new AtomicInteger();
    final AtomicInteger maxHolding = new AtomicInteger();
    final LongAdder obtained = new LongAdder();
    final LongAdder returned = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder interrupted = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder charged = new LongAdder();
    final AtomicLong progress = new AtomicLong();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    GateConcurrencyStress(int threads, int ops, boolean virtual, int slots, long seed) {
        this.threads = threads;
        this.ops = ops;
        this.virtual = virtual;
        this.slots = slots;
        this.seed = seed;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new ConcurrentHashMap<>();
        for (String s : argv) a.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        long seed = a.containsKey("seed") ? Long.parseLong(a.get("seed")) : System.nanoTime();
        GateConcurrencyStress s = new GateConcurrencyStress(Integer.parseInt(a.getOrDefault("threads", "10000")),
                Integer.parseInt(a.getOrDefault("ops", "20")), Boolean.parseBoolean(a.getOrDefault("virtual", "true")),
                Integer.parseInt(a.getOrDefault("slots", "32")), seed);
        System.out.println(s.run());
        System.out.flush();
        System.exit(0);
    }

    /** Runs the stress; the RESULT line. */
    String run() throws Exception {
        // Tokens: 1 per minute, a capacity nobody exhausts: the level must end at capacity - charges, exactly.
        GateLimits limits = GateLimits.builder().tpm(1).burst(1000).burstMarginNanos(0).maxConcurrent(slots)
                .queueCapacity(threads + 16).maxWaitNanos(120_000 * MS).shedLow(1.0).shedNormal(1.0).shedHigh(1.0)
                .breakerFailures(Integer.MAX_VALUE).build();
        if (limits.tokenCapacity() != tokenCapacity) throw new IllegalStateException("capacity " + limits.tokenCapacity());
        long created = System.nanoTime();
        Gate g = new Gate("stress", limits);
        Method ofVirtual = null;
        if (virtual) {
            ofVirtual = Thread.class.getMethod("ofVirtual"); // NoSuchMethodException before JDK 21: the caller's problem
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>(threads);
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            long s = seed * 1_000_003L + i;
            Runnable r = () -> work(g, new SplittableRandom(s), start);
            Thread t;
            if (ofVirtual != null) {
                Object builder = ofVirtual.invoke(null);
                t = (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class)
                        .invoke(builder, r);
            } else {
                t = new Thread(r, "stress-" + i);
            }
            all.add(t);
            t.start();
        }
        Thread watchdog = watchdog(g, all);
        Thread interrupter = interrupter(all);
        start.countDown();
        for (Thread t : all) t.join();
        interrupter.interrupt();
        watchdog.interrupt();
        interrupter.join();
        long wallMs = (System.nanoTime() - t0) / MS;

        GateMonitor m = g.monitor();
        check(m.inFlight() == 0, "InFlight " + m.inFlight());
        check(m.queueDepth() == 0, "QueueDepth " + m.queueDepth());
        check(m.enqueued() == m.dequeued(), "entered the room " + m.enqueued() + ", left " + m.dequeued());
        check(obtained.sum() == returned.sum(), "obtained " + obtained.sum() + ", handed back " + returned.sum());
        check(m.admitted() == obtained.sum(), "admitted " + m.admitted() + " but callers got " + obtained.sum());
        check(m.admitted() == m.completed(), "admitted " + m.admitted() + ", completed " + m.completed());
        check(m.reclaimedLeases() == 0, "reclaimed " + m.reclaimedLeases());
        check(maxHolding.get() <= slots, "at most " + slots + " permits out at once, saw " + maxHolding.get());
        for (Permit p : handedOut.keySet()) {
            if (!p.isCompleted()) {
                check(false, "a permit never completed: " + p);
                break;
            }
        }
        long refill = (System.nanoTime() - created) / 60_000 / MS; // one token a minute since the gate was made
        long expectTokens = Math.min(tokenCapacity, tokenCapacity - m.tokensCharged() + refill);
        check(m.tokensCharged() == charged.sum(), "gate charged " + m.tokensCharged() + ", callers " + charged.sum());
        check(m.availableTokens() == expectTokens, "tokens " + m.availableTokens() + ", expected " + expectTokens);
        StringBuilder sb = new StringBuilder("RESULT ok=").append(problems.isEmpty());
        sb.append(" threads=").append(threads).append(" virtual=").append(ofVirtual != null)
                .append(" ops=").append((long) threads * ops).append(" admitted=").append(m.admitted())
                .append(" refused=").append(refused.sum()).append(" cancelled=").append(cancelled.sum())
                .append(" interrupted=").append(interrupted.sum()).append(" waited=").append(m.waits())
                .append(" maxHolding=").append(maxHolding.get()).append(" slots=").append(slots)
                .append(" tokensCharged=").append(m.tokensCharged()).append(" wallMs=").append(wallMs)
                .append(" seed=").append(seed);
        if (!problems.isEmpty()) sb.append(" problem=").append(problems.peek().replace(' ', '_'));
        return sb.toString();
    }

    private void check(boolean ok, String what) {
        if (!ok) problems.add(what);
    }

    private void work(Gate g, SplittableRandom rnd, CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Priority[] ps = Priority.values();
        for (int k = 0; k < ops; k++) {
            Thread.interrupted(); // an interrupt meant for the previous operation
            Priority p = ps[rnd.nextInt(3)];
            long tokens = rnd.nextInt(1000) == 0 ? 1 + rnd.nextInt(2) : 0;
            Permit pm;
            try {
                int op = rnd.nextInt(10);
                if (op < 4) {
                    pm = g.acquire(p, tokens);
                } else if (op < 6) {
                    pm = g.acquire(p, tokens, System.nanoTime() + (1 + rnd.nextInt(200)) * MS);
                } else {
                    CompletableFuture<Permit> f = g.acquireAsync(p, tokens);
                    if (op == 9 && f.cancel(false)) {
                        cancelled.increment();
                        continue;
                    }
                    if (op == 8) Thread.yield(); // let the grant and a later cancel race
                    if (op == 8 && f.cancel(false)) {
                        cancelled.increment();
                        continue;
                    }
                    pm = f.join();
                }
            } catch (Refusal r) {
                refused.increment();
                continue;
            } catch (InterruptedException e) {
                interrupted.increment();
                continue;
            } catch (CompletionException e) {
                if (e.getCause() instanceof Refusal) refused.increment();
                else problems.add("async admission failed: " + e.getCause());
                continue;
            } catch (CancellationException e) {
                problems.add("a future nobody cancelled was cancelled");
                continue;
            } catch (Throwable t) {
                problems.add("admission threw " + t);
                continue;
            } finally {
                progress.incrementAndGet();
            }
            if (handedOut.putIfAbsent(pm, Boolean.TRUE) != null) problems.add("permit handed out twice: " + pm);
            obtained.increment();
            int now = holding.incrementAndGet();
            maxHolding.accumulateAndGet(now, Math::max);
            int hold = rnd.nextInt(4);
            if (hold == 0) Thread.yield();
            else if (hold == 1) {
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            holding.decrementAndGet();
            int c = rnd.nextInt(10);
            long r = pm.reservedTokens();
            long charge = c < 7 ? r : c < 9 ? Permit.KEEP_RESERVATION : r == 0 ? 0 : r + 1;
            charged.add(charge == Permit.KEEP_RESERVATION ? pm.reservedTokens() : charge);
            if (!pm.complete(c == 0 ? Permit.CANCELLED : 200, charge)) problems.add("first completion refused: " + pm);
            else returned.increment();
            if (rnd.nextInt(20) == 0 && pm.complete(200, 0)) problems.add("completed twice: " + pm);
            progress.incrementAndGet();
        }
    }

    /** Interrupts a random caller every few hundred microseconds (platform thread: not one of the stressed). */
    private Thread interrupter(List<Thread> all) {
        Thread t = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(seed ^ 0x1357);
            while (!Thread.currentThread().isInterrupted()) {
                all.get(r.nextInt(all.size())).interrupt();
                try {
                    Thread.sleep(0, 300_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stress-interrupter");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Every 100 ms: callers waiting while slots stand free, for 5 s on end, is a lost wake-up; no progress for 30 s
     * is a deadlock. Either way every thread's stack is printed (a thread dump that includes virtual threads,
     * where the JDK has one) and the JVM exits 3.
     */
    private Thread watchdog(Gate g, List<Thread> all) {
        Thread t = new Thread(() -> {
            long stuckSince = 0;
            long last = -1;
            long lastMoved = System.nanoTime();
            try {
                while (true) {
                    Thread.sleep(100);
                    long now = System.nanoTime();
                    GateMonitor m = g.monitor();
                    boolean idleSlots = m.queueDepth() > 0 && m.inFlight() < slots && holding.get() < slots;
                    stuckSince = idleSlots ? (stuckSince == 0 ? now : stuckSince) : 0;
                    long p = progress.get();
                    if (p != last) {
                        last = p;
                        lastMoved = now;
                    }
                    String why = stuckSince != 0 && now - stuckSince > 5_000 * MS
                            ? "LOST WAKE-UP: " + m.queueDepth() + " waiting while " + m.inFlight() + " of " + slots
                            + " slots are taken, for 5 s"
                            : now - lastMoved > 30_000 * MS ? "DEADLOCK: no progress for 30 s" : null;
                    if (why != null) {
                        System.out.println("RESULT ok=false problem=" + why.replace(' ', '_') + " gate=" + g);
                        dumpThreads(all);
                        System.out.flush();
                        System.exit(3);
                    }
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "stress-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void dumpThreads(List<Thread> all) {
        try { // JDK 21+: HotSpotDiagnosticMXBean.dumpThreads includes virtual threads
            Object bean = ManagementFactory.getPlatformMXBean(
                    Class.forName("com.sun.management.HotSpotDiagnosticMXBean").asSubclass(
                            java.lang.management.PlatformManagedObject.class));
            Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object text = Enum.valueOf((Class) format, "TEXT_PLAIN");
            java.nio.file.Path f = java.nio.file.Files.createTempFile("stress-threads-", ".txt");
            java.nio.file.Files.delete(f);
            bean.getClass().getMethod("dumpThreads", String.class, format).invoke(bean, f.toString(), text);
            System.out.println(java.nio.file.Files.readString(f));
            return;
        } catch (Throwable notThere) {
            // fall back to the stacks the Thread objects give
        }
        int n = 0;
        for (Thread t : all) {
            if (t.getState() == Thread.State.TERMINATED || n++ > 200) continue;
            System.out.println("THREAD " + t + " " + t.getState());
            for (StackTraceElement e : t.getStackTrace()) System.out.println("    at " + e);
        }
    }
}
