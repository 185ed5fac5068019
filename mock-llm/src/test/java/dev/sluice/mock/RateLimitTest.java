package dev.sluice.mock;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.sluice.mock.Client.at;
import static dev.sluice.mock.Client.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RPM and TPM buckets like the providers': 429 without charging, retry times, headers, shared quotas, charge modes. */
class RateLimitTest {
    /** "abcd" = 1 prompt token; bound 4: costs 5 tokens. */
    static final String SMALL = "{\"model\":\"m\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"abcd\"}]}";
    static final String GO_DURATION = "(\\d+h)?(\\d+m)?(\\d+(\\.\\d+)?s|\\d+ms)";

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void rpmBucketRefusesWithout429Charging() throws Exception {
        // capacity 5, refill one per 10 s (slow, so a loaded machine cannot blur the count)
        try (MockLlmServer s = MockLlmServer.builder().rpm(6).burstSeconds(50).start()) {
            HttpResponse<String> first = Client.post(s.chatUrl(), SMALL);
            assertEquals("6", header(first, "x-ratelimit-limit-requests"));
            assertEquals("4", header(first, "x-ratelimit-remaining-requests"));
            assertTrue(header(first, "x-ratelimit-reset-requests").matches(GO_DURATION), header(first, "x-ratelimit-reset-requests"));
            assertEquals(null, header(first, "x-ratelimit-limit-tokens"), "no TPM limit, no token headers");
            for (int i = 0; i < 4; i++) assertEquals(200, Client.post(s.chatUrl(), SMALL).statusCode());
            HttpResponse<String> r = Client.post(s.chatUrl(), SMALL);
            assertEquals(429, r.statusCode(), r.body());
            Map<String, Object> err = json(r.body());
            assertEquals("requests", at(err, "error.type"));
            assertEquals("rate_limit_exceeded", at(err, "error.code"));
            assertTrue(((String) at(err, "error.message")).matches(".*Please try again in " + GO_DURATION + "\\."), r.body());
            long ms = Long.parseLong(header(r, "retry-after-ms"));
            assertTrue(ms > 5000 && ms <= 10_000, "up to 10 s for the next request: " + ms);
            assertEquals(String.valueOf((ms + 999) / 1000), header(r, "retry-after"), "seconds, rounded up");
            assertEquals("0", header(r, "x-ratelimit-remaining-requests"));
            assertEquals("6", header(r, "x-ratelimit-limit-requests"));
            assertEquals(6, s.requests());
            assertEquals(5, s.ok());
            assertEquals(1, s.rateLimited());
            assertEquals(5 * 5, s.tokensCharged(), "the 429 charged nothing");
        }
    }

    @Test
    void theBucketRefillsContinuously() throws Exception {
        // capacity 1, one per second
        try (MockLlmServer s = MockLlmServer.builder().rpm(60).burstSeconds(1).start()) {
            HttpResponse<String> r = null;
            for (int i = 0; i < 5 && (r == null || r.statusCode() != 429); i++) r = Client.post(s.chatUrl(), SMALL);
            assertEquals(429, r.statusCode());
            long ms = Long.parseLong(header(r, "retry-after-ms"));
            assertTrue(ms > 0 && ms <= 1000, "ms " + ms);
            Thread.sleep(ms + 20);
            assertEquals(200, Client.post(s.chatUrl(), SMALL).statusCode(), "one more after retry-after-ms");
        }
    }

    @Test
    void tpmBucketChargesPromptPlusBoundAtArrival() throws Exception {
        // capacity 10 tokens, refill 1/s; each call costs 5
        try (MockLlmServer s = MockLlmServer.builder().tpm(60).burstSeconds(10).start()) {
            HttpResponse<String> first = Client.post(s.chatUrl(), SMALL);
            assertEquals("60", header(first, "x-ratelimit-limit-tokens"));
            assertEquals("5", header(first, "x-ratelimit-remaining-tokens"));
            assertEquals(200, Client.post(s.chatUrl(), SMALL).statusCode());
            HttpResponse<String> r = Client.post(s.chatUrl(), SMALL);
            assertEquals(429, r.statusCode());
            assertEquals("tokens", at(json(r.body()), "error.type"));
            long ms = Long.parseLong(header(r, "retry-after-ms"));
            assertTrue(ms > 0 && ms <= 5000, "5 tokens at 1/s: " + ms);
            assertEquals(10, s.tokensCharged());
            assertEquals(2 * 1, s.promptTokens());
            assertEquals(2 * 4, s.completionTokens(), "usage says min(bound 4, 8)");
            assertEquals(1, s.rateLimited());
        }
    }

