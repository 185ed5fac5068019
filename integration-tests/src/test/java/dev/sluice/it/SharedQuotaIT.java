package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import dev.sluice.mock.ChargeMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three application JVMs with the agent, one quota shared through Redis ({@code store=redis://...}): together they
 * offer three times what the upstream allows, and the upstream must see no 429, every call must succeed, and the
 * whole run must take no more than ~1.15x the time the quota allows. Then Redis is frozen and killed in the middle
 * of a run: no call fails or waits on Redis beyond store.timeout, the JVMs fall back to their share, and re-join.
 */
class SharedQuotaIT {
    static final int JVMS = 3;
    static final String MBEAN = "dev.sluice:type=Endpoint,name=mock";
    static final String ATTRS = "StoreState,StoreFallbacks,StoreTimeouts,StoreReplicas,StoreAvgRoundTripMicros,Upstream429,StoreLastProblem";

    static SluiceConfigFile shared(Upstream up, String redisUrl) {
        return SluiceConfigFile.forUpstream(up)
                .endpoint("store", redisUrl)
                .endpoint("store.quota", "it-" + UUID.randomUUID())
                .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s");
    }

    /** Starts the JVMs, all offering their load from the same moment (once all are up), and waits for them. */
    static List<ChildJvm.Result> runTogether(Path cfg, long timeoutSeconds, String... args) throws Exception {
        return startTogether(cfg, i -> "async", args).await(timeoutSeconds); // (sync: in the Redis kill test)
    }

    /** JVMs started and ready to offer load: {@link #go()} lets them all start at once. */
    static final class Together {
        final List<ChildJvm.Started> started;
        final Path goFile;

        Together(List<ChildJvm.Started> started, Path goFile) {
            this.started = started;
            this.goFile = goFile;
        }

        void go() throws Exception {
            long deadline = System.nanoTime() + 120_000_000_000L;
            for (ChildJvm.Started s : started) {
                while (!s.stdoutSoFar().contains("READY")) {
                    if (!s.process.isAlive() || System.nanoTime() > deadline) {
                        throw new AssertionError("a child did not get ready:\n" + s.stdoutSoFar() + s.stderrSoFar());
                    }
                    Thread.sleep(10);
                }
            }
            java.nio.file.Files.createFile(goFile);
        }

        List<ChildJvm.Result> await(long timeoutSeconds) throws Exception {
            if (!java.nio.file.Files.exists(goFile)) go();
            List<ChildJvm.Result> results = new ArrayList<>();
            for (ChildJvm.Started s : started) results.add(s.await(timeoutSeconds));
            return results;
        }
    }

    static Together startTogether(Path cfg, java.util.function.IntFunction<String> mode, String... args) throws Exception {
        return startTogether(cfg, Map.of(), mode, args);
    }

    static Together startTogether(Path cfg, Map<String, String> env, java.util.function.IntFunction<String> mode,
                                  String... args) throws Exception {
        java.nio.file.Files.createDirectories(ChildJvm.WORK);
        Path go = ChildJvm.WORK.resolve("go-" + UUID.randomUUID());
        List<ChildJvm.Started> started = new ArrayList<>();
        for (int i = 0; i < JVMS; i++) {
            List<Object> a = new ArrayList<>(List.of((Object[]) args));
            a.add("goFile=" + go.toAbsolutePath());
            a.add("mode=" + mode.apply(i));
            a.add("mbean=" + MBEAN);
            a.add("attrs=" + ATTRS);
            ChildJvm child = ChildJvm.of(JdkLoad.class).withAgent(cfg).args(a.toArray());
            env.forEach(child::env);
            started.add(child.start());
        }
        return new Together(started, go);
    }

    static double combinedWallSeconds(List<ChildJvm.Result> rs) {
        long start = Long.MAX_VALUE;
        long end = 0;
        for (ChildJvm.Result r : rs) {
            start = Math.min(start, r.num("startEpochMs"));
            end = Math.max(end, r.num("endEpochMs"));
        }
        return (end - start) / 1000.0;
    }

    static long sum(List<ChildJvm.Result> rs, String key) {
        long n = 0;
        for (ChildJvm.Result r : rs) n += r.num(key);
        return n;
    }

    static String describe(List<ChildJvm.Result> rs) {
        StringBuilder sb = new StringBuilder();
        for (ChildJvm.Result r : rs) sb.append("\n---- child\n").append(r);
        return sb.toString();
    }

    @Test
    void threeJvmsShareOneRequestQuota() throws Exception {
        int rpm = RateLimitIT.RPM; // 100 calls/s; the upstream holds 1 s of it
        try (Upstream up = Upstream.start(b -> b.rpm(rpm).burstSeconds(1))) {
            Path cfg = shared(up, TestRedis.url()).endpoint("rpm", rpm).endpoint("burst", RateLimitIT.BURST).write();
            int perJvm = 300; // each JVM offers 100/s: together 3x the quota
            List<ChildJvm.Result> rs = runTogether(cfg, 120, "url=" + up.chatUrl(), "calls=" + perJvm, "rate=100");

            int calls = JVMS * perJvm;
            assertEquals(0, up.rateLimited(), "upstream 429s" + describe(rs));
            assertEquals(calls, sum(rs, "ok"), "every call succeeds" + describe(rs));
            for (ChildJvm.Result r : rs) {
                // (a loaded machine may miss store.timeout now and then: StoreFallbacks counts those episodes)
                assertEquals("shared", r.result().get("jmx.StoreState"), "on the MBean" + describe(rs));
                assertEquals("3", r.result().get("jmx.StoreReplicas"), describe(rs));
            }
            double ideal = (calls - rpm / 60.0) / (rpm / 60.0);
            double wall = combinedWallSeconds(rs);
            System.out.printf("shared RPM: %d JVMs x %d calls, 0 x 429, wall %.2f s, ideal %.2f s, ratio %.3f,"
                            + " avg round trip %s us, fallbacks %d%n", JVMS, perJvm, wall, ideal, wall / ideal,
                    rs.get(0).result().get("jmx.StoreAvgRoundTripMicros"), sum(rs, "jmx.StoreFallbacks"));
            assertTrue(wall <= ideal * 1.15 + 0.3, "wall " + wall + " s vs ideal " + ideal + " s" + describe(rs));
        }
    }

    @Test
    void threeJvmsShareOneTokenQuotaWithUsageCorrections() throws Exception {
        int tpm = 60_000; // 1,000 tokens/s; the upstream holds 1 s of it
        int promptBytes = 40, maxTokens = 40, completion = 8;
        int reserved = promptBytes / 4 + maxTokens; // 50: what must be free at arrival
        int net = promptBytes / 4 + completion;     // 18: what a call costs once its unused output is given back
        try (Upstream up = Upstream.start(b -> b.tpm(tpm).burstSeconds(1).chargeMode(ChargeMode.ANTHROPIC_ADJUST_AT_END)
                .completionTokens(completion))) {
            Path cfg = shared(up, TestRedis.url()).endpoint("provider", "anthropic")
                    .endpoint("tpm", tpm).endpoint("burst", RateLimitIT.BURST).write();
            int perJvm = 150; // each JVM offers 55/s; the quota serves 1000/18 = 55.6/s: together 3x
            List<ChildJvm.Result> rs = runTogether(cfg, 120, "url=" + up.messagesUrl(), "calls=" + perJvm, "rate=55",
                    "promptBytes=" + promptBytes, "maxTokens=" + maxTokens);

            int calls = JVMS * perJvm;
            assertEquals(0, up.rateLimited(), "upstream 429s" + describe(rs));
            assertEquals(calls, sum(rs, "ok"), "every call succeeds" + describe(rs));
            assertEquals((long) calls * net, up.tokensCharged(), "the upstream charged the real usage");
            double ideal = ((double) calls * net - tpm / 60.0) / (tpm / 60.0);
            double wall = combinedWallSeconds(rs);
            System.out.printf("shared TPM with corrections: %d JVMs x %d calls (%d reserved, %d net each), 0 x 429,"
                    + " wall %.2f s, ideal %.2f s, ratio %.3f, fallbacks %d%n", JVMS, perJvm, reserved, net, wall, ideal,
                    wall / ideal, sum(rs, "jmx.StoreFallbacks"));
            assertTrue(wall <= ideal * 1.15 + 0.3, "wall " + wall + " s vs ideal " + ideal + " s: corrections reached"
                    + " the shared quota" + describe(rs));
        }
    }

    @Test
    void redisHungThenKilledMidRunFailsNoCallAndTheJvmsRejoin() throws Exception {
        int rpm = RateLimitIT.RPM;
        String password = "redis-pw-" + UUID.randomUUID(); // from the environment; never to appear anywhere
        try (Upstream up = Upstream.start(b -> b.rpm(rpm).burstSeconds(1));
             TestRedis.Server redis = new TestRedis.Server("--requirepass", password)) {
            Path cfg = shared(up, redis.url()).endpoint("rpm", rpm).endpoint("burst", RateLimitIT.BURST)
                    .endpoint("store.timeout", "50ms").endpoint("store.password-env", "SHARED_QUOTA_REDIS_PW").write();
            // Each JVM offers 25/s for 8 s: together 75/s, within the quota and within each JVM's third of it, so
            // no call should wait for tokens at all: any delay a call sees is Redis's doing.
            // The slowest call is measured from 1 s on (the first calls pay for warming up the JVM and connections).
            Together jvms = startTogether(cfg, Map.of("SHARED_QUOTA_REDIS_PW", password), i -> i == 0 ? "sync" : "async",
                    "url=" + up.chatUrl(), "calls=200", "rate=25", "latencyFromMs=1000");
            jvms.go();
            long t0 = System.currentTimeMillis();
            sleepUntil(t0 + 2500);
            redis.freeze(true);  // hung: calls time out after store.timeout
            sleepUntil(t0 + 3500);
            redis.kill();        // gone: connections drop
            sleepUntil(t0 + 4500);
            redis.start();       // back, empty: the JVMs re-join and count what they admitted meanwhile
            List<ChildJvm.Result> rs = jvms.await(120);

            assertEquals(JVMS * 200L, sum(rs, "ok"), "no call fails" + describe(rs));
            assertEquals(0, sum(rs, "failed") + sum(rs, "refused"), describe(rs));
            assertEquals(0, up.rateLimited(), describe(rs));
            long maxLatency = 0;
            for (ChildJvm.Result r : rs) {
                assertTrue(!r.stdout.contains(password) && !r.stderr.contains(password), "the password is never shown");
                maxLatency = Math.max(maxLatency, r.num("maxLatencyMs"));
                assertTrue(r.stderr.contains("out of reach"), "the fallback is logged" + describe(rs));
                assertTrue(r.stderr.contains("1/3 of the limits (3 JVMs shared the quota)"), describe(rs));
                assertTrue(r.stderr.contains("reachable again"), "re-joined" + describe(rs));
                assertEquals("shared", r.result().get("jmx.StoreState"), "re-joined, on the MBean" + describe(rs));
                assertTrue(Long.parseLong(r.result().get("jmx.StoreFallbacks")) >= 1, describe(rs));
            }
            System.out.printf("Redis hung then killed mid-run: %d calls ok, slowest call after warm-up %d ms"
                    + " (store.timeout 50 ms)%n", sum(rs, "ok"), maxLatency);
            // Every call is answered by Redis within store.timeout or by the local share at once; what a call could
            // never escape is the store's own 1 s set-up timeout, had a reconnect been on its path. The precise
            // bound (timeout + a few ms) is RedisQuotaStoreTest's, in one quiet JVM; here three JVMs and the mock
            // share the machine, and a call now and then is late for reasons of its own (also before the fault).
            assertTrue(maxLatency < 1000, "no call waits for Redis beyond the timeout: " + maxLatency + " ms"
                    + describe(rs));
        }
    }

    private static void sleepUntil(long epochMs) throws InterruptedException {
        long d = epochMs - System.currentTimeMillis();
        if (d > 0) Thread.sleep(d);
    }
}
