package dev.sluice.mock;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static dev.sluice.mock.Client.at;
import static dev.sluice.mock.Client.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each endpoint's JSON and stream shapes, with exact usage. */
class ShapesTest {
    static MockLlmServer server;

    /** "hello world!" = 12 bytes = 3 prompt tokens. */
    static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hello world!\"}]";

    @BeforeAll
    static void start() throws Exception {
        server = MockLlmServer.builder().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void clean() {
        server.reset().completionTokens(8).includeUsageAlways(false).omitUsage(false).streamChunks(0)
                .hugeStreamBytes(0);
    }

    @Test
    void urls() {
        assertTrue(server.baseUrl().matches("http://127\\.0\\.0\\.1:\\d+"), server.baseUrl());
        assertEquals(server.baseUrl() + "/v1/chat/completions", server.chatUrl());
        assertEquals(server.baseUrl() + "/v1/responses", server.responsesUrl());
        assertEquals(server.baseUrl() + "/v1/messages", server.messagesUrl());
        assertTrue(server.port() > 0);
    }

    @Test
    void chatCompletion() throws Exception {
        HttpResponse<String> r = Client.post(server.chatUrl(), CHAT + "}");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        Map<String, Object> b = json(r.body());
        assertEquals("chat.completion", b.get("object"));
        assertEquals("gpt-4o-mini", b.get("model"));
        assertTrue(((String) b.get("id")).startsWith("chatcmpl-"));
        assertEquals("assistant", at(b, "choices.0.message.role"));
        assertEquals("tok ".repeat(8), at(b, "choices.0.message.content"));
        assertEquals("stop", at(b, "choices.0.finish_reason"));
        assertEquals(3L, at(b, "usage.prompt_tokens"));
        assertEquals(8L, at(b, "usage.completion_tokens"));
        assertEquals(11L, at(b, "usage.total_tokens"));
        assertEquals(1, server.ok());
        assertEquals(3, server.promptTokens());
        assertEquals(8, server.completionTokens());
        assertEquals(3 + 20, server.tokensCharged(), "prompt + output bound, OpenAI style");
        assertEquals(CHAT + "}", server.lastRequestBody());
    }

    @Test
    void outputIsCutByTheBound() throws Exception {
        Map<String, Object> b = json(Client.post(server.chatUrl(),
                "{\"max_completion_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").body());
        assertEquals("tok tok tok ", at(b, "choices.0.message.content"));
        assertEquals("length", at(b, "choices.0.finish_reason"));
        assertEquals(1L, at(b, "usage.prompt_tokens"));
        assertEquals(3L, at(b, "usage.completion_tokens"));
        assertEquals("mock-model", b.get("model"), "no model named: the mock's own");
        server.completionTokens(40);
        b = json(Client.post(server.chatUrl(), "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").body());
        assertEquals(16L, at(b, "usage.completion_tokens"), "no bound named: 16");
    }

    @Test
    void chatStreamWithUsage() throws Exception {
        Client.Stream s = Client.stream(server.chatUrl(), CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, s.response.statusCode());
        assertTrue(s.response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<Client.Event> ev = s.events;
        // role chunk, 8 content chunks, finish chunk, usage chunk, [DONE]
        assertEquals(12, ev.size(), ev.toString());
        assertEquals("[DONE]", ev.get(11).data);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            Map<String, Object> c = ev.get(i).json();
            assertNull(ev.get(i).name, "chat chunks have no event: line");
            assertEquals("chat.completion.chunk", c.get("object"));
            if (i < 10) {
                assertTrue(c.containsKey("usage") && c.get("usage") == null, "usage:null on the other chunks");
                Object content = at(c, "choices.0.delta").equals(Map.of()) ? null : ((Map<?, ?>) at(c, "choices.0.delta")).get("content");
                if (content != null) text.append(content);
            }
        }
        assertEquals("assistant", at(ev.get(0).json(), "choices.0.delta.role"));
        assertEquals("stop", at(ev.get(9).json(), "choices.0.finish_reason"));
        assertEquals("tok ".repeat(8), text.toString());
        Map<String, Object> last = ev.get(10).json();
        assertEquals(List.of(), last.get("choices"));
        assertEquals(3L, at(last, "usage.prompt_tokens"));
        assertEquals(8L, at(last, "usage.completion_tokens"));
        assertEquals(11L, at(last, "usage.total_tokens"));
    }

    @Test
    void chatStreamWithoutUsageUnlessAlways() throws Exception {
        Client.Stream s = Client.stream(server.chatUrl(), CHAT + ",\"stream\":true}");
        assertEquals(11, s.events.size());
        for (Client.Event e : s.events) assertFalse(e.data.contains("usage"), e.data);
        server.includeUsageAlways(true);
        s = Client.stream(server.chatUrl(), CHAT + ",\"stream\":true}");
        assertEquals(12, s.events.size());
        assertEquals(11L, at(s.events.get(10).json(), "usage.total_tokens"));
    }

    @Test
    void streamChunksSplitTheTextEvenly() throws Exception {
        server.completionTokens(10).streamChunks(3);
        Client.Stream s = Client.stream(server.chatUrl(), CHAT + ",\"stream\":true}");
        // role, 3 content (4+3+3 words), finish, [DONE]
        assertEquals(6, s.events.size(), s.events.toString());
        assertEquals("tok ".repeat(4), at(s.events.get(1).json(), "choices.0.delta.content"));
        assertEquals("tok ".repeat(3), at(s.events.get(3).json(), "choices.0.delta.content"));
    }

    @Test
    void omitUsage() throws Exception {
        server.omitUsage(true);
        assertFalse(json(Client.post(server.chatUrl(), CHAT + "}").body()).containsKey("usage"));
        assertFalse(json(Client.post(server.messagesUrl(), CHAT + "}").body()).containsKey("usage"));
        Client.Stream s = Client.stream(server.messagesUrl(), CHAT + ",\"stream\":true}");
        for (Client.Event e : s.events) assertFalse(e.data.contains("usage"), e.data);
        s = Client.stream(server.chatUrl(), CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        for (Client.Event e : s.events) assertFalse(e.data.contains("usage"), e.data);
    }

    @Test
    void responses() throws Exception {
        String body = "{\"model\":\"gpt-4.1\",\"instructions\":\"be brief\",\"input\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"hello\"}]}],\"max_output_tokens\":5}";
        // 8 + 5 = 13 bytes -> 4 tokens; output min(5, 8) = 5
        Map<String, Object> b = json(Client.post(server.responsesUrl(), body).body());
        assertEquals("response", b.get("object"));
        assertEquals("completed", b.get("status"));
        assertEquals("tok ".repeat(5), at(b, "output.0.content.0.text"));
        assertEquals("output_text", at(b, "output.0.content.0.type"));
        assertEquals(4L, at(b, "usage.input_tokens"));
        assertEquals(5L, at(b, "usage.output_tokens"));
        assertEquals(9L, at(b, "usage.total_tokens"));

        Client.Stream s = Client.stream(server.responsesUrl(), body.substring(0, body.length() - 1) + ",\"stream\":true}");
        List<String> names = s.names();
        assertEquals("response.created", names.get(0));
        assertEquals("response.completed", names.get(names.size() - 1));
        assertEquals(5, names.stream().filter("response.output_text.delta"::equals).count(), names.toString());
        StringBuilder text = new StringBuilder();
        for (Client.Event e : s.events) {
            assertEquals(e.name, e.json().get("type"), "event name = data type");
            if (e.name.equals("response.output_text.delta")) text.append(e.json().get("delta"));
        }
        assertEquals("tok ".repeat(5), text.toString());
        Map<String, Object> done = s.events.get(s.events.size() - 1).json();
        assertEquals(4L, at(done, "response.usage.input_tokens"));
        assertEquals(5L, at(done, "response.usage.output_tokens"));
        assertEquals(9L, at(done, "response.usage.total_tokens"));
    }

    @Test
    void anthropicMessages() throws Exception {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"be kind\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}]}";
        // 7 + 5 = 12 bytes -> 3 tokens
        Map<String, Object> b = json(Client.post(server.messagesUrl(), body).body());
        assertEquals("message", b.get("type"));
        assertEquals("assistant", b.get("role"));
        assertEquals("claude-sonnet-4-5", b.get("model"));
        assertEquals("text", at(b, "content.0.type"));
        assertEquals("tok ".repeat(8), at(b, "content.0.text"));
        assertEquals("end_turn", b.get("stop_reason"));
        assertEquals(3L, at(b, "usage.input_tokens"));
        assertEquals(8L, at(b, "usage.output_tokens"));

        Client.Stream s = Client.stream(server.messagesUrl(), body.replace("\"max_tokens\":100", "\"max_tokens\":2,\"stream\":true"));
        assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop"), s.names());
        for (Client.Event e : s.events) assertEquals(e.name, e.json().get("type"));
        assertEquals(3L, at(s.events.get(0).json(), "message.usage.input_tokens"));
        assertEquals("text_delta", at(s.events.get(2).json(), "delta.type"));
        assertEquals("tok ", at(s.events.get(2).json(), "delta.text"));
        assertEquals(2L, at(s.events.get(5).json(), "usage.output_tokens"));
        assertEquals("max_tokens", at(s.events.get(5).json(), "delta.stop_reason"));
    }

    @Test
    void identicalCallsGetIdenticalAnswersButForIdsDatesAndRateLimits() throws Exception {
        // What UntouchedIT relies on: with and without the agent, the same status, headers and body.
        try (MockLlmServer s = MockLlmServer.builder().rpm(60_000).start()) {
            List<String> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) { // crosses from one-digit to two-digit sequence numbers
                HttpResponse<String> r = Client.post(s.chatUrl(), CHAT + "}");
                StringBuilder b = new StringBuilder().append(r.statusCode());
                new java.util.TreeMap<>(r.headers().map()).forEach((k, v) -> {
                    if (!k.startsWith("x-ratelimit") && !k.equals("date")) b.append('\n').append(k).append(": ").append(v);
                });
                b.append('\n').append(r.body().replaceAll("\"(id|created)\":[^,]*,", ""));
                seen.add(b.toString());
            }
            for (String x : seen) assertEquals(seen.get(0), x);
        }
    }

    @Test
    void modelsAndUnknownPaths() throws Exception {
        HttpResponse<String> r = Client.HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("list", json(r.body()).get("object"));
        assertEquals("mock-model", at(json(r.body()), "data.0.id"));

        assertEquals(404, Client.post(server.baseUrl() + "/v1/embeddings", "{}").statusCode());
        r = Client.post(server.chatUrl(), "{not json");
        assertEquals(400, r.statusCode());
        assertEquals("invalid_request_error", at(json(r.body()), "error.type"));
        assertEquals(0, server.ok());
        assertEquals(2, server.requests(), "every POST counts");
    }

    @Test
    void azureStylePathsWork() throws Exception {
        HttpResponse<String> r = Client.post(server.baseUrl() + "/openai/deployments/d/chat/completions?api-version=2024-10-21", CHAT + "}");
        assertEquals(200, r.statusCode());
        assertEquals(11L, at(json(r.body()), "usage.total_tokens"));
    }

    @Test
    void requiredHeader() throws Exception {
        try (MockLlmServer s = MockLlmServer.builder().requireHeader("x-api-key", "sk-ok").start()) {
            HttpResponse<String> r = Client.post(s.messagesUrl(), CHAT + "}");
            assertEquals(401, r.statusCode());
            assertEquals("authentication_error", at(json(r.body()), "error.type"));
            assertEquals(401, Client.post(s.messagesUrl(), CHAT + "}", "x-api-key", "wrong").statusCode());
            assertEquals(200, Client.post(s.messagesUrl(), CHAT + "}", "x-api-key", "sk-ok").statusCode());
            assertEquals(2, s.unauthorized());
            assertEquals(3, s.requests());
            assertEquals(1, s.ok());
            s.requireHeader("authorization", null);
            assertEquals(401, Client.post(s.chatUrl(), CHAT + "}").statusCode());
            assertEquals(200, Client.post(s.chatUrl(), CHAT + "}", "authorization", "Bearer anything").statusCode());
        }
    }
}
