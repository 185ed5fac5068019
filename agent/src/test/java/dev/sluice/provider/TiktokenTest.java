package dev.sluice.provider;

import dev.sluice.provider.Tiktoken.Vocabulary;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.sluice.provider.Tiktoken.Vocabulary.CL100K_BASE;
import static dev.sluice.provider.Tiktoken.Vocabulary.O200K_BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TiktokenTest {
    private static RequestInfo scan(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return RequestScanner.scan(b, 0, b.length, Estimator.TIKTOKEN);
    }

    @Test
    void vocabularyFollowsTheModelName() {
        for (String m : new String[]{"gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "chatgpt-4o-latest", "gpt-4.1",
                "gpt-4.1-nano", "gpt-4.5-preview", "gpt-5", "gpt-5-mini", "gpt-5.1", "gpt-6", "o1", "o1-mini", "o3",
                "o3-mini", "o4-mini", "ft:gpt-4o-mini:acme::abc123", "openai/gpt-4o", "GPT-4O", "gpt-oss-120b"}) {
            assertEquals(O200K_BASE, Tiktoken.forModel(m), m);
        }
        for (String m : new String[]{"gpt-4", "gpt-4-0613", "gpt-4-turbo", "gpt-4-32k", "gpt-3.5-turbo",
                "gpt-3.5-turbo-instruct", "text-embedding-3-small", "text-embedding-ada-002", "claude-sonnet-4-5",
                "gemini-2.5-pro", "llama-3.1-8b", "omni-moderation", "", "gpt-", "o", "ft:gpt-3.5-turbo:x"}) {
            assertEquals(CL100K_BASE, Tiktoken.forModel(m), m);
        }
        assertEquals(CL100K_BASE, Tiktoken.forModel(null));
    }

    @Test
    void knownCounts() {
        // From OpenAI's tiktoken documentation: "tiktoken is great!" is 6 tokens in cl100k_base.
        assertEquals(6, Tiktoken.count(CL100K_BASE, "tiktoken is great!"));
        assertEquals(2, Tiktoken.count(CL100K_BASE, "hello world"));
        assertEquals(2, Tiktoken.count(O200K_BASE, "hello world"));
        // Special-token text is ordinary text to a counter, never an error.
        assertTrue(Tiktoken.count(CL100K_BASE, "<|endoftext|>") > 1);
    }

    @Test
    void countsExactlyTheDecodedPromptTextOfTheModel() {
        RequestInfo r = scan("{\"model\":\"gpt-4o\",\"max_tokens\":9,\"messages\":[{\"role\":\"system\",\"content\":"
                + "\"Be brief.\"},{\"role\":\"user\",\"content\":\"line1\\nline2 \\u00e9 \\\"q\\\" \\ud83d\\ude00 ok\"}]}");
        int expected = Tiktoken.count(O200K_BASE, "Be brief.") + Tiktoken.count(O200K_BASE, "line1\nline2 é \"q\" 😀 ok");
        assertEquals(expected, r.promptTokens());
        assertEquals(2, r.messages());
        assertEquals(0, r.names());
        // framing: 4 per message, 3 for the reply
        assertEquals(expected + 2 * 4 + 3, PromptCounter.TIKTOKEN.promptTokens(r));
        assertEquals(expected + 2 * 4 + 3 + 9, ProviderProfile.of(ProviderKind.OPENAI)
                .estimateTokens(r, 512, PromptCounter.TIKTOKEN));
        // the model's vocabulary: the same text in cl100k when the model is older
        RequestInfo old = scan("{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"Be brief.\"}]}");
        assertEquals(Tiktoken.count(CL100K_BASE, "Be brief."), old.promptTokens());
    }

    /**
     * OpenAI's cookbook ("How to count tokens with tiktoken") counts these six messages (four with a name) as 129
     * prompt tokens for gpt-4 / gpt-3.5-turbo and 124 for gpt-4o: the figures the API reported.
     */
    @Test
    void openAiCookbookExample() {
        String messages = "[{\"role\":\"system\",\"content\":\"You are a helpful, pattern-following assistant that "
                + "translates corporate jargon into plain English.\"},"
                + "{\"role\":\"system\",\"name\":\"example_user\",\"content\":\"New synergies will help drive top-line growth.\"},"
                + "{\"role\":\"system\",\"name\":\"example_assistant\",\"content\":\"Things working well together will increase revenue.\"},"
                + "{\"role\":\"system\",\"name\":\"example_user\",\"content\":\"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.\"},"
                + "{\"role\":\"system\",\"name\":\"example_assistant\",\"content\":\"Let's talk later when we're less busy about how to do better.\"},"
                + "{\"role\":\"user\",\"content\":\"This late pivot means we don't have time to boil the ocean for the client deliverable.\"}]";
        RequestInfo gpt4 = scan("{\"model\":\"gpt-4-0613\",\"messages\":" + messages + "}");
        assertEquals(6, gpt4.messages());
        assertEquals(4, gpt4.names());
        assertEquals(129, PromptCounter.TIKTOKEN.promptTokens(gpt4));
        RequestInfo gpt4o = scan("{\"messages\":" + messages + ",\"model\":\"gpt-4o\"}"); // model after the text
        assertEquals(124, PromptCounter.TIKTOKEN.promptTokens(gpt4o));
    }

    @Test
    void structuredValuesCountAsCompactJson() {
        String tools = "[ {\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\"}}} ]";
        RequestInfo r = scan("{\"model\":\"gpt-4o\",\"tools\":" + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        String compact = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]";
        assertEquals(Tiktoken.count(O200K_BASE, compact) + Tiktoken.count(O200K_BASE, "hi"), r.promptTokens());
        assertEquals(compact, Tiktoken.compactJson(tools.getBytes(StandardCharsets.UTF_8), 0, tools.length()));
    }

    @Test
    void otherShapesAreCountedWithoutFraming() {
        RequestInfo anthropic = scan("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"system\":\"Be terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello there\"}]}]}");
        assertEquals(Tiktoken.count(CL100K_BASE, "Be terse.") + Tiktoken.count(CL100K_BASE, "Hello there"),
                anthropic.promptTokens());
        RequestInfo gemini = scan("{\"contents\":[{\"parts\":[{\"text\":\"Hello there\"}]}]}");
        assertEquals(Tiktoken.count(CL100K_BASE, "Hello there"), gemini.promptTokens());
        assertEquals(gemini.promptTokens(), PromptCounter.TIKTOKEN.promptTokens(gemini)); // no messages, no framing
        RequestInfo responses = scan("{\"model\":\"gpt-5\",\"instructions\":\"Be terse.\",\"input\":\"Hello there\"}");
        assertEquals(Tiktoken.count(O200K_BASE, "Be terse.") + Tiktoken.count(O200K_BASE, "Hello there"),
                PromptCounter.TIKTOKEN.promptTokens(responses));
    }

    @Test
    void uncountedBodiesFallBackToTheByteCount() {
        RequestInfo broken = scan("{\"model\":\"gpt-4o\",\"messages\":[{\"content\":\"abc");
        assertEquals(-1, broken.promptTokens());
        assertEquals(PromptCounter.CHARS.promptTokens(broken), PromptCounter.TIKTOKEN.promptTokens(broken));
        assertEquals(-1, RequestScanner.scan("{\"a\":1}".getBytes(StandardCharsets.UTF_8), 0, 7).promptTokens());
    }

    @Test
    void aLongPromptIsCountedInPartAndExtrapolated() {
        String sentence = "The quick brown fox jumps over the lazy dog near the riverbank. ";
        String text = sentence.repeat(4000); // 256 KB
        RequestInfo r = scan("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        long exact = Tiktoken.count(O200K_BASE, text);
        assertTrue(Math.abs(r.promptTokens() - exact) <= exact / 100, r.promptTokens() + " vs " + exact);
        // many pieces: the ones past the limit are extrapolated
        StringBuilder many = new StringBuilder("{\"model\":\"gpt-4\",\"messages\":[");
        for (int i = 0; i < 2000; i++) many.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(sentence).append("\"}");
        RequestInfo m = scan(many.append("]}").toString());
        long each = Tiktoken.count(CL100K_BASE, sentence);
        assertTrue(Math.abs(m.promptTokens() - 2000 * each) <= 2000 * each / 100, m.promptTokens() + " vs " + 2000 * each);
    }

    @Test
    void decodesEveryEscape() {
        String raw = "a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u0041\\u00e9\\ud83d\\ude00";
        assertEquals("a\"b\\c/d\be\ff\ng\rh\tiAé😀",
                Tiktoken.decodeJsonString(raw.getBytes(StandardCharsets.UTF_8), 0, raw.length()));
        byte[] utf8 = "héllo 世界".getBytes(StandardCharsets.UTF_8);
        assertEquals("héllo 世界", Tiktoken.decodeJsonString(utf8, 0, utf8.length));
    }

    @Test
    void vocabulariesLoadOnce() {
        for (Vocabulary v : Vocabulary.values()) {
            assertEquals(v.encoding(), v.encoding());
        }
    }
}
