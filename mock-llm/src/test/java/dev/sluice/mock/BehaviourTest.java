package dev.sluice.mock;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.sluice.mock.Client.at;
import static dev.sluice.mock.Client.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures, latency, stream pacing, huge streams and the counters. */
class BehaviourTest {
    static final String BODY = "{\"model\":\"m\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"abcdefgh\"}]}";
    static final String STREAM = "{\"model\":\"m\",\"max_tokens\":20,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"abcdefgh\"}]}";

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    @Test
    void failStatusAnswersEveryCallUntilTurnedOff() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().failStatus(500).tpm(60_000).start()) {
            HttpResponse<String> r = Client.post(s.chatUrl(), BODY);
            assertEquals(500, r.statusCode());
            assertEquals("server_error", at(json(r.body()), "error.type"));
            assertFalse(r.headers().firstValue("retry-after").isPresent(), "no retry-after unless asked");
            assertTrue(r.headers().firstValue("x-ratelimit-remaining-tokens").isPresent(), "rate-limit headers all the same");
            r = Client.post(s.messagesUrl(), BODY);
            assertEquals(500, r.statusCode());
            assertEquals("api_error", at(json(r.body()), "error.type"));
            assertEquals(2, s.failed());
            assertEquals(0, s.tokensCharged(), "a failure charges nothing");
            s.failStatus(0);
            assertEquals(200, Client.post(s.chatUrl(), BODY).statusCode());
            assertEquals(3, s.requests());
            assertEquals(1, s.ok());
        }
    }

    @Test
    void overloadedWithRetryAfter() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().failStatus(529).failRetryAfterMillis(1500).start()) {
            HttpResponse<String> r = Client.post(s.messagesUrl(), BODY);
            assertEquals(529, r.statusCode());
            assertEquals("overloaded_error", at(json(r.body()), "error.type"));
            assertEquals("2", r.headers().firstValue("retry-after").orElse(null));
            assertEquals("1500", r.headers().firstValue("retry-after-ms").orElse(null));
            s.failStatus(429);
            r = Client.post(s.chatUrl(), BODY);
            assertEquals(429, r.statusCode());
            assertEquals("insufficient_quota", at(json(r.body()), "error.code"), "failStatus(429) is quota exhaustion");
            assertEquals(0, s.rateLimited(), "not a rate-limit 429");
            assertEquals(2, s.failed());
        }
    }

    @Test
    void everyNthCallIsOverloaded() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().overloadedEvery(3).start()) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) statuses.add(Client.post(s.chatUrl(), BODY).statusCode());
            assertEquals(List.of(200, 200, 503, 200, 200, 503), statuses);
            HttpResponse<String> r = Client.post(s.messagesUrl(), BODY); // 7th
            assertEquals(200, r.statusCode());
            Client.post(s.messagesUrl(), BODY);
            r = Client.post(s.messagesUrl(), BODY); // 9th
            assertEquals(529, r.statusCode());
            assertEquals("overloaded_error", at(json(r.body()), "error.type"));
            assertEquals(3, s.overloaded());
            assertEquals(3, s.failed());
            assertEquals(6, s.ok());
        }
    }

    @Test
    void latencyComesBeforeTheHead() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().latencyMillis(200).start()) {
            long t0 = System.nanoTime();
            assertEquals(200, Client.post(s.chatUrl(), BODY).statusCode());
            long took = ms(System.nanoTime() - t0);
            assertTrue(took >= 200 && took < 3000, "took " + took + " ms");
        }
    }

    @Test
    void theFirstEventArrivesBeforeThePauseEnds() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().streamPauseAfterFirstMillis(1000).start()) {
            for (String url : new String[]{s.chatUrl(), s.messagesUrl(), s.responsesUrl()}) {
                Client.Stream st = Client.stream(url, STREAM);
                long first = ms(st.events.get(0).nanos - st.startNanos);
                long second = ms(st.events.get(1).nanos - st.startNanos);
                assertTrue(first < 600, url + ": first event after " + first + " ms (no buffering)");
                assertTrue(second - first >= 950, url + ": the rest after the pause: " + first + " -> " + second);
            }
        }
    }

    @Test
    void chunkDelaysPaceTheDeltas() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().completionTokens(5).streamChunkDelayMillis(60).start()) {
            Client.Stream st = Client.stream(s.chatUrl(), STREAM);
            assertEquals(1 + 5 + 1 + 1, st.events.size());
            long span = ms(st.events.get(5).nanos - st.events.get(1).nanos);
            assertTrue(span >= 4 * 60 - 10, "4 gaps of 60 ms between 5 deltas: " + span);
        }
    }

    @Test
    void streamsCanEndWithAnInStreamOverloadError() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().streamErrorAfterChunks(2).start()) {
            Client.Stream st = Client.stream(s.messagesUrl(), STREAM);
            assertEquals(200, st.response.statusCode());
            assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_delta", "error"),
                    st.names());
            assertEquals("overloaded_error", at(st.events.get(4).json(), "error.type"));

            st = Client.stream(s.chatUrl(), STREAM);
            Client.Event last = st.events.get(st.events.size() - 1);
            assertEquals(1 + 2 + 1, st.events.size(), "role, 2 deltas, the error; no [DONE]");
            assertEquals("server_error", at(last.json(), "error.type"));

            st = Client.stream(s.responsesUrl(), STREAM);
            assertEquals("error", st.names().get(st.events.size() - 1));

            s.streamErrorAfterChunks(100); // more than the answer has: the error comes after the last delta
            st = Client.stream(s.messagesUrl(), STREAM);
            assertEquals(2 + 8 + 1, st.events.size(), st.names().toString());
            assertEquals(4, s.streamErrors());
            assertEquals(200, Client.post(s.messagesUrl(), BODY).statusCode(), "whole answers are not affected");
            s.streamErrorAfterChunks(-1);
            assertEquals("message_stop", Client.stream(s.messagesUrl(), STREAM).names().get(12));
        }
    }

    @Test
    void hugeStreamsAreGeneratedAsTheyGo() throws Exception {
        long bytes = 8L * 1024 * 1024;
        try (MockLlmServer s = MockLlmServer.builder().hugeStreamBytes(bytes).includeUsageAlways(true).start()) {
            HttpResponse<InputStream> r = Client.HTTP.send(Client.request(s.chatUrl(), STREAM), HttpResponse.BodyHandlers.ofInputStream());
            long content = 0;
            long totalTokens = -1;
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.startsWith("data: {")) continue;
                    int i = line.indexOf("\"content\":\"");
                    if (i >= 0 && !line.contains("\"role\"")) {
                        int j = line.indexOf('"', i + 11);
                        content += j - (i + 11);
                    }
                    if (line.contains("\"total_tokens\"")) totalTokens = (Long) at(json(line.substring(6)), "usage.completion_tokens");
                }
            }
            assertEquals(bytes, content);
            assertEquals(bytes / 4, totalTokens);
            assertEquals(bytes / 4, s.completionTokens());

            // Not streaming: one JSON body of that size, sent chunked.
            HttpResponse<String> whole = Client.post(s.messagesUrl(), BODY);
            assertEquals(bytes, ((String) at(json(whole.body()), "content.0.text")).length());
        }
    }

    @Test
    void countersSeeConcurrency() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().latencyMillis(1500).start()) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(Client.HTTP.sendAsync(Client.request(s.chatUrl(), BODY), HttpResponse.BodyHandlers.ofString()));
            }
            long until = System.currentTimeMillis() + 1200;
            while (s.inFlight() < 20 && System.currentTimeMillis() < until) Thread.sleep(5);
            assertEquals(20, s.inFlight(), "all 20 are being served at once");
            for (CompletableFuture<HttpResponse<String>> f : all) assertEquals(200, f.get().statusCode());
            assertEquals(20, s.maxConcurrent());
            long end = System.currentTimeMillis() + 2000;
            while (s.inFlight() > 0 && System.currentTimeMillis() < end) Thread.sleep(5);
            assertEquals(0, s.inFlight());
            assertEquals(20, s.requests());
            assertEquals(20, s.ok());
            assertEquals(20 * 2, s.promptTokens());
            assertEquals(20 * 8, s.completionTokens());
            assertEquals(20 * (2 + 20), s.tokensCharged());
            long sum = 0;
            for (long n : s.acceptedPerSecond()) sum += n;
            assertEquals(20, sum);

            s.reset();
            assertEquals(0, s.requests());
            assertEquals(0, s.ok());
            assertEquals(0, s.tokensCharged());
            assertEquals(0, s.maxConcurrent());
            assertEquals(0, s.acceptedPerSecond().length);
        }
    }

    @Test
    void keepAliveCallsAreFast() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().start()) {
            long[] took = new long[101];
            for (int i = 0; i < took.length; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, Client.post(s.chatUrl(), BODY).statusCode());
                took[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(took);
            long median = ms(took[took.length / 2]);
            // With delayed ACKs (no TCP_NODELAY) a small answer waits ~40 ms.
            assertTrue(median < 20, "median call " + median + " ms");
        }
    }

    @Test
    void hundredsOfConcurrentCallersReuseTheirConnectionsSafely() throws Exception {
        // With the JDK server's default of 200 idle connections, the 201st connection to turn idle is closed right
        // after an answer that promised keep-alive, and the client's next call on it fails ("connection reset").
        try (MockLlmServer s = MockLlmServer.builder().start()) {
            for (int round = 0; round < 3; round++) {
                List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    all.add(Client.HTTP.sendAsync(Client.request(s.chatUrl(), BODY), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> f : all) assertEquals(200, f.get().statusCode());
            }
            assertEquals(1500, s.ok());
        }
    }

    @Test
    void closeFreesThePort() throws Exception {
        MockLlmServer s = MockLlmServer.builder().start();
        int port = s.port();
        s.close();
        try (MockLlmServer again = MockLlmServer.builder().port(port).start()) {
            assertEquals(port, again.port());
            assertEquals(200, Client.post(again.chatUrl(), BODY).statusCode());
        }
    }
}
