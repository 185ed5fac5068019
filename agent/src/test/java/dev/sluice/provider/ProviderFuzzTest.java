package dev.sluice.provider;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random inputs: nothing may throw, no internal fault may be swallowed, buffers stay within their caps,
 * and chunked feeding gives the same result as one whole feed. Re-run a failure with
 * {@code -Dsluice.fuzz.seed=<seed>} (the seed is in every failure message).
 */
class ProviderFuzzTest {
    static final long SEED = Long.getLong("sluice.fuzz.seed", System.nanoTime());
    static final int CASES = Integer.getInteger("sluice.fuzz.cases", 1500);

    static final String[] FIXTURES = {Fixtures.OPENAI_CHAT, Fixtures.OPENAI_CHAT_STREAM, Fixtures.OPENAI_CHAT_STREAM_NO_USAGE,
            Fixtures.OPENAI_RESPONSES, Fixtures.OPENAI_RESPONSES_STREAM, Fixtures.ANTHROPIC_MESSAGE, Fixtures.ANTHROPIC_STREAM,
            Fixtures.ANTHROPIC_STREAM_OVERLOADED, Fixtures.GEMINI, Fixtures.GEMINI_SSE, Fixtures.GEMINI_ARRAY,
            Fixtures.GEMINI_SSE_UNAVAILABLE, Fixtures.VLLM_STREAM, Fixtures.OLLAMA_NDJSON, Fixtures.MULTILINE_DATA,
            "{\"model\":\"gpt-4o-mini\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"xxxx\"}]}"};

    static final String[] NASTY = {
            "{\"usage\":{\"prompt_tokens\":1e999,\"completion_tokens\":1234567890123456789012345678901234567890,\"total_tokens\":-0}}",
            "data: {\"usage\":{\"total_tokens\":99999999999999999999999999999}}\n\n",
            "data: {\"usage\":{\"total_tokens\":1.5e3,\"input_tokens\":-7,\"output_tokens\":0.0}}\n\n",
            "{\"max_tokens\":1e999,\"n\":1e999,\"best_of\":-1,\"prompt\":\"\\ud800\\udbff\\udfff\"}",
            "data: \"\\u\"\r\rdata: {\"a\":\"\\uZZZZ\"}\r\r",
            "event: error\rdata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\r\r",
            "data: {\"a\":tru\n\ndata: {\"b\":nul}\n\ndata: {\"c\":fals}\n\n",
            "[,]", "{\"a\":}", "{\"a\"}", "{\"a\":1 \"b\":2}", "[1 2]", "]", "}", "\"", "\\", "-", "0.", "1e", "1e+", "--1",
    };

    private static String msg(String what) {
        return what + " (seed " + SEED + "; re-run with -Dsluice.fuzz.seed=" + SEED + ")";
    }

    @Test
    void randomAndDamagedInputs() {
        Random rnd = new Random(SEED);
        for (int c = 0; c < CASES; c++) {
            byte[] input = generate(rnd, c);
            check(input, rnd, "case " + c);
        }
    }

    @Test
    void nastyInputsEachWay() {
        Random rnd = new Random(SEED ^ 0x5eed);
        for (String s : NASTY) check(s.getBytes(StandardCharsets.UTF_8), rnd, "nasty " + s);
        for (String s : NASTY) check(("data: " + s + "\n\n").getBytes(StandardCharsets.UTF_8), rnd, "nasty event " + s);
    }

