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

    @Test
    void hugeRequestBodies() {
        // One 24 MB prompt, 200,000 small messages, 2 million token ids: read in one pass, counted exactly, no copy.
        int big = 24 << 20;
        StringBuilder one = new StringBuilder(big + 100).append("{\"model\":\"m\",\"max_tokens\":7,\"messages\":[{\"role\":\"user\",\"content\":\"");
        for (int i = 0; i < big; i++) one.append((char) ('a' + i % 26));
        byte[] b = one.append("\"}]}").toString().getBytes(StandardCharsets.UTF_8);
        one = null;
        RequestInfo r = RequestScanner.scanUnchecked(b, 0, b.length, null);
        assertTrue(r.parsed(), msg("24 MB prompt parsed"));
        assertEquals(big, r.promptBytes(), msg("24 MB prompt counted exactly"));
        assertEquals(7, r.outputBound());
        assertEquals(b.length - 10, RequestScanner.scan(b, 5, b.length - 10).bodyBytes(), msg("a slice"));
        b = null;

        StringBuilder many = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 200_000; i++) many.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"abcd\"}");
        byte[] m = many.append("],\"max_tokens\":3}").toString().getBytes(StandardCharsets.UTF_8);
        RequestInfo rm = RequestScanner.scanUnchecked(m, 0, m.length, null);
        assertEquals(800_000, rm.promptBytes(), msg("200,000 messages"));
        assertEquals(3, rm.outputBound(), msg("a bound after 200,000 messages"));

        StringBuilder ids = new StringBuilder("{\"prompt\":[");
        for (int i = 0; i < 2_000_000; i++) ids.append(i == 0 ? "" : ",").append(i % 50_000);
        byte[] t = ids.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        RequestInfo rt = RequestScanner.scanUnchecked(t, 0, t.length, null);
        assertEquals(8_000_000, rt.promptBytes(), msg("2 million token ids, 4 bytes each"));
        cases += 4;
    }

    @Test
    void invalidUtf8InPrompts() {
        Random rnd = new Random(SEED ^ 0x7f8);
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80},
                {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xC3}};
        String[] escapes = {"\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u0000", "\\uZZZZ", "\\", "\\x41"};
        for (int c = 0; c < 2000; c++) {
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            int rawBytes = 0;
            boolean clean = true;
            int pieces = 1 + rnd.nextInt(12);
            for (int i = 0; i < pieces; i++) {
                int k = rnd.nextInt(3);
                if (k == 0) {
                    byte[] x = bad[rnd.nextInt(bad.length)];
                    content.write(x, 0, x.length);
                    rawBytes += x.length;
                } else if (k == 1) {
                    byte[] x = "plain text".getBytes(StandardCharsets.UTF_8);
                    content.write(x, 0, x.length);
                    rawBytes += x.length;
                } else {
                    byte[] x = escapes[rnd.nextInt(escapes.length)].replace("\\\\", "\\").getBytes(StandardCharsets.UTF_8);
                    content.write(x, 0, x.length);
                    clean = false;
                }
            }
            byte[] head = "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
            byte[] tail = "\"}]}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[head.length + content.size() + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(content.toByteArray(), 0, body, head.length, content.size());
            System.arraycopy(tail, 0, body, head.length + content.size(), tail.length);
            RequestInfo r;
            try {
                r = RequestScanner.scanUnchecked(body, 0, body.length, null);
            } catch (RuntimeException e) {
                fail(msg("invalid UTF-8 case " + c + " threw"), e);
                return;
            }
            assertTrue(r.promptBytes() >= 0 && r.promptBytes() <= 4L * body.length, msg("case " + c + ": " + r));
            if (clean) {
                assertTrue(r.parsed(), msg("raw invalid bytes are not JSON syntax: case " + c));
                assertEquals(rawBytes, r.promptBytes(), msg("raw bytes counted as they are: case " + c));
            }
            assertTrue(ProviderProfile.of(ProviderKind.OPENAI).estimateTokens(r, 512) >= 0);
            check(body, rnd, "invalid utf-8 prompt " + c);
            cases++;
        }
    }

    @Test
    void absurdEventStreamLines() {
        Random rnd = new Random(SEED ^ 0x55e);
        int n = 8 << 20;
        String usage = "data: {\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\n";
        String[] before = {
                ": " + "c".repeat(n) + "\n\n",                                           // a comment line of 8 MB
                "event: " + "e".repeat(n) + "\n\n",                                      // an event name of 8 MB
                "x".repeat(n) + "\n\n",                                                  // a field name without a colon
                "data: {\"choices\":[{\"delta\":{\"content\":\"" + "t".repeat(n) + "\"}}]}\n\n", // an 8 MB delta
                "data: " + "\"".repeat(3) + "q".repeat(n) + "\n\n",                      // a broken data line
                "\n".repeat(1_000_000) + "\r".repeat(1_000_000),                          // a million empty lines, CR ones
                "id: " + "9".repeat(n) + "\nretry: " + "9".repeat(1000) + "\n\n",            // huge id and retry fields
        };
        for (String pre : before) {
            byte[] b = (pre + usage).getBytes(StandardCharsets.UTF_8);
            for (ProviderKind kind : new ProviderKind[] {ProviderKind.OPENAI, ProviderKind.GENERIC}) {
                ResponseUsageParser p = (ResponseUsageParser) UsageParser.forResponse(kind, "text/event-stream");
                for (int i = 0; i < b.length; ) {
                    int len = Math.min(b.length - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 300_000));
                    p.feed(ByteBuffer.wrap(b, i, len));
                    i += len;
                }
                p.end();
                String what = pre.substring(0, Math.min(12, pre.length())).replace("\n", "\\n");
                assertNull(p.fault, msg("fault after " + what));
                assertTrue(p.bufferHighWater() <= ResponseUsageParser.bufferCap(), msg("buffer cap after " + what));
                assertEquals(7, p.totalTokens(), msg("usage after " + what + " (" + kind + ")"));
                cases++;
            }
        }
    }

    /** Fuzz cases run by the tests above that count them (the rest count in their own loops). */
    static long cases;

    @org.junit.jupiter.api.AfterAll
    static void figures() {
        System.out.println("FIGURES provider fuzz: " + (CASES + cases + NASTY.length * 2L) + " cases beyond the fixed"
                + " ones, seed " + SEED);
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