    @Test
    void aRequestLargerThanTheBucketIsTooLarge() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().tpm(600).burstSeconds(1).start()) {
            HttpResponse<String> r = Client.post(s.chatUrl(), SMALL.replace("\"max_tokens\":4", "\"max_tokens\":40"));
            assertEquals(429, r.statusCode());
            assertTrue(((String) at(json(r.body()), "error.message")).startsWith("Request too large"), r.body());
            assertFalse(r.headers().firstValue("retry-after").isPresent(), "waiting will not help");
            assertEquals(0, s.tokensCharged());
        }
    }

    @Test
    void aSharedQuotaReportsAndEnforcesLess() throws Exception {
        // advertised 600/min, this client gets 300/min = 5/s, bucket 2 s = 10
        // advertised 60/min, this client gets 30/min = one per 2 s, bucket 20 s = 10
        try (MockLlmServer s = MockLlmServer.builder().rpm(60).enforcedRpm(30).burstSeconds(20).start()) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = Client.post(s.chatUrl(), SMALL);
            assertEquals("60", header(r, "x-ratelimit-limit-requests"), "the limit header shows the advertised quota");
            assertEquals("9", header(r, "x-ratelimit-remaining-requests"), "remaining shows what is really left");
            int ok = 1;
            for (int i = 0; i < 14; i++) if (Client.post(s.chatUrl(), SMALL).statusCode() == 200) ok++;
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(ok >= 10 && ok <= 10 + Math.ceil(seconds / 2), "the enforced bucket's 10 pass: " + ok);
            assertEquals(15 - ok, s.rateLimited());
        }
        try (MockLlmServer s = MockLlmServer.builder().tpm(6000).rpm(600).quotaShare(0.5).burstSeconds(2).start()) {
            HttpResponse<String> r = Client.post(s.chatUrl(), SMALL);
            assertEquals("600", header(r, "x-ratelimit-limit-requests"));
            assertEquals("9", header(r, "x-ratelimit-remaining-requests"));
            assertEquals("6000", header(r, "x-ratelimit-limit-tokens"));
            assertEquals(String.valueOf(100 - 5), header(r, "x-ratelimit-remaining-tokens"));
            s.quotaShare(1.0).refill();
            r = Client.post(s.chatUrl(), SMALL);
            assertEquals("19", header(r, "x-ratelimit-remaining-requests"), "live: the whole quota again");
        }
    }

    @Test
    void anthropicHeadersOnMessages() throws Exception {
        // requests: capacity 1, one per 10 s; tokens: 10/s, capacity 100
        try (MockLlmServer s = MockLlmServer.builder().rpm(6).tpm(600).burstSeconds(10).start()) {
            Instant before = Instant.now();
            HttpResponse<String> r = Client.post(s.messagesUrl(), SMALL);
            assertEquals(200, r.statusCode());
            assertEquals("6", header(r, "anthropic-ratelimit-requests-limit"));
            assertEquals("0", header(r, "anthropic-ratelimit-requests-remaining"));
            Instant reset = Instant.parse(header(r, "anthropic-ratelimit-requests-reset"));
            assertTrue(!reset.isBefore(before.plusMillis(9900)) && reset.isBefore(before.plusSeconds(12)), reset + " vs " + before);
            for (String dim : new String[]{"tokens", "input-tokens", "output-tokens"}) {
                assertEquals("600", header(r, "anthropic-ratelimit-" + dim + "-limit"));
                assertEquals("95", header(r, "anthropic-ratelimit-" + dim + "-remaining"));
                assertNotNull(Instant.parse(header(r, "anthropic-ratelimit-" + dim + "-reset")));
            }
            assertFalse(r.headers().firstValue("x-ratelimit-limit-requests").isPresent());

            r = Client.post(s.messagesUrl(), SMALL);
            assertEquals(429, r.statusCode());
            Map<String, Object> err = json(r.body());
            assertEquals("error", err.get("type"));
            assertEquals("rate_limit_error", at(err, "error.type"));
            assertTrue(Long.parseLong(header(r, "retry-after")) >= 9, header(r, "retry-after"));
            assertNotNull(header(r, "retry-after-ms"));
        }
    }

    @Test
    void unlimitedSendsNoRateLimitHeaders() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().start()) {
            HttpResponse<String> r = Client.post(s.chatUrl(), SMALL);
            assertTrue(r.headers().map().keySet().stream().noneMatch(k -> k.contains("ratelimit")), r.headers().map().toString());
            for (int i = 0; i < 50; i++) assertEquals(200, Client.post(s.chatUrl(), SMALL).statusCode());
        }
    }

    @Test
    void anthropicModeRefundsUnusedOutputAtTheEnd() throws Exception {
        // 1 token/s, bucket 60. Each call: 1 prompt + bound 50 = 51 at arrival; real output 8.
        String big = SMALL.replace("\"max_tokens\":4", "\"max_tokens\":50");
        try (MockLlmServer s = MockLlmServer.builder().tpm(60).chargeMode(ChargeMode.ANTHROPIC_ADJUST_AT_END).start()) {
            HttpResponse<String> r = Client.post(s.messagesUrl(), big);
            assertEquals(200, r.statusCode());
            assertEquals("9", header(r, "anthropic-ratelimit-tokens-remaining"), "charged 51 at the start");
            assertEquals(9, s.tokensCharged(), "net after the refund: 1 + 8");
            assertEquals(200, Client.post(s.messagesUrl(), big).statusCode(), "the refund made room for a second call");
            Client.Stream st = Client.stream(s.messagesUrl(), big.replace("}]}", "}],\"stream\":true}"));
            assertEquals(429, st.response.statusCode(), "9 + 42 + 42 - 51 - 51 leaves too little");
        }
        try (MockLlmServer s = MockLlmServer.builder().tpm(60).start()) {
            assertEquals(200, Client.post(s.chatUrl(), big).statusCode());
            assertEquals(51, s.tokensCharged(), "OpenAI: no refund");
            assertEquals(429, Client.post(s.chatUrl(), big).statusCode());
        }
    }

    @Test
    void streamsAreSettledBeforeTheirLastEvent() throws Exception {
        String big = SMALL.replace("\"max_tokens\":4", "\"max_tokens\":50").replace("}]}", "}],\"stream\":true}");
        try (MockLlmServer s = MockLlmServer.builder().tpm(60).chargeMode(ChargeMode.ANTHROPIC_ADJUST_AT_END).start()) {
            Client.Stream st = Client.stream(s.messagesUrl(), big);
            assertEquals(13, st.events.size(), "start, block start, 8 deltas, block stop, message delta, stop");
            assertEquals(9, s.tokensCharged(), "settled by the time the client saw message_stop");
        }
    }

    @Test
    void liveLimitChanges() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().rpm(6).burstSeconds(10).start()) {
            assertEquals(200, Client.post(s.chatUrl(), SMALL).statusCode());
            assertEquals(429, Client.post(s.chatUrl(), SMALL).statusCode());
            s.rpm(0);
            for (int i = 0; i < 5; i++) assertEquals(200, Client.post(s.chatUrl(), SMALL).statusCode(), "unlimited now");
            s.rpm(120); // capacity 20, starts full when a limit appears
            assertEquals("19", header(Client.post(s.chatUrl(), SMALL), "x-ratelimit-remaining-requests"));
        }
    }

    @Test
    void goDurations() {
        assertEquals("0s", MockLlmServer.goDuration(0));
        assertEquals("1ms", MockLlmServer.goDuration(1));
        assertEquals("20ms", MockLlmServer.goDuration(20_000_000));
        assertEquals("644ms", MockLlmServer.goDuration(643_200_000));
        assertEquals("1s", MockLlmServer.goDuration(1_000_000_000));
        assertEquals("1.5s", MockLlmServer.goDuration(1_500_000_000));
        assertEquals("6m0s", MockLlmServer.goDuration(Duration.ofMinutes(6).toNanos()));
        assertEquals("1h2m3.25s", MockLlmServer.goDuration(Duration.ofMillis(3_723_250).toNanos()));
    }
}
