package dev.sluice.it.reactor;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jdks;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.ReactorNettyLoad;
import dev.sluice.it.apps.WebClientLoad;
import dev.sluice.it.okhttp.ClientLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reactor Netty's {@code HttpClient}, used directly and as Spring WebClient's default connector: rate-bound load
 * (blocking and fully reactive), streaming with its usage charged, no buffering of a stream, the refusal in each
 * one's own terms, and a subscription cancelled while it waits or in the middle of a stream. The HttpClient app
 * also runs against Reactor Netty 1.1.31 (Reactor 3.5, Netty 4.1) and 1.3.6 (Reactor 3.8, Netty 4.2).
 */
class ReactorNettyIT {
    /**
     * The child JVM for a client: {@code webclient}, {@code reactor-netty} (the module's 1.2.11), or
     * {@code reactor-netty-1.1} / {@code reactor-netty-1.3}: the same app run against that line's jars
     * (target/it-libs, with the Reactor and Netty each declares).
     */
    static ChildJvm child(String client) {
        if (client.equals("webclient")) return ChildJvm.of(WebClientLoad.class);
        ChildJvm c = ChildJvm.of(ReactorNettyLoad.class);
        return client.startsWith("reactor-netty-") ? c.libs(client) : c;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reactor-netty,sync", "reactor-netty,async", "webclient,sync", "webclient,async",
            "reactor-netty-1.1,async", "reactor-netty-1.3,async"})
    void threeTimesTheQuotaMeetsNo429(String client, String mode) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            ChildJvm.Result r = ClientLoad.assertRateBound(client + " " + mode, up, child(client).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=" + ClientLoad.CALLS, "rate=" + ClientLoad.RATE,
                            "mode=" + mode, "warmup=1"), 1);
            if (client.startsWith("reactor-netty-")) {
                String jar = r.result().get("reactorNettyJar");
                assertTrue(jar.startsWith("reactor-netty-http-" + client.substring(14) + "."), jar);
            }
        }
    }

    /** The same on JDK 25 (Temurin, where present; required in CI): Reactor Netty and WebClient, reactive. */
    @ParameterizedTest(name = "{0} on JDK 25")
    @ValueSource(strings = {"reactor-netty", "webclient"})
    void threeTimesTheQuotaMeetsNo429OnJdk25(String client) throws Exception {
        String home = Jdks.require(25);
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            ClientLoad.assertRateBound(client + " async, JDK 25", up, child(client).javaHome(home).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=" + ClientLoad.CALLS, "rate=" + ClientLoad.RATE,
                            "mode=async", "warmup=1"), 1);
        }
    }

    /**
     * Streamed at 3x the RPM: no 429, every stream's usage reaches the app, and Sluice charges what the upstream
     * charged (OpenAI's way: prompt + the request's output bound): the body is not known before admission, so the
     * default estimate is reserved, and the body seen on its way out settles the call.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reactor-netty", "webclient", "reactor-netty-1.1", "reactor-netty-1.3"})
    void streamedAtThreeTimesTheRpmChargesTheUsage(String client) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            ChildJvm.Result r = ClientLoad.assertRateBound(client + " streaming", up, child(client)
                    .withAgent(cfg).args("url=" + up.chatUrl(), "calls=" + ClientLoad.CALLS,
                            "rate=" + ClientLoad.RATE, "mode=async", "stream=true", "warmup=1"), 1, 1.25);
            long upstream = up.promptTokens() + up.completionTokens();
            System.out.printf("FIGURES %s streaming usage: app saw %d tokens, upstream reported %d and charged %d,"
                    + " Sluice charged %d%n", client, r.num("streamUsage"), upstream, up.tokensCharged(),
                    r.num("tokensCharged"));
            assertTrue(r.num("events") > ClientLoad.CALLS * 3L, r.result().toString());
            assertTrue(upstream > 0, r.result().toString());
            assertEquals(upstream, r.num("streamUsage"), "every stream's usage reached the app\n" + r.result().toString());
            assertEquals(up.tokensCharged(), r.num("tokensCharged"),
                    "Sluice charged what the upstream charged (prompt + output bound, as OpenAI does)\n" + r.result().toString());
        }
    }

    /** The first event reaches the application long before the stream's end, and the permit goes back at the end. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reactor-netty,seq", "reactor-netty,async", "webclient,seq", "reactor-netty-1.1,async",
            "reactor-netty-1.3,async"})
    void aStreamPassesUnbuffered(String client, String mode) throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(4).streamPauseAfterFirstMillis(1500))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 600).write();
            ChildJvm.Result r = child(client).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=2", "mode=" + mode, "stream=true").run(60);
            System.out.printf("FIGURES %s %s stream: first event after %d ms, end after %d ms%n", client, mode,
                    r.num("firstEventMaxMs"), r.num("streamMinMs"));
            assertEquals(2, r.num("ok"), r.toString());
            assertTrue(r.num("streamMinMs") >= 1500, r.toString());
            assertTrue(r.num("firstEventMaxMs") < 1000, "the first event was not held back\n" + r);
            ClientLoad.assertPermitsBack(r);
        }
    }

    /**
     * The refusal is the reactive chain's error: Sluice's IOException itself for Reactor Netty, and for WebClient
     * its WebClientRequestException caused by it.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reactor-netty,seq", "reactor-netty,async", "webclient,seq", "webclient,async",
            "reactor-netty-1.1,seq", "reactor-netty-1.3,seq"})
    void aRefusalIsTheChainsError(String client, String mode) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            ChildJvm.Result r = child(client).withAgent(ClientLoad.breakerConfig(up, "openai"))
                    .args("url=" + up.chatUrl(), "calls=4", "rate=10", "mode=" + mode, "warmup=1").run(60);
            ClientLoad.assertRefused(client + " " + mode, up, r, client.equals("webclient")
                    ? "org.springframework.web.reactive.function.client.WebClientRequestException"
                    : "dev.sluice.SluiceRejectedException");
        }
    }

    /**
     * Calls the application gives up on (Reactor's {@code timeout()}) while they wait for admission leave the
     * waiting room at once and never reach the upstream.
     */
    @Test
    void cancelWhileWaitingLeavesTheRoom() throws Exception {
        try (Upstream up = Upstream.start()) {
            // One permit per 10 s, taken by the warm-up call: every counted call waits.
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 6).endpoint("burst", 1.0 / 6)
                    .endpoint("queue.max-wait", "60s").write();
            ChildJvm.Result r = ChildJvm.of(ReactorNettyLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=5", "mode=async", "timeoutMs=300", "warmup=1").run(60);
            assertEquals(5, r.num("failed"), "each call timed out while waiting\n" + r);
            assertEquals(1, up.requests(), "only the warm-up reached the upstream\n" + r);
            assertTrue(r.num("wallMs") < 2000, r.toString());
            ClientLoad.assertPermitsBack(r);
        }
    }

    /** A stream the application gives up on half way hands its permit back: one slot serves every call in turn. */
    @Test
    void cancelMidStreamReleases() throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(4).streamPauseAfterFirstMillis(1000))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("max-concurrent", 1).endpoint("queue.max-wait", "30s")
                    .write();
            ChildJvm.Result r = ChildJvm.of(ReactorNettyLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=4", "mode=seq", "stream=true", "timeoutMs=400").run(60);
            assertEquals(4, r.num("failed"), "each stream was cut by the app's timeout\n" + r);
            assertEquals(4, up.requests(), "every call was admitted in turn\n" + r);
            assertTrue(r.num("wallMs") < 3500, "no call waited for an abandoned permit\n" + r);
            ClientLoad.assertPermitsBack(r);
        }
    }

    /** A call to a URL no endpoint matches passes untouched. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reactor-netty", "webclient"})
    void unmatchedCallsPassUntouched(String client) throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("match", "http://127.0.0.2:1/v1")
                    .endpoint("rpm", 1).write();
            ChildJvm.Result r = child(client).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=20", "mode=async").run(60);
            assertEquals(20, r.num("ok"), "rpm=1 would have held them back: they were not governed\n" + r);
            assertEquals(0, r.num("tokensReserved"), r.toString());
            ClientLoad.assertPermitsBack(r);
        }
    }

    /** {@code sluice.client.reactor-netty.enabled=false} leaves the client alone. */
    @Test
    void switchedOffLeavesItAlone() throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 1)
                    .key("sluice.client.reactor-netty.enabled", "false").write();
            ChildJvm.Result r = ChildJvm.of(WebClientLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=5", "mode=async").run(60);
            assertEquals(5, r.num("ok"), r.toString());
            assertEquals(0, r.num("tokensReserved"), r.toString());
        }
    }

    /**
     * The connection closed by the upstream in the middle of the body: the application sees Reactor Netty's own
     * error, the permit goes back, and the call counts as a failure for the breaker (not as a cancel).
     */
    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void aConnectionCutMidBodyIsAFailure(boolean stream) throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(8))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("breaker.failures", 100).write();
            ChildJvm.Result r = ChildJvm.of(ReactorNettyLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=5", "mode=seq", "stream=" + stream, "chaos=cut-after=60")
                    .run(60);
            assertEquals(5, r.num("failed"), "each call failed as the connection closed\n" + r);
            assertEquals(5, up.cuts(), r.toString());
            assertTrue(r.stdout.contains("name=mock Failures=5\n"), "five breaker failures\n" + r.stdout);
            ClientLoad.assertPermitsBack(r);
        }
    }

    /** 500 calls subscribed at once from one thread: the hundreds waiting for admission hold no thread. */
    @Test
    void fiveHundredWaitingSubscriptionsHoldNoThreads() throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").endpoint("queue.capacity", 1000).write();
            ChildJvm.Result r = ChildJvm.of(ReactorNettyLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=500", "rate=0", "mode=async", "warmup=1",
                            "sampleThreadsAtMs=1500").run(120);
            long waiting = r.num("waitingAtSample");
            long added = r.num("threads") - r.num("threadsBefore");
            System.out.printf("FIGURES reactor-netty: %d subscriptions waiting at 1.5 s, threads %d before the load, %+d"
                    + " while they waited%n", waiting, r.num("threadsBefore"), added);
            assertTrue(waiting >= 150, "the sample must see hundreds waiting: " + waiting + "\n" + r);
            assertTrue(added <= 5, "threads added while " + waiting + " waited: " + added + "\n" + r);
            assertEquals(500, r.num("ok"), r.toString());
            assertEquals(0, up.rateLimited());
            ClientLoad.assertPermitsBack(r);
        }
    }

    /**
     * TPM-bound at 3x, the upstream charging as OpenAI does (prompt + output bound at arrival): the default estimate
     * reserved at admission covers each call, the body seen going out settles it as the upstream charged it, so the
     * token bucket tracks the upstream's and no call meets a 429.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reactor-netty", "webclient"})
    void tokenBoundMeetsNo429(String client) throws Exception {
        int tpm = 60_000; // 1,000 tokens/s; each call is 10 prompt + 40 bound = 50 at arrival, offered 60/s: 3x
        try (Upstream up = Upstream.start(b -> b.tpm(tpm).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("tpm", tpm).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s").write();
            int calls = 100;
            ChildJvm.Result r = child(client).withAgent(cfg).args("url=" + up.chatUrl(), "calls=" + calls, "rate=60",
                    "mode=async", "promptBytes=40", "maxTokens=40").run(120);
            double ideal = (calls * 50 - 1000) / 1000.0;
            System.out.printf("FIGURES %s TPM-bound: %d calls, %d x 429, ok %d, wall %.2f s vs %.2f s ideal, tokens"
                            + " charged upstream %d, Sluice %d%n", client, calls, up.rateLimited(), r.num("ok"),
                    r.num("wallMs") / 1000.0, ideal, up.tokensCharged(), r.num("tokensCharged"));
            assertEquals(0, up.rateLimited(), "upstream 429s\n" + r);
            assertEquals(calls, r.num("ok"), r.toString());
            assertEquals(up.tokensCharged(), r.num("tokensCharged"), r.result().toString());
            ClientLoad.assertPermitsBack(r);
        }
    }

    /**
     * With a warm client (one call made before), the first event of a stream reaches the application about as soon
     * with the agent as without it: the figure for the README, bounded loosely for a busy machine.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reactor-netty,async", "webclient,seq"})
    void firstEventWithAndWithoutTheAgent(String client, String mode) throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(4).streamPauseAfterFirstMillis(1000))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 600).write();
            String[] args = {"url=" + up.chatUrl(), "calls=1", "mode=" + mode, "stream=true", "warmup=1"};
            ChildJvm.Result without = child(client).args(args).run(60);
            ChildJvm.Result with = child(client).withAgent(cfg).args(args).run(60);
            System.out.printf("FIGURES %s %s stream, warm client: first event after %d ms without the agent, %d ms"
                    + " with it%n", client, mode, without.num("firstEventMaxMs"), with.num("firstEventMaxMs"));
            assertEquals(1, with.num("ok"), with.toString());
            assertTrue(with.num("firstEventMaxMs") < without.num("firstEventMaxMs") + 200, with.toString());
            ClientLoad.assertPermitsBack(with);
        }
    }
}
