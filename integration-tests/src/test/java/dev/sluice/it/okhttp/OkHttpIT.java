package dev.sluice.it.okhttp;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.OkHttpLoad;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OkHttp 3.14, 4.12 and 5.x, each in its own child class path (target/it-libs/okhttpN), through
 * {@code Call.execute()} and {@code Call.enqueue()}: rate-bound load, refusal, streaming, release on an unread
 * close, and cancel while waiting.
 */
class OkHttpIT {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"okhttp3,sync", "okhttp3,async", "okhttp4,sync", "okhttp4,async", "okhttp5,sync", "okhttp5,async"})
    void threeTimesTheQuotaMeetsNo429(String set, String mode) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            ClientLoad.assertRateBound(set + " " + mode, up, ChildJvm.of(OkHttpLoad.class).libs(set).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=" + ClientLoad.CALLS, "rate=" + ClientLoad.RATE,
                            "mode=" + mode, "warmup=1"), 1);
        }
    }

    /** The refusal is the IOException OkHttp's callers handle: thrown by execute(), passed to onFailure(). */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"okhttp3,seq", "okhttp3,async", "okhttp4,seq", "okhttp4,async", "okhttp5,seq", "okhttp5,async"})
    void aRefusalIsTheCallersIOException(String set, String mode) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            ChildJvm.Result r = ChildJvm.of(OkHttpLoad.class).libs(set)
                    .withAgent(ClientLoad.breakerConfig(up, "openai"))
                    .args("url=" + up.chatUrl(), "calls=4", "rate=10", "mode=" + mode, "warmup=1").run(60);
            ClientLoad.assertRefused(set + " " + mode, up, r, "dev.sluice.SluiceRejectedException");
            assertEquals("true", ClientLoad.refusal(r).get("sluiceMessageInOuter"));
        }
    }

    /**
     * A stream reaches the application as the upstream sends it (its first event long before its end), and its
     * permit goes back when it ends.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"okhttp3,seq", "okhttp4,seq", "okhttp4,async", "okhttp5,seq"})
    void aStreamPassesUnbuffered(String set, String mode) throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(4).streamPauseAfterFirstMillis(1500))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 600).write();
            ChildJvm.Result r = ChildJvm.of(OkHttpLoad.class).libs(set).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=2", "mode=" + mode, "stream=true").run(60);
            assertEquals(2, r.num("ok"), r.toString());
            assertTrue(r.num("events") >= 2 * 4, "every event arrived\n" + r);
            assertTrue(r.num("streamMinMs") >= 1500, r.toString());
            assertTrue(r.num("firstEventMaxMs") < 1000, "the first event was not held back\n" + r);
            ClientLoad.assertPermitsBack(r);
        }
    }

    /** Responses closed without reading: each permit goes back, so one slot serves every call in turn. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"okhttp3", "okhttp4", "okhttp5"})
    void closingUnreadReleases(String set) throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("max-concurrent", 1).endpoint("queue.max-wait", "5s")
                    .write();
            ChildJvm.Result r = ChildJvm.of(OkHttpLoad.class).libs(set).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=20", "mode=sync", "closeUnread=true").run(60);
            assertEquals(20, r.num("ok"), r.toString());
            assertTrue(r.num("wallMs") < 3000, r.toString());
            ClientLoad.assertPermitsBack(r);
        }
    }

    /**
     * Calls cancelled while they wait for admission leave the waiting room at once, fail as OkHttp fails a
     * cancelled call, and never reach the upstream.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void cancelWhileWaitingLeavesTheRoom(String mode) throws Exception {
        try (Upstream up = Upstream.start()) {
            // One permit per 10 s, taken by the warm-up call: every counted call waits.
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 6).endpoint("burst", 1.0 / 6)
                    .endpoint("queue.max-wait", "60s").write();
            ChildJvm.Result r = ChildJvm.of(OkHttpLoad.class).libs("okhttp4").withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=5", "mode=" + mode, "cancelAfterMs=300", "warmup=1").run(60);
            assertEquals(5, r.num("canceled"), "the waiting calls failed as cancelled\n" + r);
            assertEquals(1, up.requests(), "only the warm-up reached the upstream\n" + r);
            assertTrue(r.num("wallMs") < 2000, "nobody waited for a permit after the cancel\n" + r);
            ClientLoad.assertPermitsBack(r);
        }
    }

    /** A call to a URL no endpoint matches passes untouched: not counted, not limited. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void unmatchedCallsPassUntouched(String mode) throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("match", "http://127.0.0.2:1/v1")
                    .endpoint("rpm", 1).write();
            ChildJvm.Result r = ChildJvm.of(OkHttpLoad.class).libs("okhttp4").withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=20", "mode=" + mode).run(60);
            assertEquals(20, r.num("ok"), "rpm=1 would have held them back: they were not governed\n" + r);
            assertEquals(0, r.num("tokensReserved"), r.toString());
            ClientLoad.assertPermitsBack(r);
        }
    }
}
