package dev.sluice.it.okhttp;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.LangChain4jLoad;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LangChain4j's OpenAI module (JDK HttpClient underneath): OpenAiChatModel with its retries off and on, and
 * OpenAiStreamingChatModel (async, streamed).
 */
class LangChain4jIT {
    @ParameterizedTest(name = "{0} maxRetries={1}")
    @CsvSource({"sync,0", "sync,-1", "async,-1"})
    void threeTimesTheQuotaMeetsNo429(String mode, int retries) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            ChildJvm.Result r = ClientLoad.assertRateBound("langchain4j-open-ai " + mode + " retries " + retries, up,
                    ChildJvm.of(LangChain4jLoad.class).withAgent(cfg).args("baseUrl=" + up.baseUrl() + "/v1",
                            "calls=" + ClientLoad.CALLS, "rate=" + ClientLoad.RATE, "mode=" + mode,
                            "maxRetries=" + retries, "warmup=1"), 1);
            if (mode.equals("async")) assertTrue(r.num("events") >= ClientLoad.CALLS, "streamed\n" + r);
        }
    }

    @ParameterizedTest(name = "maxRetries={0}")
    @ValueSource(ints = {0, -1})
    void aRefusalReachesTheApplication(int retries) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            ChildJvm.Result r = ChildJvm.of(LangChain4jLoad.class).withAgent(ClientLoad.breakerConfig(up, "openai"))
                    .args("baseUrl=" + up.baseUrl() + "/v1", "calls=3", "mode=seq", "maxRetries=" + retries,
                            "warmup=1").run(90);
            ClientLoad.assertRefused("langchain4j-open-ai retries " + retries, up, r, "java.lang.RuntimeException");
        }
    }
}
