package dev.sluice.it.okhttp;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.AnthropicSdkLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * anthropic-java (OkHttp underneath), built as its README says, with its retries off (maxRetries 0) and on
 * (default).
 */
class AnthropicSdkIT {
    @ParameterizedTest(name = "{0} maxRetries={1}")
    @CsvSource({"sync,0", "sync,-1", "async,0", "async,-1"})
    void threeTimesTheQuotaMeetsNo429(String mode, int retries) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "anthropic").write();
            ClientLoad.assertRateBound("anthropic-java " + mode + " retries " + retries, up,
                    ChildJvm.of(AnthropicSdkLoad.class).withAgent(cfg).args("baseUrl=" + up.baseUrl(),
                            "calls=" + ClientLoad.CALLS, "rate=" + ClientLoad.RATE, "mode=" + mode,
                            "maxRetries=" + retries, "warmup=1"), 1);
        }
    }

    /** Retries off: the SDK's AnthropicIoException wraps the refusal. Retries on: each retry is refused again. */
    @ParameterizedTest(name = "maxRetries={0}")
    @ValueSource(ints = {0, -1})
    void aRefusalIsTheSdksIoException(int retries) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            ChildJvm.Result r = ChildJvm.of(AnthropicSdkLoad.class)
                    .withAgent(ClientLoad.breakerConfig(up, "anthropic"))
                    .args("baseUrl=" + up.baseUrl(), "calls=3", "mode=seq", "maxRetries=" + retries, "warmup=1")
                    .run(90);
            ClientLoad.assertRefused("anthropic-java retries " + retries, up, r,
                    "com.anthropic.errors.AnthropicIoException");
        }
    }

    /** The stream reaches the application, and Sluice settles the call with the output the stream reported. */
    @Test
    void aStreamReachesTheApplication() throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(4))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("provider", "anthropic").endpoint("tpm", 600_000)
                    .write();
            ChildJvm.Result r = ChildJvm.of(AnthropicSdkLoad.class).withAgent(cfg)
                    .args("baseUrl=" + up.baseUrl(), "calls=3", "mode=seq", "stream=true", "maxTokens=200").run(60);
            assertEquals(3, r.num("ok"), r.toString());
            assertTrue(r.num("events") >= 3 * 4, r.toString());
            assertTrue(r.num("streamOutputTokens") > 0, "the usage reached the application\n" + r);
            assertTrue(r.num("tokensCharged") < r.num("tokensReserved"),
                    "Sluice saw the real output (less than max_tokens) in the stream\n" + r);
            ClientLoad.assertPermitsBack(r);
        }
    }
}
