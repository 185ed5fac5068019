package dev.sluice.store;

import dev.sluice.config.EndpointConfig;
import dev.sluice.core.Gate;
import dev.sluice.core.GateLimits;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import dev.sluice.log.SluiceLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis store against real Redis servers: sharing, waits, corrections, pauses, fallback and re-joining. */
class RedisQuotaStoreTest {
    static final long MS = 1_000_000L;
    static final long TIMEOUT = 50 * MS;

    final List<AutoCloseable> toClose = new ArrayList<>();
    final String quota = "test-" + UUID.randomUUID();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    /** Limits with capacity = burst x the per-minute figure (no burst margin). */
    static GateLimits limits(long rpm, long tpm, double burst) {
        return GateLimits.builder().burstMarginNanos(0).rpm(rpm).tpm(tpm).burst(burst).build();
    }

    /** A request-only limit: {@code rpm} per minute, {@code capacity} at once. */
    static GateLimits rpm(long rpm, long capacity) {
        GateLimits l = limits(rpm, 0, (double) capacity / rpm);
        assertEquals(capacity, l.requestCapacity());
        return l;
    }

    RedisQuotaStore store(String url, String quotaName, double share, GateLimits l) throws Exception {
        return store(RedisTarget.parse(url, null, Map.of()), quotaName, share, l);
    }

    RedisQuotaStore store(RedisTarget target, String quotaName, double share, GateLimits l) throws Exception {
        RedisQuotaStore s = new RedisQuotaStore("ep", target, quotaName, TIMEOUT, share, l);
        toClose.add(s);
        assertTrue(s.awaitFirstAttempt(5000), "first connection attempt");
        return s;
    }

    RedisQuotaStore shared(GateLimits l) throws Exception {
        RedisQuotaStore s = store(TestRedis.url(), quota, EndpointConfig.FALLBACK_SHARE_AUTO, l);
        assertEquals(RedisQuotaStore.State.SHARED, s.stateNow(), s.lastProblem());
        return s;
    }

