package dev.sluice.mock;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-request directives ({@code x-mock-chaos}): failures, rate limits, latency and connections cut mid-body. */
class ChaosTest {
    static final String BODY = "{\"model\":\"m\",\"max_tokens\":30,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"m\",\"max_tokens\":30,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void statusAndRetryTime() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().completionTokens(20).start()) {
            HttpResponse<String> r = Client.post(s.chatUrl(), BODY, Chaos.HEADER, "status=503;retry-ms=20");
            assertEquals(503, r.statusCode());
            assertEquals("20", r.headers().firstValue("retry-after-ms").orElse(null));
            HttpResponse<String> rl = Client.post(s.chatUrl(), BODY, Chaos.HEADER, "status=429, retry-ms=15");
            assertEquals(429, rl.statusCode());
            assertTrue(rl.body().contains("rate_limit_exceeded"), rl.body());
            assertEquals("15", rl.headers().firstValue("retry-after-ms").orElse(null));
            assertEquals(200, Client.post(s.chatUrl(), BODY, Chaos.HEADER, "latency-ms=5;nonsense;x=y").statusCode());
            assertEquals(2, s.failed());
            assertEquals(0, s.rateLimited(), "a directive's 429 is not the limiter's");
            assertEquals(1, s.ok());
        }
    }

    @Test
    void cutMidBodyEndsTheConnectionEarlyAndTheNextCallIsFine() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().completionTokens(20).start()) {
            for (String body : new String[] {BODY, STREAM}) {
                for (int cut : new int[] {0, 1, 40, 100_000}) {
                    HttpResponse<InputStream> r;
                    try {
                        r = Client.HTTP.send(Client.request(s.chatUrl(), body, Chaos.HEADER,
                                "cut-after=" + cut), HttpResponse.BodyHandlers.ofInputStream());
                    } catch (IOException cutBeforeTheClientReturned) {
                        // A cut right after the head can reach the client before send() returns: also a cut.
                        assertEquals(200, Client.post(s.chatUrl(), body).statusCode(), "a clean call after the cut");
                        continue;
                    }
                    assertEquals(200, r.statusCode());
                    try (InputStream in = r.body()) {
                        assertThrows(IOException.class, in::readAllBytes, "cut at " + cut + " of " + body);
                    }
                    assertEquals(200, Client.post(s.chatUrl(), body).statusCode(), "a clean call after the cut");
                }
            }
            assertEquals(8, s.cuts());
        }
    }
}
