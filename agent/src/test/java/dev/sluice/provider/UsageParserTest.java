package dev.sluice.provider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageParserTest {
    /** What a parser ended up with, as one comparable line. */
    static String snapshot(UsageParser p) {
        return "found=" + p.found() + " in=" + p.inputTokens() + " out=" + p.outputTokens() + " total=" + p.totalTokens()
                + " cacheRead=" + p.cacheReadTokens() + " cacheCreation=" + p.cacheCreationTokens()
                + " content=" + p.contentBytes() + " overloaded=" + p.overloadedInStream() + " gaveUp=" + p.gaveUp();
    }

    static String expect(long in, long out, long total, long content) {
        return expect(in, out, total, -1, -1, content, false);
    }

    static String expect(long in, long out, long total, long cacheRead, long cacheCreation, long content, boolean overloaded) {
        boolean found = in >= 0 || out >= 0 || total >= 0;
        return "found=" + found + " in=" + in + " out=" + out + " total=" + total + " cacheRead=" + cacheRead
                + " cacheCreation=" + cacheCreation + " content=" + content + " overloaded=" + overloaded + " gaveUp=false";
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aKeyLongerThanTheInitialCaptureBufferFedByteByByte() {
        // Read the general way (cut by every feed), the key grows the capture buffer and matches nothing.
        byte[] b = ("{\"" + "k".repeat(3 * JsonTokenizer.INITIAL_CAPTURE) + "\":1,"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}").getBytes(StandardCharsets.UTF_8);
        UsageParser p = UsageParser.forResponse(ProviderKind.OPENAI, "application/json");
        for (int i = 0; i < b.length; i++) p.feed(b, i, 1);
        p.end();
        assertEquals(5, p.inputTokens());
        assertEquals(6, p.outputTokens());
    }

    static UsageParser parse(ProviderKind kind, String contentType, byte[] body) {
        UsageParser p = UsageParser.forResponse(kind, contentType);
        p.feed(body, 0, body.length);
        p.end();
        return p;
    }

    static final String JSON = "application/json";
    static final String SSE = "text/event-stream; charset=utf-8";

    static Stream<Arguments> fixtures() {
        String chatContent = "Here is JSON: {\"usage\": {\"prompt_tokens\": 999999, \"total_tokens\": 999999}} \u00e9";
        return Stream.of(
                Arguments.of("openai chat", ProviderKind.OPENAI, JSON, Fixtures.OPENAI_CHAT,
                        expect(1117, 46, 1163, utf8(chatContent))),
                Arguments.of("openai chat stream", ProviderKind.OPENAI, SSE, Fixtures.OPENAI_CHAT_STREAM,
                        expect(9, 3, 12, utf8("Hello w\u00f6rld"))),
                Arguments.of("openai chat stream without usage", ProviderKind.OPENAI, SSE, Fixtures.OPENAI_CHAT_STREAM_NO_USAGE,
                        expect(-1, -1, -1, utf8("{\"city\":\"Paris\"}"))),
                Arguments.of("openai responses", ProviderKind.OPENAI, JSON, Fixtures.OPENAI_RESPONSES,
                        expect(36, 87, 123, 0)),
                Arguments.of("openai responses stream", ProviderKind.OPENAI, SSE, Fixtures.OPENAI_RESPONSES_STREAM,
                        expect(37, 11, 48, utf8("Hi there!"))),
                Arguments.of("anthropic message", ProviderKind.ANTHROPIC, JSON, Fixtures.ANTHROPIC_MESSAGE,
                        expect(2095 + 100, 503, 2095 + 100 + 503, 1800, 100, utf8("Hello!"), false)),
                Arguments.of("anthropic stream", ProviderKind.ANTHROPIC, SSE, Fixtures.ANTHROPIC_STREAM,
                        expect(25 + 10, 89, 25 + 10 + 89, 400, 10, utf8("Hello! \u2603") + utf8("{\"location\": \"SF\"}"), false)),
                Arguments.of("anthropic stream overloaded", ProviderKind.ANTHROPIC, SSE, Fixtures.ANTHROPIC_STREAM_OVERLOADED,
                        expect(12, 1, 13, -1, -1, utf8("Let me think"), true)),
                Arguments.of("gemini", ProviderKind.GEMINI, JSON, Fixtures.GEMINI,
                        expect(8, 7 + 20, 35, utf8("AI learns patterns from data."))),
                Arguments.of("gemini sse", ProviderKind.GEMINI, SSE, Fixtures.GEMINI_SSE,
                        expect(9, 5, 14, utf8("The sky is blue."))),
                Arguments.of("gemini json array stream", ProviderKind.GEMINI, JSON, Fixtures.GEMINI_ARRAY,
                        expect(6, 5 + 29, 40, utf8("Once upon a time."))),
                Arguments.of("gemini sse unavailable", ProviderKind.GEMINI, SSE, Fixtures.GEMINI_SSE_UNAVAILABLE,
                        expect(-1, -1, -1, -1, -1, 2, true)),
                Arguments.of("vllm stream", ProviderKind.GENERIC, SSE, Fixtures.VLLM_STREAM,
                        expect(20, 3, 23, utf8("hmYes."))),
                Arguments.of("ollama ndjson", ProviderKind.GENERIC, "application/x-ndjson", Fixtures.OLLAMA_NDJSON,
                        expect(26, 282, 308, 0)),
                Arguments.of("multi-line data", ProviderKind.ANTHROPIC, SSE, Fixtures.MULTILINE_DATA,
                        expect(7, 42, 49, 0)));
    }

    /** Each fixture, and for event streams each line-ending style (LF, CRLF, CR). */
    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        fixtures().forEach(a -> {
            Object[] x = a.get();
            String body = (String) x[3];
            out.add(a);
            if (x[2] == SSE) {
                String lf = body.replace("\r\n", "\n");
                out.add(Arguments.of(x[0] + " (LF)", x[1], x[2], lf, x[4]));
                out.add(Arguments.of(x[0] + " (CRLF)", x[1], x[2], lf.replace("\n", "\r\n"), x[4]));
                out.add(Arguments.of(x[0] + " (CR)", x[1], x[2], lf.replace("\n", "\r"), x[4]));
            }
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void wholeBody(String name, ProviderKind kind, String contentType, String body, String expected) {
        assertEquals(expected, snapshot(parse(kind, contentType, body.getBytes(StandardCharsets.UTF_8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void sniffedWithoutContentType(String name, ProviderKind kind, String contentType, String body, String expected) {
        assertEquals(expected, snapshot(parse(kind, null, body.getBytes(StandardCharsets.UTF_8))));
        assertEquals(expected, snapshot(parse(kind, "application/octet-stream", body.getBytes(StandardCharsets.UTF_8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everySplitPointGivesTheSameResult(String name, ProviderKind kind, String contentType, String body, String expected) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k <= b.length; k++) {
            UsageParser p = UsageParser.forResponse(kind, contentType);
            p.feed(b, 0, k);
            p.feed(b, k, b.length - k);
            p.end();
            assertEquals(expected, snapshot(p), name + " split at " + k);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyTwoSplitPointsOfTheTailGiveTheSameResult(String name, ProviderKind kind, String contentType, String body,
                                                        String expected) {
        // three pieces: the last 64 bytes (where usage usually is) cut at every pair of points
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        int from = Math.max(0, b.length - 64);
        for (int i = from; i <= b.length; i++) {
            for (int j = i; j <= b.length; j++) {
                UsageParser p = UsageParser.forResponse(kind, contentType);
                p.feed(ByteBuffer.wrap(b, 0, i));
                p.feed(ByteBuffer.wrap(b, i, j - i));
                p.feed(ByteBuffer.wrap(b, j, b.length - j));
                p.end();
                assertEquals(expected, snapshot(p), name + " split at " + i + "," + j);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void byteByByte(String name, ProviderKind kind, String contentType, String body, String expected) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        UsageParser p = UsageParser.forResponse(kind, contentType);
        for (int i = 0; i < b.length; i++) p.feed(b, i, 1);
        p.end();
        assertEquals(expected, snapshot(p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void buffersOfEveryKindAreReadWithoutBeingMoved(String name, ProviderKind kind, String contentType, String body,
                                                     String expected) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        int cut = b.length / 3;
        for (int variant = 0; variant < 4; variant++) {
            UsageParser p = UsageParser.forResponse(kind, contentType);
            for (int[] range : new int[][] {{0, cut}, {cut, b.length}}) {
                ByteBuffer buf = buffer(variant, b, range[0], range[1]);
                int pos = buf.position();
                int lim = buf.limit();
                p.feed(buf);
                assertEquals(pos, buf.position(), "position untouched");
                assertEquals(lim, buf.limit(), "limit untouched");
            }
            p.end();
            assertEquals(expected, snapshot(p), name + " buffer variant " + variant);
        }
    }

    /** 0: heap at an offset of its array, 1: direct, 2: read-only heap, 3: a slice of a larger heap buffer. */
    private static ByteBuffer buffer(int variant, byte[] b, int from, int to) {
        switch (variant) {
            case 0: {
                byte[] padded = new byte[b.length + 10];
                System.arraycopy(b, 0, padded, 5, b.length);
                return ByteBuffer.wrap(padded, 5 + from, to - from);
            }
            case 1: {
                ByteBuffer d = ByteBuffer.allocateDirect(to - from + 20);
                d.position(7);
                d.put(b, from, to - from);
                d.flip();
                d.position(7);
                return d;
            }
            case 2:
                return ByteBuffer.wrap(b, from, to - from).asReadOnlyBuffer();
            default: {
                ByteBuffer whole = ByteBuffer.wrap(b);
                whole.position(from);
                whole.limit(to);
                return whole.slice();
            }
        }
    }

    @Test
    void aUsageInsideContentOrNestedDeeperIsNotTheUsage() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"\\\"usage\\\":{\\\"total_tokens\\\":5}\","
                + "\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"},\"usage\":{\"total_tokens\":6}}]}}],"
                + "\"meta\":{\"usage\":{\"total_tokens\":7}}}";
        UsageParser p = parse(ProviderKind.OPENAI, JSON, body.getBytes(StandardCharsets.UTF_8));
        assertFalse(p.found(), snapshot(p));
        UsageParser top = parse(ProviderKind.OPENAI, JSON,
                (body.substring(0, body.length() - 1) + ",\"usage\":{\"total_tokens\":8}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(8, top.totalTokens());
    }

    @Test
    void totalIsInputPlusOutputWhenNotReported() {
        UsageParser p = parse(ProviderKind.ANTHROPIC, JSON,
                "{\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}".getBytes(StandardCharsets.UTF_8));
        assertEquals(7, p.totalTokens());
        UsageParser onlyOut = parse(ProviderKind.ANTHROPIC, SSE,
                "event: message_delta\ndata: {\"usage\":{\"output_tokens\":4}}\n\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(onlyOut.found());
        assertEquals(-1, onlyOut.inputTokens());
        assertEquals(4, onlyOut.totalTokens());
    }

    @Test
    void nullUsageChangesNothing() {
        String s = "data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n"
                + "data: {\"usage\":null}\n\n";
        assertEquals(expect(1, 2, 3, 0), snapshot(parse(ProviderKind.OPENAI, SSE, s.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void compressedOrForeignBodiesAreGivenUp() {
        byte[] gzip = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
        UsageParser p = parse(ProviderKind.OPENAI, JSON, gzip);
        assertTrue(p.gaveUp());
        assertFalse(p.found());
        assertTrue(parse(ProviderKind.OPENAI, "text/html", "<html>".getBytes(StandardCharsets.UTF_8)).gaveUp());
    }

    @Test
    void brokenJsonKeepsWhatCameBefore() {
        UsageParser p = parse(ProviderKind.OPENAI, JSON,
                "{\"usage\":{\"prompt_tokens\":5,\"total_tokens\":9}} garbage".getBytes(StandardCharsets.UTF_8));
        assertTrue(p.gaveUp());
        assertEquals(9, p.totalTokens());
        assertEquals(5, p.inputTokens());
    }

    @Test
    void aBrokenEventSpoilsOnlyItself() {
        String s = "data: {\"usage\":{\"total_tokens\":\n\n" // cut short
                + "data: not json at all\n\n"
                + "data: {\"usage\":{\"prompt_tokens\":2,\"total_tokens\":3}}\n\n";
        UsageParser p = parse(ProviderKind.GENERIC, SSE, s.getBytes(StandardCharsets.UTF_8));
        assertFalse(p.gaveUp());
        assertEquals(3, p.totalTokens());
        assertEquals(2, p.inputTokens());
    }

    @Test
    void aTruncatedNumberAtTheEndIsNotTaken() {
        UsageParser p = parse(ProviderKind.OPENAI, SSE,
                "data: {\"usage\":{\"prompt_tokens\":12,\"total_tokens\":4".getBytes(StandardCharsets.UTF_8));
        assertEquals(12, p.inputTokens());
        assertEquals(12, p.totalTokens()); // 4 might have been 40 or 400: input alone
    }

    @Test
    void aHugeSingleDataLineIsReadWithConstantMemory() {
        int size = 10 << 20;
        StringBuilder sb = new StringBuilder(size + 200);
        sb.append("data: {\"choices\":[{\"delta\":{\"content\":\"");
        while (sb.length() < size) sb.append("lorem ipsum dolor sit amet \\u00e9 ");
        int contentRaw = sb.length() - sb.indexOf("t\":\"") - 4;
        sb.append("\"}}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30}}\n\n");
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        ResponseUsageParser p = (ResponseUsageParser) UsageParser.forResponse(ProviderKind.OPENAI, SSE);
        for (int i = 0; i < b.length; i += 8192) p.feed(ByteBuffer.wrap(b, i, Math.min(8192, b.length - i)));
        p.end();
        assertEquals(30, p.totalTokens());
        assertTrue(p.contentBytes() > 0 && p.contentBytes() < contentRaw, "escapes decoded: " + p.contentBytes());
        assertTrue(p.bufferHighWater() <= ResponseUsageParser.bufferCap());
        assertTrue(p.bufferHighWater() <= 32, "only short keys were held: " + p.bufferHighWater());
    }

    @Test
    void longKeysAndLongErrorTypesStayWithinTheCap() {
        String longKey = "k".repeat(100_000);
        String s = "data: {\"" + longKey + "\":1,\"error\":{\"type\":\"" + longKey + "\"},\"usage\":{\"total_tokens\":3}}\n\n"
                + longKey + ": value\n\n";
        ResponseUsageParser p = (ResponseUsageParser) parse(ProviderKind.ANTHROPIC, SSE, s.getBytes(StandardCharsets.UTF_8));
        assertEquals(3, p.totalTokens());
        assertFalse(p.overloadedInStream());
        assertTrue(p.bufferHighWater() <= ResponseUsageParser.bufferCap());
    }

    @Test
    void dataWithoutSpaceAndFieldWithoutColon() {
        String s = "data:{\"usage\":{\"total_tokens\":5}}\n\ndata\n\nevent\n\n";
        assertEquals(5, parse(ProviderKind.GENERIC, SSE, s.getBytes(StandardCharsets.UTF_8)).totalTokens());
    }

    @Test
    void feedingNothingOrNonsenseArgumentsIsHarmless() {
        UsageParser p = UsageParser.forResponse(null, null);
        p.feed((ByteBuffer) null);
        p.feed(null, 0, 3);
        p.feed(new byte[3], 2, 5);
        p.feed(new byte[3], -1, 1);
        p.feed(ByteBuffer.allocate(0));
        p.end();
        p.end();
        assertFalse(p.found());
        assertFalse(p.gaveUp());
        assertEquals(0, p.contentBytes());
    }
}