    static void waitFor(String what, long millis, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + millis * MS;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(10);
        }
    }

    RespConnection raw(String url) throws Exception {
        RespConnection c = RespConnection.open(RedisTarget.parse(url, null, Map.of()), 2000 * MS, "test-raw", null);
        toClose.add(c);
        return c;
    }

    /** One figure of {@link #view} (0: requests, 1: tokens), for a condition polled by {@link #waitFor}. */
    static long level(RespConnection c, String quotaName, GateLimits l, int i) {
        try {
            return view(c, quotaName, l).get(i);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Long> view(RespConnection c, String quotaName, GateLimits l) throws Exception {
        return (List<Long>) c.call(2000 * MS, null, "EVAL", QuotaScript.SOURCE, "2", "sluice:{" + quotaName + "}:bucket",
                "sluice:{" + quotaName + "}:replicas", "view", l.rpm(), l.requestCapacity(), l.tpm(), l.tokenCapacity(), 0, 0);
    }

    // ------------------------------------------------------------------------------------------------ sharing

    @Test
    void twoStoresWithOneQuotaNameShareItAndAnotherNameIsSeparate() throws Exception {
        GateLimits l = rpm(6, 4); // 4 at once, then one per 10 s (no refill during the test)
        RedisQuotaStore a = shared(l);
        RedisQuotaStore b = shared(l);
        assertTrue(a.tryTake(1, 0));
        assertTrue(b.tryTake(1, 0));
        assertTrue(a.tryTake(1, 0));
        assertTrue(b.tryTake(1, 0));
        assertFalse(a.tryTake(1, 0), "the two took the shared capacity between them");
        assertFalse(b.tryTake(1, 0));
        RedisQuotaStore other = store(TestRedis.url(), quota + "-other", -1, l);
        assertTrue(other.tryTake(1, 0), "another quota name is another quota");
        assertEquals("redis", a.kind());
        assertEquals(quota, a.quota());
        assertEquals("shared", a.state());
        assertTrue(a.lastRoundTripMicros() >= 0 && a.averageRoundTripMicros() > 0);
    }

    @Test
    void aRefusalSaysHowLongAndAsksRedisNoMoreUntilThen() throws Exception {
        GateLimits l = rpm(600, 2); // one per 100 ms
        RedisQuotaStore s = shared(l);
        assertTrue(s.tryTake(1, 0));
        assertTrue(s.tryTake(1, 0));
        assertFalse(s.tryTake(1, 0));
        long wait = s.nanosUntil(1, 0);
        assertTrue(wait > 0 && wait <= 100 * MS, "wait " + wait);
        long trips = s.roundTrips();
        assertFalse(s.tryTake(1, 0), "still refused");
        assertEquals(trips, s.roundTrips(), "no round trip for a refusal already known");
        Thread.sleep(wait / MS + 5);
        assertTrue(s.tryTake(1, 0), "served when it said");
        assertEquals(0, s.nanosUntil(0, 0));
    }

    @Test
    void bothBucketsOrNothing() throws Exception {
        GateLimits l = limits(6, 600, 10); // requests: 60 at once, 1 per 10 s; tokens: 6000 at once, 10/s
        RedisQuotaStore s = shared(l);
        assertTrue(s.tryTake(1, 4000));
        assertFalse(s.tryTake(1, 4000), "tokens short");
        assertTrue(s.nanosUntil(1, 4000) > 100_000 * MS, "2000 tokens short at 10/s");
        assertTrue(s.tryTake(1, 1000), "a smaller request is not held back by the bigger one's wait");
        List<Long> v = view(raw(TestRedis.url()), quota, l);
        assertEquals(58L, v.get(0), "the refused call took no request");
    }

    @Test
    void correctionsAreBatchedOffTheCallPathAndReachRedis() throws Exception {
        GateLimits l = limits(0, 6000, 1.0 / 6); // 100 tokens/s, 1000 at once
        RedisQuotaStore s = shared(l);
        RespConnection c = raw(TestRedis.url());
        assertTrue(s.tryTake(0, 900));
        long t0 = System.nanoTime();
        s.refund(0, 500);
        s.force(0, 100);
        s.refund(0, 100);
        assertTrue(System.nanoTime() - t0 < 5 * MS, "corrections return at once");
        waitFor("the net refund of 500 in Redis", 2000, () -> level(c, quota, l, 1) >= 600);
        s.lowerTo(-1, 50);
        waitFor("the level lowered to 50", 2000, () -> level(c, quota, l, 1) <= 60);
    }

    @Test
    void oneStoresPauseIsEveryStoresPause() throws Exception {
        GateLimits l = rpm(6000, 100);
        RedisQuotaStore a = shared(l);
        RedisQuotaStore b = shared(l);
        a.pause(400 * MS);
        waitFor("the pause in Redis", 2000, () -> !b.tryTake(1, 0));
        long w = b.nanosUntil(1, 0);
        assertTrue(w > 200 * MS && w <= 400 * MS, "b waits for the pause: " + w);
        a.resume();
        Thread.sleep(50);
        // b's hint still says "paused"; a resume reaches b when its hint ends or through its own resume
        waitFor("b admits again", 2000, () -> b.tryTake(1, 0));
    }

    // ------------------------------------------------------------------------------------------------ fallback

    @Test
    void redisKilledMeansTheLocalShareAnswersAtOnceAndTheStoreRejoinsWhenItIsBack() throws Exception {
        TestRedis.Server server = new TestRedis.Server();
        toClose.add(server);
        GateLimits l = rpm(60_000, 1000);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SluiceLog.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            RedisQuotaStore s = store(server.url(), quota, -1, l);
            assertEquals(RedisQuotaStore.State.SHARED, s.stateNow());
            assertTrue(s.tryTake(1, 0));
            server.kill();
            long t0 = System.nanoTime();
            assertTrue(s.tryTake(1, 0), "answered by the local share");
            long took = System.nanoTime() - t0;
            assertTrue(took < TIMEOUT + 50 * MS, "no stall beyond the timeout: " + took / MS + " ms");
            assertEquals("fallback", s.state());
            assertEquals(1, s.fallbacks());
            for (int i = 0; i < 100; i++) assertTrue(s.tryTake(1, 0), "admits from its share");
            assertEquals(1, s.fallbacks(), "fell back once");

            server.start();
            waitFor("re-joined", 5000, () -> s.stateNow() == RedisQuotaStore.State.SHARED);
            long trips = s.roundTrips();
            assertTrue(s.tryTake(1, 0));
            assertTrue(s.roundTrips() > trips, "admitting through Redis again");
            // The store's thread logs the re-join just after switching state: wait for the line, then count.
            waitFor("re-join logged", 2000, () -> count(log.toString(StandardCharsets.UTF_8), "reachable again") > 0);
            String text = log.toString(StandardCharsets.UTF_8);
            assertEquals(1, count(text, "out of reach"), text);
            assertEquals(1, count(text, "reachable again"), text);
        } finally {
            SluiceLog.setOut(null);
        }
    }

    @Test
    void aHungRedisCostsACallAtMostTheTimeout() throws Exception {
        TestRedis.Server server = new TestRedis.Server();
        toClose.add(server);
        GateLimits l = rpm(60_000, 1000);
        RedisQuotaStore s = store(server.url(), quota, 0.5, l);
        assertTrue(s.tryTake(1, 0));
        server.freeze(true);
        try {
            for (int i = 0; i < RedisQuotaStore.TIMEOUTS_TO_FALL_BACK; i++) {
                long t0 = System.nanoTime();
                assertTrue(s.tryTake(1, 0), "answered by the local share");
                long took = System.nanoTime() - t0;
                assertTrue(took < TIMEOUT + 50 * MS, "waited the timeout, no more: " + took / MS);
                if (s.stateNow() == RedisQuotaStore.State.FALLBACK) break; // (the heartbeat may have timed out too)
            }
            assertEquals("fallback", s.state(), "timeouts in a row: fallen back");
            assertTrue(s.timeouts() >= 1);
            assertEquals(0.5, s.fallbackShare());
            long t0 = System.nanoTime();
            assertTrue(s.tryTake(1, 0));
            assertTrue(System.nanoTime() - t0 < 5 * MS, "later calls do not wait for Redis at all");
        } finally {
            server.freeze(false);
        }
        waitFor("re-joined", 5000, () -> s.stateNow() == RedisQuotaStore.State.SHARED);
    }

    @Test
    void oneSlowAnswerIsAnsweredLocallyAndChargedToTheSharedQuota() throws Exception {
        TestRedis.Server server = new TestRedis.Server();
        toClose.add(server);
        GateLimits l = rpm(6, 10); // slow refill: the level shows what was taken
        RedisQuotaStore s = store(server.url(), quota, -1, l);
        RespConnection c = raw(server.url());
        assertTrue(s.tryTake(1, 0));
        c.call(1000 * MS, null, "CLIENT", "PAUSE", "300");
        long t0 = System.nanoTime();
        assertTrue(s.tryTake(1, 0), "timed out: answered locally");
        assertTrue(System.nanoTime() - t0 < TIMEOUT + 50 * MS);
        assertEquals("shared", s.state(), "one slow answer is no reason to fall back");
        // 10, less the two calls admitted: the late grant is given back, the one admitted locally is charged.
        waitFor("the late grant refunded, the local admission charged", 3000, () -> level(c, quota, l, 0) == 8);
        assertEquals(1, s.timeouts());
        assertEquals(0, s.fallbacks());
    }

    @Test
    void theFallbackShareIsTheLimitDividedByTheReplicasSeen() throws Exception {
        TestRedis.Server server = new TestRedis.Server();
        toClose.add(server);
        GateLimits l = rpm(6000, 300);
        RedisQuotaStore a = store(server.url(), quota, -1, l);
        RedisQuotaStore b = store(server.url(), quota, -1, l);
        RedisQuotaStore c = store(server.url(), quota, -1, l);
        waitFor("a heartbeat that sees all three", 3000, () -> a.replicas() == 3);
        assertEquals(1.0 / 3, a.fallbackShare(), 1e-9);
        server.kill();
        a.tryTake(1, 0);
        waitFor("a falls back", 2000, () -> a.stateNow() == RedisQuotaStore.State.FALLBACK);
        long level = a.availableRequests();
        assertTrue(level <= 100 && level >= 98, "a third of the 300 (less what it took): " + level);
        b.close();
        c.close();
    }

    @Test
    void aStoreThatIsSlowToConnectDelaysOnlyTheFirstCallsAndOnlyByTheTimeout() throws Exception {
        // A listening socket that never answers: the connection is made, AUTH-less SCRIPT LOAD waits its 1 s.
        try (ServerSocket silent = new ServerSocket(0)) {
            RedisQuotaStore s = new RedisQuotaStore("ep", RedisTarget.parse("redis://127.0.0.1:" + silent.getLocalPort(),
                    null, Map.of()), quota, TIMEOUT, -1, rpm(6000, 100));
            toClose.add(s);
            long t0 = System.nanoTime();
            assertTrue(s.tryTake(1, 0));
            long first = System.nanoTime() - t0;
            assertTrue(first >= TIMEOUT - MS && first < TIMEOUT + 50 * MS, "the first call waits the timeout: " + first / MS);
            t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) assertTrue(s.tryTake(1, 0));
            assertTrue(System.nanoTime() - t0 < 10 * MS, "later calls do not wait again");
            assertEquals("connecting", s.state());
            assertTrue(s.awaitFirstAttempt(5000));
            assertEquals("fallback", s.state());
        }
    }

    @Test
    void aGrantThatCameTooLateIsGivenBackAndALocalAdmissionCountedAtRejoin() throws Exception {
        TestRedis.Server server = new TestRedis.Server();
        toClose.add(server);
        GateLimits l = rpm(6, 10); // slow refill: the level shows what was taken
        RedisQuotaStore s = store(server.url(), quota, -1, l);
        RespConnection c = raw(server.url());
        assertTrue(s.tryTake(1, 0));
        c.call(1000 * MS, null, "CLIENT", "PAUSE", "400");
        for (int i = 0; i < RedisQuotaStore.TIMEOUTS_TO_FALL_BACK && s.stateNow() == RedisQuotaStore.State.SHARED; i++) {
            assertTrue(s.tryTake(1, 0), "timed out: answered locally");
        }
        assertEquals("fallback", s.state());
        // 10 less the calls admitted (1 + 2): the late grants are given back, the local admissions are charged
        // (the first) or counted when the store re-joins (its bucket, seeded with the 9 last seen, is at 8 then).
        waitFor("re-joined", 5000, () -> s.stateNow() == RedisQuotaStore.State.SHARED);
        waitFor("the late grants refunded, the local admissions counted", 3000, () -> level(c, quota, l, 0) <= 8);
    }

    @Test
    void theScriptCacheFlushedIsNoProblem() throws Exception {
        GateLimits l = rpm(6000, 100);
        TestRedis.Server server = new TestRedis.Server();
        toClose.add(server);
        RedisQuotaStore s = store(server.url(), quota, -1, l);
        raw(server.url()).call(1000 * MS, null, "SCRIPT", "FLUSH");
        assertTrue(s.tryTake(1, 0));
        assertEquals("shared", s.state());
    }

    @Test
    void aPasswordFromTheEnvironmentAndNeverInAMessage() throws Exception {
        TestRedis.Server server = new TestRedis.Server("--requirepass", "s3cret-pw");
        toClose.add(server);
        GateLimits l = rpm(6000, 100);
        RedisTarget good = RedisTarget.parse(server.url(), "REDIS_PW", Map.of("REDIS_PW", "s3cret-pw"));
        RedisQuotaStore s = store(good, quota, -1, l);
        assertEquals("shared", s.state(), s.lastProblem());
        assertTrue(s.tryTake(1, 0));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SluiceLog.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            RedisTarget bad = RedisTarget.parse("redis://:wrong-pw@127.0.0.1:" + server.port, null, Map.of());
            RedisQuotaStore t = store(bad, quota, -1, l);
            assertEquals("fallback", t.state());
            assertTrue(t.lastProblem().contains("AUTH refused (password from the URI)"), t.lastProblem());
            String all = log.toString(StandardCharsets.UTF_8) + t.lastProblem() + t + t.target() + bad;
            assertFalse(all.contains("wrong-pw"), all);
            assertTrue(t.tryTake(1, 0), "no call fails because the store cannot be used");
        } finally {
            SluiceLog.setOut(null);
        }
        try {
            RedisTarget.parse(server.url(), "NOT_SET_ANYWHERE", Map.of());
            throw new AssertionError("a missing variable is an error");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("NOT_SET_ANYWHERE"), e.getMessage());
        }
    }

    @Test
    void redissSpeaksTls() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            RedisTarget t = RedisTarget.parse("rediss://127.0.0.1:" + ss.getLocalPort(), null, Map.of());
            assertTrue(t.tls());
            assertEquals("rediss://127.0.0.1:" + ss.getLocalPort(), t.toString());
            CompletableFuture<byte[]> hello = CompletableFuture.supplyAsync(() -> {
                try (Socket s = ss.accept()) {
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    return in.readNBytes(3);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            RedisQuotaStore s = new RedisQuotaStore("ep", t, quota, TIMEOUT, -1, rpm(600, 10));
            toClose.add(s);
            byte[] b = hello.get(10, TimeUnit.SECONDS);
            assertEquals(0x16, b[0], "a TLS handshake record");
            assertEquals(0x03, b[1], "TLS version major 3");
            assertTrue(s.awaitFirstAttempt(5000));
            assertTrue(s.tryTake(1, 0), "the handshake failed: answered locally");
        }
    }

    // ------------------------------------------------------------------------------------------------ with gates

    @Test
    void twoGatesOnOneQuotaAdmitAtTheSharedRateTogether() throws Exception {
        GateLimits l = rpm(6000, 5).toBuilder().queueCapacity(1000).build(); // 100/s, 5 at once
        Gate g1 = new Gate("g1", l);
        Gate g2 = new Gate("g2", l);
        g1.setQuotaStore(shared(l));
        g2.setQuotaStore(shared(l));
        int perGate = 40;
        List<CompletableFuture<Permit>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < perGate; i++) {
            all.add(g1.acquireAsync(Priority.NORMAL, 0));
            all.add(g2.acquireAsync(Priority.NORMAL, 0));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        double wall = (System.nanoTime() - t0) / 1e9;
        double ideal = (2 * perGate - 5) / 100.0;
        assertTrue(wall >= ideal * 0.95, "never faster than the shared rate: " + wall + " s vs " + ideal);
        // The upper bound only catches waiters that oversleep grossly (a busy 2-core machine stretches any run).
        assertTrue(wall <= ideal * 3 + 1, "waiters sleep the right amount: " + wall + " s vs " + ideal);
        for (CompletableFuture<Permit> f : all) f.join().complete(200, Permit.KEEP_RESERVATION);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
