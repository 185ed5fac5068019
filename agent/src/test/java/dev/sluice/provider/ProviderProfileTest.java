package dev.sluice.provider;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderProfileTest {
    static final ProviderProfile OPENAI = ProviderProfile.of(ProviderKind.OPENAI);
    static final ProviderProfile ANTHROPIC = ProviderProfile.of(ProviderKind.ANTHROPIC);
    static final ProviderProfile GEMINI = ProviderProfile.of(ProviderKind.GEMINI);
    static final ProviderProfile GENERIC = ProviderProfile.of(ProviderKind.GENERIC);

    /** 2026-11-25T08:00:00Z */
    static final long NOW = Instant.parse("2026-11-25T08:00:00Z").toEpochMilli();

    static HeaderLookup headers(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i].toLowerCase(Locale.ROOT), kv[i + 1]);
        return name -> m.get(name.toLowerCase(Locale.ROOT));
    }

    static RequestInfo req(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return RequestScanner.scan(b, 0, b.length);
    }

    static UsageParser usage(ProviderKind kind, String body) {
        UsageParser p = UsageParser.forResponse(kind, null);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        p.feed(b, 0, b.length);
        p.end();
        return p;
    }

    static long s(double seconds) {
        return (long) Math.ceil(seconds * 1e9);
    }

    @Test
    void profilesByKind() {
        for (ProviderKind k : ProviderKind.values()) assertEquals(k, ProviderProfile.of(k).kind());
        assertSame(GENERIC, ProviderProfile.of(null));
        assertSame(OPENAI, ProviderProfile.of(ProviderKind.OPENAI));
    }

    // ---- estimates ----------------------------------------------------------------------------------------

    @Test
    void estimateIsPromptQuarterRoundedUpPlusTheBound() {
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(40) + "\"}]}";
        for (ProviderProfile p : new ProviderProfile[] {OPENAI, ANTHROPIC, GEMINI, GENERIC}) {
            assertEquals(50, p.estimateTokens(req(body), 512));
        }
        assertEquals(11 + 512, OPENAI.estimateTokens(req("{\"prompt\":\"" + "y".repeat(41) + "\"}"), 512));
        assertEquals(1 + 7, OPENAI.estimateTokens(req("{\"prompt\":\"z\"}"), 7));
        assertEquals(0, OPENAI.estimateTokens(req("{\"prompt\":\"\",\"max_tokens\":0}"), 512));
        assertEquals(3 + 600, OPENAI.estimateTokens(req("{\"prompt\":\"abcdefghij\",\"max_tokens\":300,\"n\":2}"), 512));
    }

    @Test
    void unparsedBodyIsAllPrompt() {
        assertEquals(250 + 512, OPENAI.estimateTokens(RequestInfo.ofUnknownBody(1000), 512));
        assertEquals(251 + 512, OPENAI.estimateTokens(RequestInfo.ofUnknownBody(1001), 512));
        assertEquals(512, OPENAI.estimateTokens(RequestInfo.ofUnknownBody(0), 512));
        assertEquals(512, OPENAI.estimateTokens(null, 512));
        assertEquals(0, OPENAI.estimateTokens(null, -5));
    }

    @Test
    void aPromptCounterReplacesTheByteCount() {
        RequestInfo r = req("{\"max_tokens\":10,\"prompt\":\"abcdefgh\"}");
        assertEquals(17, OPENAI.estimateTokens(r, 512, request -> 7));
        assertEquals(12, OPENAI.estimateTokens(r, 512, null));
        assertEquals(12, OPENAI.estimateTokens(r, 512, request -> {
            throw new IllegalStateException("broken counter");
        }));
        assertEquals(10, OPENAI.estimateTokens(r, 512, request -> -3));
        assertSame(PromptCounter.TIKTOKEN, PromptCounter.of(Estimator.TIKTOKEN));
        assertSame(PromptCounter.CHARS, PromptCounter.of(Estimator.CHARS));
        assertSame(PromptCounter.CHARS, PromptCounter.of(null));
    }

    @Test
    void saturatesInsteadOfOverflowing() {
        assertEquals(Long.MAX_VALUE, OPENAI.estimateTokens(req("{\"prompt\":\"a\"}"), Long.MAX_VALUE));
        RequestInfo r = req("{\"max_tokens\":999999999999999,\"n\":128,\"prompt\":\"a\"}");
        assertEquals(999_999_999_999_999L * 128 + 1, OPENAI.estimateTokens(r, 512));
    }

    // ---- charges ------------------------------------------------------------------------------------------

    static final String OPENAI_USAGE = "{\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":30,\"total_tokens\":130}}";

    @Test
    void openAiChargesThePromptPlusTheNamedBound() {
        RequestInfo bounded = req("{\"max_tokens\":200,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(100 + 200, OPENAI.chargedTokens(201, bounded, usage(ProviderKind.OPENAI, OPENAI_USAGE)));
        RequestInfo twice = req("{\"max_tokens\":200,\"n\":2,\"messages\":[]}");
        assertEquals(100 + 400, OPENAI.chargedTokens(401, twice, usage(ProviderKind.OPENAI, OPENAI_USAGE)));
        // never below what was really used
        RequestInfo tiny = req("{\"max_tokens\":5,\"messages\":[]}");
        assertEquals(130, OPENAI.chargedTokens(5, tiny, usage(ProviderKind.OPENAI, OPENAI_USAGE)));
    }

    @Test
    void openAiWithoutABoundChargesTheReportedTotal() {
        RequestInfo unbounded = req("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(130, OPENAI.chargedTokens(513, unbounded, usage(ProviderKind.OPENAI, OPENAI_USAGE)));
    }

    @Test
    void openAiStreamWithoutUsage() {
        UsageParser content = usage(ProviderKind.OPENAI, Fixtures.OPENAI_CHAT_STREAM_NO_USAGE); // 16 content bytes
        RequestInfo bounded = req("{\"max_tokens\":100,\"stream\":true,\"prompt\":\"" + "p".repeat(40) + "\"}");
        assertEquals(110, OPENAI.chargedTokens(110, bounded, content), "bound named: the arrival debit stands");
        RequestInfo unbounded = req("{\"stream\":true,\"prompt\":\"" + "p".repeat(40) + "\"}");
        assertEquals(10 + 4, OPENAI.chargedTokens(522, unbounded, content), "prompt estimate + content/4");
        UsageParser nothing = usage(ProviderKind.OPENAI, "data: [DONE]\n\n");
        assertEquals(522, OPENAI.chargedTokens(522, unbounded, nothing));
    }

    @Test
    void anthropicChargesInputWithCacheWritesPlusRealOutput() {
        RequestInfo r = req("{\"max_tokens\":1024,\"messages\":[]}");
        // input 25 + cache writes 10 (cache reads 400 left out) + last output 89
        assertEquals(25 + 10 + 89, ANTHROPIC.chargedTokens(1100, r, usage(ProviderKind.ANTHROPIC, Fixtures.ANTHROPIC_STREAM)));
        assertEquals(2095 + 100 + 503, ANTHROPIC.chargedTokens(1100, r, usage(ProviderKind.ANTHROPIC, Fixtures.ANTHROPIC_MESSAGE)));
    }

    @Test
    void anthropicWithMissingPieces() {
        RequestInfo r = req("{\"max_tokens\":1024,\"system\":\"" + "s".repeat(40) + "\",\"messages\":[]}");
        UsageParser onlyOutput = usage(ProviderKind.ANTHROPIC, "data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":50}}\n\n");
        assertEquals(10 + 50, ANTHROPIC.chargedTokens(1034, r, onlyOutput), "prompt estimate for the missing input");
        UsageParser onlyInput = usage(ProviderKind.ANTHROPIC,
                "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12}}}\n\n");
        assertEquals(12 + 1024, ANTHROPIC.chargedTokens(1034, r, onlyInput), "the bound for the missing output");
        UsageParser inputAndContent = usage(ProviderKind.ANTHROPIC,
                "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12}}}\n\n"
                        + "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"12345678\"}}\n\n");
        assertEquals(12 + 2, ANTHROPIC.chargedTokens(1034, r, inputAndContent));
        RequestInfo unbounded = req("{\"messages\":[]}");
        assertEquals(500, ANTHROPIC.chargedTokens(500, unbounded, onlyInput), "what was reserved beyond the input");
    }

    @Test
    void geminiAndGenericChargeTheReportedTotal() {
        RequestInfo r = req("{\"generationConfig\":{\"maxOutputTokens\":1000},\"contents\":[]}");
        assertEquals(35, GEMINI.chargedTokens(1010, r, usage(ProviderKind.GEMINI, Fixtures.GEMINI)));
        assertEquals(40, GEMINI.chargedTokens(1010, r, usage(ProviderKind.GEMINI, Fixtures.GEMINI_ARRAY)));
        assertEquals(23, GENERIC.chargedTokens(600, r, usage(ProviderKind.GENERIC, Fixtures.VLLM_STREAM)));
        assertEquals(308, GENERIC.chargedTokens(600, r, usage(ProviderKind.GENERIC, Fixtures.OLLAMA_NDJSON)));
        UsageParser contentOnly = usage(ProviderKind.GEMINI,
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + "t".repeat(21) + "\"}]}}]}\r\n\r\n");
        assertEquals(0 + 6, GEMINI.chargedTokens(1010, r, contentOnly));
    }

    @Test
    void chargesAreNeverNegativeAndSurviveNulls() {
        assertEquals(0, OPENAI.chargedTokens(-5, null, null));
        assertEquals(7, GENERIC.chargedTokens(7, null, null));
        assertEquals(7, GENERIC.chargedTokens(7, null, UsageParser.forResponse(ProviderKind.GENERIC, null)));
        UsageParser broken = new UsageParser() {
            @Override public void feed(java.nio.ByteBuffer chunk) { }
            @Override public void feed(byte[] b, int off, int len) { }
            @Override public void end() { }
            @Override public boolean found() { throw new IllegalStateException(); }
            @Override public long inputTokens() { return -1; }
            @Override public long outputTokens() { return -1; }
            @Override public long totalTokens() { return -1; }
            @Override public long contentBytes() { return 0; }
            @Override public boolean overloadedInStream() { return false; }
        };
        assertEquals(9, ANTHROPIC.chargedTokens(9, null, broken));
    }

    // ---- statuses -----------------------------------------------------------------------------------------

    @Test
    void overloadStatuses() {
        for (ProviderProfile p : new ProviderProfile[] {OPENAI, ANTHROPIC, GEMINI, GENERIC}) {
            assertTrue(p.isOverloadStatus(503));
            assertFalse(p.isOverloadStatus(429));
            assertFalse(p.isOverloadStatus(500));
            assertFalse(p.isOverloadStatus(200));
        }
        assertTrue(ANTHROPIC.isOverloadStatus(529));
        assertTrue(GENERIC.isOverloadStatus(529));
        assertFalse(OPENAI.isOverloadStatus(529));
        assertFalse(GEMINI.isOverloadStatus(529));
    }

    // ---- header values ------------------------------------------------------------------------------------

    @Test
    void goDurations() {
        assertEquals(s(1), HeaderValues.goDurationNanos("1s"));
        assertEquals(s(360), HeaderValues.goDurationNanos("6m0s"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(12), HeaderValues.goDurationNanos("12ms"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), HeaderValues.goDurationNanos("20ms"));
        assertEquals(s(3600 + 120 + 3.5), HeaderValues.goDurationNanos("1h2m3.5s"));
        assertEquals(s(0.5), HeaderValues.goDurationNanos("0.5s"));
        assertEquals(1500, HeaderValues.goDurationNanos("1.5us"));
        assertEquals(1500, HeaderValues.goDurationNanos("1.5\u00b5s"));
        assertEquals(1500, HeaderValues.goDurationNanos("1.5\u03bcs"));
        assertEquals(7, HeaderValues.goDurationNanos("7ns"));
        assertEquals(0, HeaderValues.goDurationNanos("0"));
        assertEquals(0, HeaderValues.goDurationNanos("0s"));
        assertEquals(Long.MAX_VALUE, HeaderValues.goDurationNanos("99999999999999h"));
        for (String bad : new String[] {null, "", "s", "1", "1x", "-1s", "1..2s", "abc", "1s2", " ", "1 s", "1e3s", "NaNs"}) {
            assertEquals(-1, HeaderValues.goDurationNanos(bad), String.valueOf(bad));
        }
    }

    @Test
    void timestamps() {
        assertEquals(NOW + 30_000, HeaderValues.rfc3339EpochMillis("2026-11-25T08:00:30Z"));
        assertEquals(NOW + 30_500, HeaderValues.rfc3339EpochMillis("2026-11-25T08:00:30.5Z"));
        assertEquals(NOW + 30_000, HeaderValues.rfc3339EpochMillis("2026-11-25T09:00:30+01:00"));
        assertEquals(NOW + 30_000, HeaderValues.rfc3339EpochMillis("2026-11-25t08:00:30z"));
        assertEquals(-1, HeaderValues.rfc3339EpochMillis("2026-11-25T08:00:30"));
        assertEquals(-1, HeaderValues.rfc3339EpochMillis("yesterday"));
        assertEquals(NOW + 30_000, HeaderValues.httpDateEpochMillis("Wed, 25 Nov 2026 08:00:30 GMT"));
        assertEquals(-1, HeaderValues.httpDateEpochMillis("25 Nov 2026"));
    }

    // ---- retry times --------------------------------------------------------------------------------------

    @Test
    void retryAfterMsThenRetryAfter() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(644), OPENAI.retryAfterNanos(headers("retry-after-ms", "644"), NOW));
        assertEquals(1_500_500, OPENAI.retryAfterNanos(headers("retry-after-ms", "1.5005"), NOW));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20),
                OPENAI.retryAfterNanos(headers("retry-after-ms", "20", "retry-after", "33"), NOW));
        assertEquals(s(33), GEMINI.retryAfterNanos(headers("Retry-After", "33"), NOW));
        assertEquals(s(1.5), ANTHROPIC.retryAfterNanos(headers("retry-after", " 1.5 "), NOW));
        assertEquals(s(30), GENERIC.retryAfterNanos(headers("retry-after", "Wed, 25 Nov 2026 08:00:30 GMT"), NOW));
        assertEquals(0, GENERIC.retryAfterNanos(headers("retry-after", "Wed, 25 Nov 2026 07:00:00 GMT"), NOW));
        assertEquals(0, GENERIC.retryAfterNanos(headers("retry-after", "0"), NOW));
    }

    @Test
    void retryTimesAreCapped() {
        assertEquals(ProviderProfile.MAX_RETRY_AFTER_NANOS, OPENAI.retryAfterNanos(headers("retry-after", "410400"), NOW));
        assertEquals(ProviderProfile.MAX_RETRY_AFTER_NANOS, OPENAI.retryAfterNanos(headers("retry-after-ms", "9".repeat(30)), NOW));
        assertEquals(-1, OPENAI.retryAfterNanos(headers("retry-after-ms", "9".repeat(200)), NOW), "absurdly long: ignored");
        assertEquals(ProviderProfile.MAX_RETRY_AFTER_NANOS,
                OPENAI.retryAfterNanos(headers(), "Please try again in 114h0m0s.", NOW));
    }

    @Test
    void garbageRetryHeadersAreIgnored() {
        for (String bad : new String[] {"soon", "-5", "NaN", "Infinity", "1e3", "", "  ", "0x10", "\u0000", "9".repeat(400)}) {
            assertEquals(-1, OPENAI.retryAfterNanos(headers("retry-after", bad, "retry-after-ms", bad), NOW), bad);
        }
        assertEquals(-1, OPENAI.retryAfterNanos(null, NOW));
        assertEquals(-1, OPENAI.retryAfterNanos(name -> {
            throw new IllegalStateException("client broke");
        }, NOW));
    }

    @Test
    void openAiResetHeadersAreTheFallback() {
        HeaderLookup tokensOut = headers("x-ratelimit-limit-requests", "500", "x-ratelimit-remaining-requests", "499",
                "x-ratelimit-reset-requests", "120ms", "x-ratelimit-limit-tokens", "30000",
                "x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "6m0s");
        assertEquals(s(300), OPENAI.retryAfterNanos(tokensOut, NOW), "6m capped at 5m");
        HeaderLookup requestsOut = headers("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-remaining-tokens", "29000", "x-ratelimit-reset-tokens", "2s");
        assertEquals(s(1), OPENAI.retryAfterNanos(requestsOut, NOW));
        HeaderLookup bothOut = headers("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "1h2m3.5s");
        assertEquals(ProviderProfile.MAX_RETRY_AFTER_NANOS, OPENAI.retryAfterNanos(bothOut, NOW));
        HeaderLookup resetOnly = headers("x-ratelimit-reset-tokens", "12ms");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(12), OPENAI.retryAfterNanos(resetOnly, NOW));
        HeaderLookup neitherOut = headers("x-ratelimit-remaining-requests", "10", "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-remaining-tokens", "100", "x-ratelimit-reset-tokens", "2s");
        assertEquals(-1, OPENAI.retryAfterNanos(neitherOut, NOW), "the headers do not say which limit refused");
        assertEquals(s(7), OPENAI.retryAfterNanos(headers("retry-after", "7", "x-ratelimit-remaining-tokens", "0",
                "x-ratelimit-reset-tokens", "20ms"), NOW), "retry-after first");
        assertEquals(-1, GEMINI.retryAfterNanos(tokensOut, NOW), "Gemini sends no such headers");
        assertEquals(s(1), GENERIC.retryAfterNanos(requestsOut, NOW));
    }

    @Test
    void anthropicResetHeadersAreTheFallback() {
        HeaderLookup h = headers("anthropic-ratelimit-requests-limit", "50", "anthropic-ratelimit-requests-remaining", "49",
                "anthropic-ratelimit-requests-reset", "2026-11-25T08:00:01Z",
                "anthropic-ratelimit-input-tokens-limit", "30000", "anthropic-ratelimit-input-tokens-remaining", "0",
                "anthropic-ratelimit-input-tokens-reset", "2026-11-25T08:00:12Z",
                "anthropic-ratelimit-output-tokens-limit", "8000", "anthropic-ratelimit-output-tokens-remaining", "0",
                "anthropic-ratelimit-output-tokens-reset", "2026-11-25T08:00:20.250Z");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20_250), ANTHROPIC.retryAfterNanos(h, NOW));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20_250), GENERIC.retryAfterNanos(h, NOW));
        assertEquals(-1, OPENAI.retryAfterNanos(h, NOW));
        assertEquals(0, ANTHROPIC.retryAfterNanos(headers("anthropic-ratelimit-tokens-remaining", "0",
                "anthropic-ratelimit-tokens-reset", "2026-11-25T07:59:00Z"), NOW), "a past reset: now");
        assertEquals(-1, ANTHROPIC.retryAfterNanos(headers("anthropic-ratelimit-tokens-remaining", "0",
                "anthropic-ratelimit-tokens-reset", "soon"), NOW));
    }

    @Test
    void retryTimesFromErrorBodies() {
        String openAi = "{\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): "
                + "Limit 30000, Used 29804, Requested 806. Please try again in 1.22s. Visit https://platform.openai.com/account/rate-limits\","
                + "\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
        assertEquals(s(1.22), OPENAI.retryAfterNanos(headers(), openAi, NOW));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(644),
                OPENAI.retryAfterNanos(headers(), "... Please try again in 644ms. ...", NOW));
        String azure = "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the ChatCompletions_Create Operation under "
                + "Azure OpenAI API version 2024-02-01 have exceeded token rate limit of your current OpenAI S0 pricing tier. "
                + "Please retry after 33 seconds.\"}}";
        assertEquals(s(33), OPENAI.retryAfterNanos(null, azure, NOW));
        String gemini = "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota.\",\"status\":\"RESOURCE_EXHAUSTED\","
                + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":"
                + "\"generativelanguage.googleapis.com/generate_content_free_tier_input_token_count\",\"quotaId\":"
                + "\"GenerateContentInputTokensPerModelPerMinute-FreeTier\"}]},{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                + "\"retryDelay\":\"47.43s\"}]}}";
        assertEquals(s(47.43), GEMINI.retryAfterNanos(headers(), gemini, NOW));
        assertEquals(s(2), GEMINI.retryAfterNanos(headers("retry-after", "2"), gemini, NOW), "headers first");
        assertEquals(-1, GEMINI.retryAfterNanos(headers(), "{\"error\":{\"message\":\"try again in a while\"}}", NOW));
        assertEquals(-1, GEMINI.retryAfterNanos(headers(), null, NOW));
    }

    // ---- rate-limit headers -------------------------------------------------------------------------------

    @Test
    void openAiRateLimits() {
        HeaderLookup h = headers("x-ratelimit-limit-requests", "10000", "x-ratelimit-remaining-requests", "9999",
                "x-ratelimit-reset-requests", "6ms", "x-ratelimit-limit-tokens", "2000000",
                "x-ratelimit-remaining-tokens", "1999456", "x-ratelimit-reset-tokens", "16ms");
        RateLimitInfo r = OPENAI.rateLimits(h, NOW);
        assertTrue(r.any());
        assertEquals(10000, r.requestsLimit());
        assertEquals(9999, r.requestsRemaining());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(6), r.requestsResetNanos());
        assertEquals(2_000_000, r.tokensLimit());
        assertEquals(1_999_456, r.tokensRemaining());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(16), r.tokensResetNanos());
        assertEquals(1_999_456, GENERIC.rateLimits(h, NOW).tokensRemaining());
        assertSame(RateLimitInfo.NONE, GEMINI.rateLimits(h, NOW));
        // Azure sends only the remaining counts
        RateLimitInfo azure = OPENAI.rateLimits(headers("x-ratelimit-remaining-requests", "59",
                "x-ratelimit-remaining-tokens", "59000"), NOW);
        assertEquals(59, azure.requestsRemaining());
        assertEquals(-1, azure.requestsLimit());
        assertEquals(-1, azure.tokensResetNanos());
        assertSame(RateLimitInfo.NONE, OPENAI.rateLimits(headers("content-type", "application/json"), NOW));
        assertSame(RateLimitInfo.NONE, OPENAI.rateLimits(null, NOW));
        RateLimitInfo garbage = OPENAI.rateLimits(headers("x-ratelimit-remaining-tokens", "lots",
                "x-ratelimit-reset-tokens", "later", "x-ratelimit-limit-tokens", "-3"), NOW);
        assertFalse(garbage.any());
    }

    @Test
    void anthropicRateLimits() {
        HeaderLookup h = headers("anthropic-ratelimit-requests-limit", "4000", "anthropic-ratelimit-requests-remaining", "3999",
                "anthropic-ratelimit-requests-reset", "2026-11-25T08:00:00.500Z",
                "anthropic-ratelimit-tokens-limit", "480000", "anthropic-ratelimit-tokens-remaining", "479000",
                "anthropic-ratelimit-tokens-reset", "2026-11-25T08:00:07Z",
                "anthropic-ratelimit-input-tokens-limit", "400000", "anthropic-ratelimit-input-tokens-remaining", "400000",
                "anthropic-ratelimit-input-tokens-reset", "2026-11-25T08:00:01Z",
                "anthropic-ratelimit-output-tokens-limit", "80000", "anthropic-ratelimit-output-tokens-remaining", "79000",
                "anthropic-ratelimit-output-tokens-reset", "2026-11-25T08:00:07Z");
        RateLimitInfo r = ANTHROPIC.rateLimits(h, NOW);
        assertEquals(4000, r.requestsLimit());
        assertEquals(3999, r.requestsRemaining());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), r.requestsResetNanos());
        assertEquals(480_000, r.tokensLimit());
        assertEquals(479_000, r.tokensRemaining());
        assertEquals(s(7), r.tokensResetNanos());
        // without the combined tokens-* set: the input-tokens one
        HeaderLookup inputOnly = headers("anthropic-ratelimit-input-tokens-limit", "400000",
                "anthropic-ratelimit-input-tokens-remaining", "12000", "anthropic-ratelimit-input-tokens-reset", "2026-11-25T08:00:01Z");
        RateLimitInfo i = ANTHROPIC.rateLimits(inputOnly, NOW);
        assertEquals(400_000, i.tokensLimit());
        assertEquals(12_000, i.tokensRemaining());
        assertEquals(s(1), i.tokensResetNanos());
        assertEquals(-1, i.requestsRemaining());
        assertEquals(12_000, GENERIC.rateLimits(inputOnly, NOW).tokensRemaining());
        assertSame(RateLimitInfo.NONE, ANTHROPIC.rateLimits(headers("x-ratelimit-remaining-tokens", "5"), NOW));
    }

    // ---- 429 classification -------------------------------------------------------------------------------

    @Test
    void classifyOpenAi429() {
        String quota = "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and billing details.\","
                + "\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}";
        assertEquals(RateLimitKind.QUOTA_EXHAUSTED, OPENAI.classify429(headers(), quota, NOW));
        assertEquals(RateLimitKind.TRANSIENT, OPENAI.classify429(headers("retry-after", "1"),
                "{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Please try again in 644ms.\"}}", NOW));
        assertEquals(RateLimitKind.TRANSIENT, OPENAI.classify429(headers(), null, NOW));
        assertEquals(RateLimitKind.TRANSIENT, OPENAI.classify429(null, null));
        assertEquals(RateLimitKind.QUOTA_EXHAUSTED, OPENAI.classify429(headers(), "Please try again in 114h12m.", NOW));
        assertEquals(RateLimitKind.QUOTA_EXHAUSTED, OPENAI.classify429(headers("retry-after", "86400"), null, NOW));
        assertEquals(RateLimitKind.QUOTA_EXHAUSTED, OPENAI.classify429(headers("x-should-retry", "false"), null, NOW));
        assertEquals(RateLimitKind.OVERLOADED, OPENAI.classify429(headers(),
                "{\"error\":{\"message\":\"That model is currently overloaded with other requests.\"}}", NOW));
    }

    @Test
    void classifyAnthropic429() {
        assertEquals(RateLimitKind.TRANSIENT, ANTHROPIC.classify429(headers("retry-after", "12",
                "anthropic-ratelimit-input-tokens-remaining", "0"),
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would exceed the rate limit\"}}", NOW));
        // the spend cap answers without retry-after: from the headers alone
        assertEquals(RateLimitKind.QUOTA_EXHAUSTED, ANTHROPIC.classify429(headers("request-id", "req_1"), null, NOW));
        assertEquals(RateLimitKind.TRANSIENT, ANTHROPIC.classify429(headers("x-should-retry", "true"), null, NOW));
        assertEquals(RateLimitKind.TRANSIENT, ANTHROPIC.classify429(headers("retry-after-ms", "300"), null, NOW));
    }

    @Test
    void classifyGemini429() {
        String perDay = "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota.\",\"status\":\"RESOURCE_EXHAUSTED\","
                + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":"
                + "\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]},"
                + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"21s\"}]}}";
        assertEquals(RateLimitKind.QUOTA_EXHAUSTED, GEMINI.classify429(headers(), perDay, NOW));
        String perMinute = perDay.replace("PerDay", "PerMinute");
        assertEquals(RateLimitKind.TRANSIENT, GEMINI.classify429(headers(), perMinute, NOW));
        assertEquals(RateLimitKind.TRANSIENT, GEMINI.classify429(headers(), null, NOW));
        assertEquals(RateLimitKind.TRANSIENT, GENERIC.classify429(headers(), null, NOW));
    }

    @Test
    void hugeBodiesAreOnlyLookedAtInTheirPrefix() {
        String body = "x".repeat(100_000) + "insufficient_quota";
        assertEquals(RateLimitKind.TRANSIENT, OPENAI.classify429(headers(), body, NOW));
        assertEquals(-1, OPENAI.retryAfterNanos(headers(), "y".repeat(100_000) + "try again in 5s", NOW));
    }
}
