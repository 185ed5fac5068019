package dev.sluice.it.okhttp;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.OpenAiSdkLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** openai-java (OkHttp underneath), built as its README says, with its retries off (maxRetries 0) and on (default). */
class OpenAiSdkIT {
    @ParameterizedTest(name = "{0} maxRetries={1}")
    @CsvSource({"sync,0", "sync,-1", "async,0", "async,-1"})
    void threeTimesTheQuotaMeetsNo429(String mode, int retries) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            ClientLoad.assertRateBound("openai-java " + mode + " retries " + retries, up,
                    ChildJvm.of(OpenAiSdkLoad.class).withAgent(cfg).args("baseUrl=" + up.baseUrl() + "/v1",
                            "calls=" + ClientLoad.CALLS, "rate=" + ClientLoad.RATE, "mode=" + mode,
                            "maxRetries=" + retries, "warmup=1"), 1);
        }
    }

    /** Retries off: the SDK's OpenAIIoException wraps the refusal. Retries on: each retry is refused again. */
    @ParameterizedTest(name = "maxRetries={0}")
    @ValueSource(ints = {0, -1})
    void aRefusalIsTheSdksIoException(int retries) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            ChildJvm.Result r = ChildJvm.of(OpenAiSdkLoad.class).withAgent(ClientLoad.breakerConfig(up, "openai"))
                    .args("baseUrl=" + up.baseUrl() + "/v1", "calls=3", "mode=seq", "maxRetries=" + retries,
                            "warmup=1").run(90);
            ClientLoad.assertRefused("openai-java retries " + retries, up, r, "com.openai.errors.OpenAIIoException");
        }
    }

    @Test
    void aStreamReachesTheApplication() throws Exception {
        try (Upstream up = Upstream.start(b -> b.streamChunks(4))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 600).write();
            ChildJvm.Result r = ChildJvm.of(OpenAiSdkLoad.class).withAgent(cfg)
                    .args("baseUrl=" + up.baseUrl() + "/v1", "calls=3", "mode=seq", "stream=true").run(60);
            assertEquals(3, r.num("ok"), r.toString());
            assertTrue(r.num("events") >= 3 * 4, r.toString());
            assertTrue(r.num("streamUsage") > 0, "the usage chunk reached the application\n" + r);
            ClientLoad.assertPermitsBack(r);
        }
    }
}
