package dev.sluice.demo;

import dev.sluice.SluiceRejectedException;
import dev.sluice.mock.MockLlmServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatAppTest {
    @Test
    void readsSluiceRefusalsByNameAndReflection() {
        assertEquals("shed", ChatApp.sluiceReason(new SluiceRejectedException("refused", "shed")));
        assertEquals("queue-full", ChatApp.sluiceReason(
                new ExecutionException(new SluiceRejectedException("refused", "queue-full"))), "found in the cause chain");
        assertNull(ChatApp.sluiceReason(new IOException("connection reset")));
    }

    @Test
    void readsTotalTokens() {
        assertEquals(80, ChatApp.totalTokens("{\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":30,\"total_tokens\": 80}}"));
        assertEquals(0, ChatApp.totalTokens("{}"));
    }

    @Test
    void retriesA429TwiceThenGivesUp() throws Exception {
        // One request's worth of quota, refilled every 60 s: the first call succeeds, the second meets three 429s.
        try (MockLlmServer api = MockLlmServer.builder().rpm(1).burstSeconds(1).start()) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest req = HttpRequest.newBuilder(URI.create(api.chatUrl()))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build();
            ChatApp.Stats st = new ChatApp.Stats();
            ChatApp.call(client, req, "high", 2, st);
            assertEquals(1, st.ok.get());
            assertEquals(6, st.tokens.get(), "1 prompt + 5 completion tokens, from usage");
            long t0 = System.nanoTime();
            ChatApp.call(client, req, "low", 0, st);
            assertEquals(1, st.upstream429.get());
            assertEquals(1, st.gaveUp429.get());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000, "retries=0: no wait");
            assertEquals(2, api.requests());
            assertEquals(1, api.rateLimited());
        }
    }

    @Test
    void theDemoConfigurationNamesTheMockAndItsLimits() throws Exception {
        try (MockLlmServer api = MockLlmServer.builder().start()) {
            Demo.Settings s = new Demo.Settings();
            String text = java.nio.file.Files.readString(Demo.writeConfig(api, s));
            assertTrue(text.contains("sluice.endpoint.demo.match=" + api.baseUrl() + "/v1\n"), text);
            assertTrue(text.contains("sluice.endpoint.demo.rpm=600\n"), text);
            assertTrue(text.contains("sluice.endpoint.demo.tpm=90000\n"), text);
            assertTrue(text.contains("sluice.endpoint.demo.burst=0.016666666666666666\n"), text);
            assertTrue(text.contains("sluice.endpoint.demo.provider=openai\n"), text);
        }
    }
}
