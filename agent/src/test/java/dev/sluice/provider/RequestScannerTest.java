package dev.sluice.provider;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestScannerTest {
    static RequestInfo scan(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return RequestScanner.scan(b, 0, b.length);
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void theIntegrationTestBody() {
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(40) + "\"}]}";
        RequestInfo r = scan(body);
        assertTrue(r.parsed());
        assertEquals(40, r.promptBytes());
        assertEquals(40, r.outputBound());
        assertEquals("gpt-4o-mini", r.model());
        assertFalse(r.stream());
        assertEquals(utf8(body), r.bodyBytes());
        assertEquals(50, ProviderProfile.of(ProviderKind.OPENAI).estimateTokens(r, 512));
    }

    @Test
    void openAiChatWithPartsNameToolCallsAndTools() {
        String body = "{\n  \"model\": \"gpt-4o\",\n  \"stream\": true,\n  \"stream_options\": {\"include_usage\": true},\n"
                + "  \"max_completion_tokens\": 300, \"n\": 2,\n"
                + "  \"messages\": [\n"
                + "    {\"role\": \"system\", \"content\": \"Be brief.\"},\n"
                + "    {\"role\": \"user\", \"name\": \"ann\", \"content\": [\n"
                + "      {\"type\": \"text\", \"text\": \"What is in this image?\"},\n"
                + "      {\"type\": \"image_url\", \"image_url\": {\"url\": \"data:image/png;base64,iVBORw0KGgo=\", \"detail\": \"low\"}}\n"
                + "    ]},\n"
                + "    {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\",\n"
                + "      \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\n"
                + "    {\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"18C\"}\n"
                + "  ],\n"
                + "  \"tools\": [ {\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\"}}} ]\n"
                + "}";
        List<String> seen = new ArrayList<>();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        RequestInfo r = RequestScanner.scan(b, 0, b.length,
                (buf, s, e, str) -> seen.add((str ? "s:" : "j:") + new String(buf, s, e - s, StandardCharsets.UTF_8)));
        assertTrue(r.parsed());
        assertEquals("gpt-4o", r.model());
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        assertEquals(2, r.choices());
        assertEquals(600, r.outputBound());
        String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]";
        assertEquals(utf8(tools), r.toolBytes());
        long text = utf8("Be brief.") + utf8("ann") + utf8("What is in this image?") + utf8("get_weather")
                + utf8("{\"city\":\"Paris\"}") + utf8("18C");
        assertEquals(text + utf8(tools), r.promptBytes());
        assertEquals(List.of("s:Be brief.", "s:ann", "s:What is in this image?", "s:get_weather",
                "s:{\\\"city\\\":\\\"Paris\\\"}", "s:18C",
                "j:[ {\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\"}}} ]"), seen);
    }

    @Test
    void escapesCountAsTheirDecodedUtf8() {
        // \n -> 1, \u00e9 -> 2 (é), \u20ac -> 3 (€), \ud83d\ude00 -> 4 (😀), raw é -> 2, \" -> 1, \\ -> 1, \/ -> 1
        String content = "a\\nb\\u00e9\\u20ac\\ud83d\\ude00\u00e9\\\"\\\\\\/";
        RequestInfo r = scan("{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
        assertEquals(1 + 1 + 1 + 2 + 3 + 4 + 2 + 1 + 1 + 1, r.promptBytes());
        // same as the decoded string's UTF-8 length
        assertEquals(utf8("a\nb\u00e9\u20ac\uD83D\uDE00\u00e9\"\\/"), r.promptBytes());
    }

    @Test
    void loneSurrogatesCountAsAReplacementCharacter() {
        assertEquals(3 + 1, scan("{\"prompt\":\"\\ud83dx\"}").promptBytes());
        assertEquals(3, scan("{\"prompt\":\"\\ude00\"}").promptBytes());
    }

    @Test
    void responsesApi() {
        String body = "{\"model\":\"gpt-4.1\",\"instructions\":\"You are terse.\",\"max_output_tokens\":128,"
                + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"},"
                + "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,AAAA\"}]},"
                + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"42\"}],"
                + "\"reasoning\":{\"effort\":\"low\"}}";
        RequestInfo r = scan(body);
        assertEquals(utf8("You are terse.") + 5 + 1 + 2 + 2, r.promptBytes());
        assertEquals(128, r.outputBound());
        assertEquals(5, scan("{\"model\":\"gpt-4.1\",\"input\":\"hello\"}").promptBytes());
        assertEquals(-1, scan("{\"model\":\"gpt-4.1\",\"input\":\"hello\"}").outputBound());
    }

    @Test
    void legacyCompletionsAndEmbeddings() {
        RequestInfo r = scan("{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":[\"ab\",\"cde\"],\"max_tokens\":16,\"best_of\":3,\"n\":2}");
        assertEquals(5, r.promptBytes());
        assertEquals(48, r.outputBound());
        assertEquals(3, r.choices());
        // token ids: about one token (4 bytes) each
        assertEquals(12, scan("{\"model\":\"text-embedding-3-small\",\"input\":[[1,2],[3]]}").promptBytes());
    }

    @Test
    void anthropicMessages() {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You are a poet.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Write a haiku\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"zz\"},"
                + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"dict\",\"input\":{ \"w\" : \"sea\" }}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":[{\"type\":\"text\",\"text\":\"ocean\"}]},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAAA\"}}]}],"
                + "\"tools\":[{\"name\":\"dict\",\"description\":\"look up\",\"input_schema\":{\"type\":\"object\"}}]}";
        RequestInfo r = scan(body);
        assertTrue(r.parsed());
        assertTrue(r.stream());
        assertEquals(1024, r.outputBound());
        long raw = utf8("{\"w\":\"sea\"}") + utf8("[{\"name\":\"dict\",\"description\":\"look up\",\"input_schema\":{\"type\":\"object\"}}]");
        assertEquals(raw, r.toolBytes());
        assertEquals(utf8("You are a poet.") + utf8("Write a haiku") + utf8("dict") + utf8("ocean") + raw, r.promptBytes());
        assertEquals(14, scan("{\"system\":\"You are a poet\",\"messages\":[]}").promptBytes());
    }

    @Test
    void gemini() {
        String body = "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be kind.\"}]},"
                + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"},{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"AAAA\"}}]},"
                + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\":1}}}]}],"
                + "\"generationConfig\":{\"temperature\":0.5,\"maxOutputTokens\":256,\"candidateCount\":2}}";
        RequestInfo r = scan(body);
        assertTrue(r.parsed());
        assertNull(r.model());
        assertEquals(512, r.outputBound());
        assertEquals(2, r.choices());
        assertEquals(utf8("Be kind.") + 2 + utf8("{\"name\":\"f\",\"args\":{\"a\":1}}"), r.promptBytes());
        RequestInfo snake = scan("{\"system_instruction\":{\"parts\":{\"text\":\"abc\"}},\"generation_config\":{\"max_output_tokens\":7}}");
        assertEquals(3, snake.promptBytes());
        assertEquals(7, snake.outputBound());
    }

    @Test
    void largestNamedBoundWins() {
        assertEquals(100, scan("{\"max_tokens\":50,\"max_completion_tokens\":100}").outputBound());
        assertEquals(100, scan("{\"max_completion_tokens\":100,\"max_tokens\":50}").outputBound());
        assertEquals(-1, scan("{\"max_tokens\":null}").outputBound());
        assertEquals(-1, scan("{\"max_tokens\":-5}").outputBound());
        assertEquals(-1, scan("{\"max_tokens\":1e999}").outputBound());
        assertEquals(-1, scan("{\"max_tokens\":1234567890123456789012345678901234567890}").outputBound());
        assertEquals(-1, scan("{\"max_tokens\":12.5}").outputBound());
        assertEquals(12, scan("{\"max_tokens\":12.0}").outputBound());
        assertEquals(-1, scan("{\"max_tokens\":\"12\"}").outputBound());
        assertEquals(0, scan("{\"max_tokens\":0}").outputBound());
        assertTrue(scan("{\"max_tokens\":1e999}").parsed());
    }

    @Test
    void onlyTopLevelKeysCount() {
        RequestInfo r = scan("{\"metadata\":{\"max_tokens\":99,\"model\":\"x\",\"messages\":[{\"content\":\"abc\"}]},\"messages\":[]}");
        assertTrue(r.parsed());
        assertEquals(-1, r.outputBound());
        assertNull(r.model());
        assertEquals(0, r.promptBytes());
    }

    @Test
    void malformedBodiesFallBackToTheirLength() {
        for (String bad : new String[] {"", "{", "{\"messages\":[", "{\"a\":1}x", "[1,2]", "\"str\"", "42",
                "{\"a\":tru}", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "{\"a\":\"\\x\"}", "{\"a\":01}", "{\"a\":-}",
                "{\"a\":\"\\u12G4\"}", "nul", "{\"a\":[1,]}"}) {
            RequestInfo r = scan(bad);
            assertFalse(r.parsed(), bad);
            assertEquals(utf8(bad), r.promptBytes(), bad);
            assertEquals(utf8(bad), r.bodyBytes(), bad);
        }
    }

    @Test
    void truncatedBodyKeepsWhatWasReadWhole() {
        String body = "{\"model\":\"gpt-4o\",\"max_tokens\":40,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hel";
        RequestInfo r = scan(body);
        assertFalse(r.parsed());
        assertEquals(utf8(body), r.promptBytes());
        assertEquals("gpt-4o", r.model());
        assertEquals(40, r.outputBound());
        assertTrue(r.stream());
        // a number cut at the end is not trusted
        assertEquals(-1, scan("{\"model\":\"m\",\"max_tokens\":4").outputBound());
    }

    @Test
    void nestingIsBounded() {
        String deep = "{\"a\":" + "[".repeat(300) + "]".repeat(300) + "}";
        RequestInfo r = scan(deep);
        assertFalse(r.parsed());
        String ok = "{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}";
        assertTrue(scan(ok).parsed());
        // the stack grows past its initial size and the roles below it are intact on the way back up
        String grown = "{\"model\":\"m\",\"a\":" + "[".repeat(3 * JsonTokenizer.INITIAL_DEPTH)
                + "]".repeat(3 * JsonTokenizer.INITIAL_DEPTH) + ",\"max_tokens\":9}";
        assertEquals(9, scan(grown).outputBound());
        String edge = "{\"a\":" + "[".repeat(JsonTokenizer.MAX_DEPTH - 1) + "]".repeat(JsonTokenizer.MAX_DEPTH - 1) + "}";
        assertTrue(scan(edge).parsed(), "exactly MAX_DEPTH levels");
        String over = "{\"a\":" + "[".repeat(JsonTokenizer.MAX_DEPTH) + "]".repeat(JsonTokenizer.MAX_DEPTH) + "}";
        assertFalse(scan(over).parsed(), "one more than MAX_DEPTH");
    }

    @Test
    void captureGrowsPastItsInitialSizeUpToTheCap() {
        // The capture buffer starts small (keys) and grows for a long value: read in one step, and escaped.
        String longModel = "m".repeat(JsonTokenizer.CAPTURE_CAP);
        assertEquals(longModel, scan("{\"model\":\"" + longModel + "\"}").model());
        String escaped = "\\u0041".repeat(JsonTokenizer.INITIAL_CAPTURE + 1);
        assertEquals("A".repeat(JsonTokenizer.INITIAL_CAPTURE + 1), scan("{\"model\":\"" + escaped + "\"}").model());
        RequestInfo over = scan("{\"model\":\"" + longModel + "m\",\"max_tokens\":7}");
        assertNull(over.model(), "one byte more than the cap is not captured");
        assertEquals(7, over.outputBound(), "and the rest is read as before");
        // a long key (longer than the initial buffer, within the cap) is read and matches nothing
        assertEquals(5, scan("{\"" + "k".repeat(100) + "\":1,\"max_tokens\":5}").outputBound());
    }

    @Test
    void badArgumentsNeverThrow() {
        assertEquals(10, RequestScanner.scan(null, 0, 10).promptBytes()); // the stated length is all that is known
        assertFalse(RequestScanner.scan(new byte[4], 3, 5).parsed());
        assertFalse(RequestScanner.scan(new byte[4], -1, 2).parsed());
        byte[] b = "xx{\"prompt\":\"abcd\"}yy".getBytes(StandardCharsets.UTF_8);
        RequestInfo r = RequestScanner.scan(b, 2, b.length - 4);
        assertTrue(r.parsed());
        assertEquals(4, r.promptBytes());
    }

    @Test
    void byteOrderMarkAndWhitespaceAreFine() {
        byte[] json = " \n{\"prompt\" : \"abcd\" } \n".getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[json.length + 3];
        b[0] = (byte) 0xEF;
        b[1] = (byte) 0xBB;
        b[2] = (byte) 0xBF;
        System.arraycopy(json, 0, b, 3, json.length);
        RequestInfo r = RequestScanner.scan(b, 0, b.length);
        assertTrue(r.parsed());
        assertEquals(4, r.promptBytes());
        assertEquals(b.length, r.bodyBytes());
    }

    @Test
    void invalidUtf8InStringsIsCountedRaw() {
        byte[] b = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xFF, (byte) 0xC3, 'a', '"', '}'};
        RequestInfo r = RequestScanner.scan(b, 0, b.length);
        assertTrue(r.parsed());
        assertEquals(3, r.promptBytes());
    }

    @Test
    void choicesAreCapped() {
        RequestInfo r = scan("{\"max_tokens\":10,\"n\":100000}");
        assertEquals(RequestScanner.MAX_CHOICES, r.choices());
        assertEquals(10L * RequestScanner.MAX_CHOICES, r.outputBound());
    }

    @Test
    void unknownBody() {
        RequestInfo r = RequestInfo.ofUnknownBody(1001);
        assertFalse(r.parsed());
        assertEquals(1001, r.promptBytes());
        assertEquals(-1, r.outputBound());
        assertEquals(0, RequestInfo.ofUnknownBody(-3).bodyBytes());
        assertFalse(r.toString().isEmpty());
    }
}
