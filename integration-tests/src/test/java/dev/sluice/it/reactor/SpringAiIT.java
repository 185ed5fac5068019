package dev.sluice.it.reactor;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.SpringAiLoad;
import dev.sluice.it.okhttp.ClientLoad;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

/**
 * Spring AI's OpenAI client (spring-ai-openai, from spring-ai-bom 1.1.2), built as its documentation says and pointed
 * at the mock: {@code call()} on RestClient over Reactor Netty and {@code stream()} on WebClient over Reactor Netty,
 * with its retries off (a RetryTemplate of one attempt) and on (Spring AI's default), at 3x the upstream's RPM.
 */
class SpringAiIT {
    @ParameterizedTest(name = "{0} retries={1}")
    @CsvSource({"call,0", "call,-1", "stream,0", "stream,-1"})
    void threeTimesTheQuotaMeetsNo429(String api, int retries) throws Exception {
        try (Upstream up = ClientLoad.rateLimitedUpstream()) {
            Path cfg = ClientLoad.rateConfig(up, "openai").write();
            boolean stream = api.equals("stream");
            ClientLoad.assertRateBound("spring-ai " + api + " retries " + retries, up, ChildJvm.of(SpringAiLoad.class)
                    .withAgent(cfg).args("baseUrl=" + up.baseUrl(), "calls=" + ClientLoad.CALLS,
                            "rate=" + ClientLoad.RATE, "mode=" + (stream ? "async" : "sync"), "stream=" + stream,
                            "retries=" + retries, "warmup=1"), 1, stream ? 1.25 : 1.1);
        }
    }

    /**
     * Retries off, breaker open: {@code call()} fails with Spring's ResourceAccessException caused by Sluice's refusal
     * (RestClient wraps the IOException its Reactor Netty factory gets), {@code stream()} with WebClient's
     * WebClientRequestException caused by it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"call,org.springframework.web.client.ResourceAccessException",
            "stream,org.springframework.web.reactive.function.client.WebClientRequestException"})
    void aRefusalReachesTheApplication(String api, String outer) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            ChildJvm.Result r = ChildJvm.of(SpringAiLoad.class).withAgent(ClientLoad.breakerConfig(up, "openai"))
                    .args("baseUrl=" + up.baseUrl(), "calls=3", "mode=seq", "stream=" + api.equals("stream"),
                            "retries=0", "warmup=1").run(90);
            ClientLoad.assertRefused("spring-ai " + api, up, r, outer);
        }
    }
}
