package dev.sluice.it.okhttp;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.AnthropicSdkLoad;
import dev.sluice.it.apps.OpenAiSdkLoad;
import dev.sluice.it.apps.SdkRejectHttp;
import dev.sluice.mock.ChargeMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * openai-java and anthropic-java (OkHttp underneath), streaming: at 3x the RPM the upstream allows and at a TPM-bound
 * load no call meets a 429 and Sluice's TPM charge equals the upstream's; with {@code reject=http} a refusal is the
 * SDK's own rate-limit error, and with the SDK's retries on every call backs off as told and finally succeeds without
 * the upstream refusing anything.
 */
class SdkStreamingIT {
    static Class<?> app(String sdk) {
        return sdk.equals("openai") ? OpenAiSdkLoad.class : AnthropicSdkLoad.class;
    }

    static String baseUrl(Upstream up, String sdk) {
        return sdk.equals("openai") ? up.baseUrl() + "/v1" : up.baseUrl();
    }

    /** Each provider's own way of charging TPM: OpenAI keeps prompt + bound, Anthropic refunds unused output. */
    static ChargeMode charging(String sdk) {
        return sdk.equals("openai") ? ChargeMode.OPENAI_AT_ARRIVAL : ChargeMode.ANTHROPIC_ADJUST_AT_END;
    }

    static SluiceConfigFile config(Upstream up, String sdk) {
        // anthropic-java posts to <baseUrl>/v1/messages: the endpoint matches <base>/v1 either way
        return SluiceConfigFile.forUpstream(up).endpoint("provider", sdk)
                .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "anthropic"})
    void streamedAtThreeTimesTheRpm(String sdk) throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(ClientLoad.RPM).burstSeconds(1).chargeMode(charging(sdk)))) {
            Path cfg = config(up, sdk).endpoint("rpm", ClientLoad.RPM).endpoint("burst", ClientLoad.BURST).write();
            ChildJvm.Result r = ClientLoad.assertRateBound(sdk + "-java streaming", up, ChildJvm.of(app(sdk))
                    .withAgent(cfg).args("baseUrl=" + baseUrl(up, sdk), "calls=" + ClientLoad.CALLS,
                            "rate=" + ClientLoad.RATE, "mode=sync", "stream=true", "warmup=1"), 1, 1.25);
            assertTrue(r.num("events") > ClientLoad.CALLS * 3L, "streamed: " + r.result());
            assertCharged(sdk + "-java RPM-bound stream", up, r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "anthropic"})
    void streamedTokenBound(String sdk) throws Exception {
        int tpm = 60_000;                      // 1,000 tokens/s
        ChargeMode charging = charging(sdk);
        try (Upstream up = Upstream.start(b -> b.tpm(tpm).burstSeconds(1).chargeMode(charging))) {
            Path cfg = config(up, sdk).endpoint("tpm", tpm).endpoint("burst", 1.0 / 60).write();
            int calls = 120;                   // 10 prompt + 40 bound at arrival, offered at 60/s: 3x (OpenAI)
            ChildJvm.Result r = ChildJvm.of(app(sdk)).withAgent(cfg)
                    .args("baseUrl=" + baseUrl(up, sdk), "calls=" + calls, "rate=60", "mode=sync", "stream=true",
                            "promptBytes=40", "maxTokens=40").run(180);
            assertEquals(0, up.rateLimited(), "upstream 429s\n" + r);
            assertEquals(calls, r.num("ok"), r.toString());
            ClientLoad.assertPermitsBack(r);
            assertCharged(sdk + "-java TPM-bound stream (" + charging + ")", up, r);
        }
    }

    static void assertCharged(String label, Upstream up, ChildJvm.Result r) {
        long sluice = r.num("tokensCharged");
        long upstream = up.tokensCharged();
        System.out.printf("FIGURES %s: %d ok, %d x 429, wall %d ms, tokens charged upstream %d, Sluice %d (%.2f%%)%n",
                label, r.num("ok"), up.rateLimited(), r.num("wallMs"), upstream, sluice,
                upstream == 0 ? 0 : 100.0 * (sluice - upstream) / upstream);
        assertTrue(upstream > 0 && Math.abs(sluice - upstream) <= upstream / 100,
                "Sluice charged " + sluice + ", the upstream " + upstream + "\n" + r.result());
    }

    /** The refusal, retries off: the SDK's own 429 exception, the provider error parsed from Sluice's body. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "anthropic"})
    void aRejectHttpRefusalIsTheSdksRateLimitError(String sdk) throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = config(up, sdk).endpoint("reject", "http").endpoint("rpm", 6).endpoint("burst", 1.0 / 6)
                    .endpoint("queue.max-wait", "100ms").write();
            ChildJvm.Result r = ChildJvm.of(SdkRejectHttp.class).withAgent(cfg)
                    .args(sdk, baseUrl(up, sdk), 3, 0).run(60);
            assertEquals(1, r.num("ok"), r.toString());
            assertEquals(2, r.num("failed"), r.toString());
            String expected = sdk.equals("openai")
                    ? "class=com.openai.errors.RateLimitException status=429 type=rate_limit_exceeded code=sluice_wait_too_long"
                    : "class=com.anthropic.errors.RateLimitException status=429 type=rate_limit_error code=-";
            for (String line : r.stdout.split("\n")) {
                if (!line.startsWith("FAILURE ")) continue;
                System.out.println("FIGURES " + sdk + "-java sees: " + line);
                assertTrue(line.startsWith("FAILURE " + expected), line);
                assertTrue(line.contains("Sluice refused the call to endpoint 'mock'"), line);
            }
            assertEquals(1, up.requests(), "refusals never reach the upstream");
            assertEquals(0, r.num("sluiceUpstream429"), r.toString());
        }
    }

    /**
     * 30 calls at once against 10 per second: the ones that would wait longer than 0.5 s get a 429 with the gate's
     * own retry time; the SDK waits exactly that (retry-after-ms) and retries. Every call succeeds, the upstream
     * refuses none.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "anthropic"})
    void theSdksRetriesBackOffAsToldAndSucceed(String sdk) throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(600).burstSeconds(1))) {
            Path cfg = config(up, sdk).endpoint("reject", "http").endpoint("rpm", 600).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.max-wait", "500ms").write();
            int calls = 30;
            ChildJvm.Result r = ChildJvm.of(SdkRejectHttp.class).withAgent(cfg)
                    .args(sdk, baseUrl(up, sdk), calls, 5).run(90);
            System.out.printf("FIGURES %s-java reject=http with retries: %d calls, %d ok, %d refusals answered with"
                            + " 429 and retried, upstream %d requests, %d x 429, wall %d ms%n", sdk, calls, r.num("ok"),
                    r.num("sluiceRejected"), up.requests(), up.rateLimited(), r.num("wallMs"));
            assertEquals(calls, r.num("ok"), r.toString());
            assertEquals(0, up.rateLimited(), r.toString());
            assertEquals(calls, up.requests(), "only admitted calls reached the upstream");
            assertTrue(r.num("sluiceRejected") > 0, "some calls were answered 429 and retried: " + r.result());
            assertEquals(0, r.num("sluiceUpstream429"), r.toString());
        }
    }
}