    @Test
    void deepNestingIsBoundedEverywhere() {
        Random rnd = new Random(SEED ^ 0xdeef);
        String[] deep = {"[".repeat(100_000), "{\"a\":".repeat(20_000), "data: " + "[".repeat(50_000) + "\n\n",
                "{\"usage\":" + "[".repeat(300) + "]".repeat(300) + "}", "{\"messages\":" + "[{\"content\":".repeat(5_000)};
        for (String s : deep) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            check(b, rnd, "deep " + s.substring(0, 12));
            RequestInfo r = RequestScanner.scanUnchecked(b, 0, b.length, null);
            assertEquals(b.length, r.promptBytes(), msg("deep body falls back to its length"));
        }
        // usage after a too-deep event is still found in the next event
        String stream = "data: " + "[".repeat(1000) + "\n\ndata: {\"usage\":{\"total_tokens\":5}}\n\n";
        UsageParser p = feedWhole(ProviderKind.OPENAI, stream.getBytes(StandardCharsets.UTF_8));
        assertEquals(5, p.totalTokens(), msg("after deep event"));
    }

    @Test
    void invalidUtf8AndControlBytes() {
        Random rnd = new Random(SEED ^ 0xbad);
        byte[] bad = {(byte) 0xC0, (byte) 0x80, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF, (byte) 0xFE, 0, 1, 0x1f};
        for (String f : FIXTURES) {
            byte[] b = f.getBytes(StandardCharsets.UTF_8);
            for (int k = 0; k < 5; k++) {
                byte[] m = b.clone();
                for (int i = 0; i < 4; i++) m[rnd.nextInt(m.length)] = bad[rnd.nextInt(bad.length)];
                check(m, rnd, "bad utf-8 in " + f.substring(0, 20));
            }
        }
        // raw invalid UTF-8 inside a content string is counted raw and harms nothing else
        byte[] body = "data: {\"choices\":[{\"delta\":{\"content\":\"__\"}}],\"usage\":{\"total_tokens\":3}}\n\n".getBytes(StandardCharsets.ISO_8859_1);
        int at = new String(body, StandardCharsets.ISO_8859_1).indexOf("__");
        body[at] = (byte) 0xFF;
        body[at + 1] = (byte) 0xC3;
        UsageParser p = feedWhole(ProviderKind.OPENAI, body);
        assertEquals(3, p.totalTokens());
        assertEquals(2, p.contentBytes());
    }

    @Test
    void tenMegabytesOnOneLineWithoutNewlines() {
        Random rnd = new Random(SEED ^ 0x10);
        byte[] b = new byte[10 << 20];
        for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + rnd.nextInt(26));
        System.arraycopy("data: ".getBytes(StandardCharsets.UTF_8), 0, b, 0, 6);
        for (ProviderKind kind : ProviderKind.values()) {
            ResponseUsageParser p = (ResponseUsageParser) UsageParser.forResponse(kind, "text/event-stream");
            for (int i = 0; i < b.length; i += 65536) p.feed(b, i, Math.min(65536, b.length - i));
            p.end();
            assertNull(p.fault, msg("fault"));
            assertTrue(p.bufferHighWater() <= ResponseUsageParser.bufferCap(), msg("buffer cap"));
            assertTrue(!p.found(), msg("nothing found"));
        }
        byte[] json = new byte[10 << 20];
        json[0] = '{';
        json[1] = '"';
        for (int i = 2; i < json.length; i++) json[i] = 'k';
        ResponseUsageParser p = (ResponseUsageParser) UsageParser.forResponse(ProviderKind.OPENAI, null);
        p.feed(ByteBuffer.wrap(json));
        assertNull(p.fault, msg("fault"));
        assertTrue(p.bufferHighWater() <= JsonTokenizer.CAPTURE_CAP, msg("a 10 MB key is not held"));
        RequestInfo r = RequestScanner.scanUnchecked(json, 0, json.length, null);
        assertEquals(json.length, r.bodyBytes());
    }

    @Test
    void headerGarbage() {
        Random rnd = new Random(SEED ^ 0x4ead);
        String[] names = {"retry-after", "retry-after-ms", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
                "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-limit-tokens",
                "anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-requests-reset",
                "anthropic-ratelimit-input-tokens-reset", "x-should-retry"};
        String[] pieces = {"1", "0", "9999999999999999999999", "s", "m", "h", "ms", ".", "-", "e", "T", "Z", ":", "+",
                "2026-11-25T08:00:00Z", "Wed, 25 Nov 2026 08:00:30 GMT", "\u00b5", " ", "NaN", "false", "\u0000", "\uFFFF"};
        for (int c = 0; c < 3000; c++) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (String n : names) {
                if (rnd.nextBoolean()) continue;
                StringBuilder v = new StringBuilder();
                int k = rnd.nextInt(6);
                for (int i = 0; i < k; i++) v.append(pieces[rnd.nextInt(pieces.length)]);
                m.put(n, v.toString());
            }
            HeaderLookup h = m::get;
            String body = rnd.nextBoolean() ? null : "try again in " + pieces[rnd.nextInt(pieces.length)] + pieces[rnd.nextInt(pieces.length)];
            for (ProviderKind kind : ProviderKind.values()) {
                ProviderProfile p = ProviderProfile.of(kind);
                try {
                    long r = p.retryAfterNanos(h, 1_764_057_600_000L);
                    assertTrue(r >= -1 && r <= ProviderProfile.MAX_RETRY_AFTER_NANOS, msg("retry " + m));
                    long rb = p.retryAfterNanos(h, body, 1_764_057_600_000L);
                    assertTrue(rb >= -1 && rb <= ProviderProfile.MAX_RETRY_AFTER_NANOS, msg("retry with body " + m));
                    RateLimitInfo info = p.rateLimits(h, 1_764_057_600_000L);
                    assertTrue(info.tokensRemaining() >= -1 && info.requestsResetNanos() >= -1, msg("limits " + m));
                    assertTrue(p.classify429(h, body, 1_764_057_600_000L) != null, msg("kind"));
                } catch (RuntimeException e) {
                    fail(msg("threw on headers " + m), e);
                }
            }
        }
    }

    // ---- the checks ---------------------------------------------------------------------------------------

    private static void check(byte[] input, Random rnd, String what) {
        for (ProviderKind kind : ProviderKind.values()) {
            String ct = rnd.nextBoolean() ? null : rnd.nextBoolean() ? "text/event-stream" : "application/json";
            ResponseUsageParser whole = (ResponseUsageParser) UsageParser.forResponse(kind, ct);
            whole.feed(input, 0, input.length);
            whole.end();
            ResponseUsageParser chunked = (ResponseUsageParser) UsageParser.forResponse(kind, ct);
            feedChunked(chunked, input, rnd);
            chunked.end();
            for (ResponseUsageParser p : new ResponseUsageParser[] {whole, chunked}) {
                if (p.fault != null) fail(msg(what + ": internal fault for " + kind), p.fault);
                assertTrue(p.bufferHighWater() <= ResponseUsageParser.bufferCap(), msg(what + ": buffer cap"));
                assertTrue(p.contentBytes() >= 0, msg(what + ": content"));
                assertTrue(p.totalTokens() >= -1 && p.inputTokens() >= -1 && p.outputTokens() >= -1, msg(what + ": figures"));
            }
            assertEquals(UsageParserTest.snapshot(whole), UsageParserTest.snapshot(chunked), msg(what + ": chunking changed the result"));
            ProviderProfile profile = ProviderProfile.of(kind);
            RequestInfo req;
            try {
                req = RequestScanner.scanUnchecked(input, 0, input.length, (b, s, e, str) -> {
                    if (s < 0 || e > b.length || s > e) throw new AssertionError("bad span " + s + ".." + e);
                });
            } catch (RuntimeException e) {
                fail(msg(what + ": scanner threw"), e);
                return;
            }
            assertTrue(req.promptBytes() >= 0 && req.promptBytes() <= Math.max(input.length, 4L * input.length),
                    msg(what + ": prompt bytes " + req.promptBytes()));
            assertTrue(profile.estimateTokens(req, 512) >= 0, msg(what + ": estimate"));
            assertTrue(profile.chargedTokens(rnd.nextInt(1000), req, whole) >= 0, msg(what + ": charge"));
        }
    }

    private static void feedChunked(UsageParser p, byte[] input, Random rnd) {
        int i = 0;
        while (i < input.length) {
            int n = Math.min(input.length - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 600));
            switch (rnd.nextInt(3)) {
                case 0:
                    p.feed(input, i, n);
                    break;
                case 1: {
                    ByteBuffer d = ByteBuffer.allocateDirect(n);
                    d.put(input, i, n).flip();
                    p.feed(d);
                    break;
                }
                default:
                    p.feed(ByteBuffer.wrap(input, i, n).asReadOnlyBuffer());
            }
            i += n;
        }
    }

    private static UsageParser feedWhole(ProviderKind kind, byte[] b) {
        UsageParser p = UsageParser.forResponse(kind, null);
        p.feed(b, 0, b.length);
        p.end();
        return p;
    }

    // ---- generators ---------------------------------------------------------------------------------------

    private static byte[] generate(Random rnd, int c) {
        switch (c % 6) {
            case 0: { // random bytes, sometimes starting like a body
                byte[] b = new byte[rnd.nextInt(2000)];
                rnd.nextBytes(b);
                if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) "{[d:e".charAt(rnd.nextInt(5));
                return b;
            }
            case 1: { // truncated fixture
                byte[] f = fixture(rnd);
                return java.util.Arrays.copyOf(f, rnd.nextInt(f.length + 1));
            }
            case 2: { // mutated fixture: flips, inserts, deletes
                List<Byte> l = new ArrayList<>();
                for (byte x : fixture(rnd)) l.add(x);
                int edits = 1 + rnd.nextInt(10);
                for (int e = 0; e < edits && !l.isEmpty(); e++) {
                    int at = rnd.nextInt(l.size());
                    switch (rnd.nextInt(3)) {
                        case 0: l.set(at, (byte) MUTATIONS.charAt(rnd.nextInt(MUTATIONS.length()))); break;
                        case 1: l.add(at, (byte) rnd.nextInt(256)); break;
                        default: l.remove(at);
                    }
                }
                byte[] b = new byte[l.size()];
                for (int i = 0; i < b.length; i++) b[i] = l.get(i);
                return b;
            }
            case 3: { // random JSON-ish tokens
                String[] t = {"{", "}", "[", "]", ",", ":", "\"usage\"", "\"total_tokens\"", "\"content\"", "\"delta\"",
                        "\"choices\"", "1", "-2", "3.5", "1e999", "12345678901234567890123", "true", "null", "\"\\u00e9\"",
                        "\"\\ud83d\\ude00\"", "\"x\"", " ", "\n", "data: ", "event: ping\n", "\r", "\r\n\r\n", "\n\n"};
                StringBuilder sb = new StringBuilder();
                int n = rnd.nextInt(300);
                for (int i = 0; i < n; i++) sb.append(t[rnd.nextInt(t.length)]);
                return sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            case 4: { // fixtures with CR-only or mixed line endings
                String f = new String(fixture(rnd), StandardCharsets.UTF_8).replace("\r\n", "\n");
                return (rnd.nextBoolean() ? f.replace("\n", "\r") : f.replace("\n\n", "\r\n\n")).getBytes(StandardCharsets.UTF_8);
            }
            default: { // fixtures spliced together
                byte[] a = fixture(rnd);
                byte[] b = fixture(rnd);
                int cut = rnd.nextInt(a.length + 1);
                byte[] out = java.util.Arrays.copyOf(a, cut + b.length);
                System.arraycopy(b, 0, out, cut, b.length);
                return out;
            }
        }
    }

    private static final String MUTATIONS = "{}[]\":,\\\n\r 0e-.u";

    private static byte[] fixture(Random rnd) {
        return FIXTURES[rnd.nextInt(FIXTURES.length)].getBytes(StandardCharsets.UTF_8);
    }
}
