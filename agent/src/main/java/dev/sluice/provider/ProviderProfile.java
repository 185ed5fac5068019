package dev.sluice.provider;

import java.util.concurrent.TimeUnit;

/**
 * How one provider counts and signals: token estimate of a request, what a finished call is finally charged,
 * retry time of an overload answer, the rate-limit headers. Stateless; one instance per kind.
 *
 * <p>None of the methods throws: garbage headers or bodies give -1 / {@link RateLimitInfo#NONE} /
 * {@link RateLimitKind#TRANSIENT}, and a fault in charging keeps the reservation.
 *
 * API CONTRACT (implementation owned by provider).
 */
public abstract class ProviderProfile {
    /**
     * The longest pause any retry time is allowed to ask for. Providers sometimes name absurd times ("try again in
     * 114h"); an endpoint paused that long on one answer is a worse failure than a few more 429s, and such answers
     * are quota exhaustion, which {@link #classify429} reports apart.
     */
    public static final long MAX_RETRY_AFTER_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** A 429 naming a retry time longer than this is not a per-minute limit but a spent quota. */
    static final long QUOTA_RETRY_NANOS = TimeUnit.HOURS.toNanos(1);

    /** Only this much of an error body is looked at. */
    static final int BODY_PREFIX_LIMIT = 8192;

    private static final ProviderProfile OPENAI = new OpenAi();
    private static final ProviderProfile ANTHROPIC = new Anthropic();
    private static final ProviderProfile GEMINI = new Gemini();
    private static final ProviderProfile GENERIC = new Generic();

    protected ProviderProfile() {
    }

    /** The profile of {@code kind}; null gives the generic profile. */
    public static ProviderProfile of(ProviderKind kind) {
        if (kind == null) return GENERIC;
        switch (kind) {
            case OPENAI: return OPENAI;
            case ANTHROPIC: return ANTHROPIC;
            case GEMINI: return GEMINI;
            default: return GENERIC;
        }
    }

    public abstract ProviderKind kind();

    // ---- estimate -----------------------------------------------------------------------------------------

    /**
     * Tokens to reserve for a request before it is sent: prompt estimate + the output bound it names, else
     * {@code outputDefault}. The prompt is {@code estimator}'s count (CHARS: UTF-8 bytes / 4, rounded up).
     * An unparsed body counts as prompt in full: ceil(bodyBytes / 4) + outputDefault.
     */
    public long estimateTokens(RequestInfo request, long outputDefault) {
        return estimateTokens(request, outputDefault, PromptCounter.CHARS);
    }

    /** As {@link #estimateTokens(RequestInfo, long)} with the prompt counted by {@code counter} (null: CHARS). */
    public long estimateTokens(RequestInfo request, long outputDefault, PromptCounter counter) {
        RequestInfo r = request == null ? RequestInfo.ofUnknownBody(0) : request;
        long prompt = promptTokens(r, counter);
        long output = r.outputBound() >= 0 ? r.outputBound() : Math.max(0, outputDefault);
        return add(prompt, output);
    }

    static long promptTokens(RequestInfo r, PromptCounter counter) {
        long p;
        try {
            p = (counter == null ? PromptCounter.CHARS : counter).promptTokens(r);
        } catch (RuntimeException e) {
            p = PromptCounter.CHARS.promptTokens(r);
        }
        return Math.max(0, p);
    }

    // ---- charge -------------------------------------------------------------------------------------------

    /**
     * What the TPM bucket is finally charged for a finished call, from what the provider reported
     * ({@code usage}) and what was reserved: OpenAI charges prompt + output bound at arrival (no refund of
     * unused output); Anthropic the input plus the real output; generic the reported total. With no usage seen:
     * {@code reserved}, or a stream's content estimate. Never negative.
     */
    public long chargedTokens(long reserved, RequestInfo request, UsageParser usage) {
        return chargedTokens(reserved, request, usage, PromptCounter.CHARS);
    }

    /** As {@link #chargedTokens(long, RequestInfo, UsageParser)}, estimating a missing prompt count with {@code counter}. */
    public long chargedTokens(long reserved, RequestInfo request, UsageParser usage, PromptCounter counter) {
        long kept = Math.max(0, reserved);
        try {
            if (usage == null) return kept;
            RequestInfo r = request == null ? RequestInfo.ofUnknownBody(0) : request;
            long prompt = promptTokens(r, counter);
            long charged = usage.found() ? chargeReported(kept, r, usage, prompt) : chargeUnreported(kept, r, usage, prompt);
            return Math.max(0, charged);
        } catch (RuntimeException e) {
            return kept;
        }
    }

    /** The charge when the provider's usage was seen: by default the reported total. */
    long chargeReported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
        return reportedTotal(reserved, request, usage, promptEstimate);
    }

    /**
     * The charge when no usage was seen (a stream without usage, a cut-off body): the prompt estimate plus the
     * streamed content / 4 when content was seen, else the reservation.
     */
    long chargeUnreported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
        long content = usage.contentBytes();
        if (content > 0) return add(promptEstimate, PromptCounter.ceilQuarter(content));
        return reserved;
    }

    /** The reported total, else the no-usage rule. */
    final long reportedTotal(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
        long total = usage.totalTokens();
        return total >= 0 ? total : chargeUnreported(reserved, request, usage, promptEstimate);
    }

    // ---- status and headers -------------------------------------------------------------------------------

    /** 503, and 529 for Anthropic: the provider is overloaded (breaker failure and a pause when it names a time). */
    public boolean isOverloadStatus(int status) {
        return status == 503;
    }

    /**
     * The retry time an overload or 429 answer names ({@code retry-after-ms}, {@code retry-after} in seconds or
     * as an HTTP date, OpenAI's reset headers), in nanos from now; -1 if none. Capped at
     * {@link #MAX_RETRY_AFTER_NANOS}.
     *
     * <p>Order: {@code retry-after-ms}, then {@code retry-after}, then the provider's own reset headers (OpenAI
     * {@code x-ratelimit-reset-*} Go durations, Anthropic {@code anthropic-ratelimit-*-reset} RFC 3339 times): the
     * latest reset among the limits whose remaining count is 0 (or not sent). When every limit still has some
     * left, the headers do not say which one refused and -1 is returned (the caller's default pause applies);
     * the error body says more, see {@link #retryAfterNanos(HeaderLookup, String, long)}.
     */
    public long retryAfterNanos(HeaderLookup headers, long nowEpochMillis) {
        try {
            return cap(headerRetryNanos(headers, nowEpochMillis));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * As {@link #retryAfterNanos(HeaderLookup, long)}, then the error body's own words when the headers name no
     * time: OpenAI "try again in 644ms", Azure "retry after 33 seconds", Gemini {@code "retryDelay": "47.43s"}.
     * {@code bodyPrefix} may be null or the first few KiB of the body.
     */
    public long retryAfterNanos(HeaderLookup headers, String bodyPrefix, long nowEpochMillis) {
        try {
            long v = headerRetryNanos(headers, nowEpochMillis);
            if (v < 0) v = HeaderValues.bodyRetryNanos(prefix(bodyPrefix));
            return cap(v);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Uncapped: retry-after-ms, retry-after, then {@link #resetRetryNanos}. */
    final long headerRetryNanos(HeaderLookup headers, long nowEpochMillis) {
        if (headers == null) return -1;
        long v = HeaderValues.millisNanos(HeaderValues.get(headers, "retry-after-ms"));
        if (v >= 0) return v;
        v = HeaderValues.retryAfterNanos(HeaderValues.get(headers, "retry-after"), nowEpochMillis);
        if (v >= 0) return v;
        return resetRetryNanos(headers, nowEpochMillis);
    }

    /** The provider's reset headers as a retry time; -1 when they do not name one. */
    long resetRetryNanos(HeaderLookup headers, long nowEpochMillis) {
        return -1;
    }

    static long cap(long nanos) {
        return nanos < 0 ? -1 : Math.min(nanos, MAX_RETRY_AFTER_NANOS);
    }

    /** The provider's rate-limit headers; {@link RateLimitInfo#NONE} when it sends none. */
    public RateLimitInfo rateLimits(HeaderLookup headers, long nowEpochMillis) {
        return RateLimitInfo.NONE;
    }

    // ---- 429 ----------------------------------------------------------------------------------------------

    /** {@link #classify429(HeaderLookup, String, long)} at the current time. */
    public RateLimitKind classify429(HeaderLookup headers, String bodyPrefix) {
        return classify429(headers, bodyPrefix, System.currentTimeMillis());
    }

    /**
     * What a 429 means: a transient rate limit (pause until the reset), a spent quota (refuse fast for a long
     * time), or overload. Works from the headers alone; the body's first few KiB ({@code bodyPrefix}, may be null)
     * sharpen it. In order:
     * <ol>
     * <li>body names {@code insufficient_quota} or {@code billing_hard_limit} (OpenAI), or a {@code PerDay} quota
     *     (Gemini QuotaFailure): QUOTA_EXHAUSTED;</li>
     * <li>body says {@code overloaded}: OVERLOADED;</li>
     * <li>{@code x-should-retry: false} (the provider says retrying is pointless): QUOTA_EXHAUSTED;</li>
     * <li>a named retry time (headers, else body) over an hour: QUOTA_EXHAUSTED;</li>
     * <li>provider rules (Anthropic: no {@code retry-after} at all is the spend-cap 429): QUOTA_EXHAUSTED;</li>
     * <li>else TRANSIENT.</li>
     * </ol>
     */
    public RateLimitKind classify429(HeaderLookup headers, String bodyPrefix, long nowEpochMillis) {
        try {
            String body = prefix(bodyPrefix);
            if (body != null) {
                if (body.contains("insufficient_quota") || body.contains("billing_hard_limit") || body.contains("PerDay")) {
                    return RateLimitKind.QUOTA_EXHAUSTED;
                }
                if (HeaderValues.indexOfIgnoreCase(body, "overloaded") >= 0) return RateLimitKind.OVERLOADED;
            }
            String shouldRetry = HeaderValues.get(headers, "x-should-retry");
            if ("false".equalsIgnoreCase(shouldRetry)) return RateLimitKind.QUOTA_EXHAUSTED;
            long retry = headerRetryNanos(headers, nowEpochMillis);
            if (retry < 0) retry = HeaderValues.bodyRetryNanos(body);
            if (retry > QUOTA_RETRY_NANOS) return RateLimitKind.QUOTA_EXHAUSTED;
            if (spentQuotaByHeaders(headers, shouldRetry)) return RateLimitKind.QUOTA_EXHAUSTED;
            return RateLimitKind.TRANSIENT;
        } catch (RuntimeException e) {
            return RateLimitKind.TRANSIENT;
        }
    }

    /** Provider-specific header-only sign of a spent quota on a 429. */
    boolean spentQuotaByHeaders(HeaderLookup headers, String shouldRetry) {
        return false;
    }

    static String prefix(String body) {
        if (body == null || body.isEmpty()) return null;
        return body.length() > BODY_PREFIX_LIMIT ? body.substring(0, BODY_PREFIX_LIMIT) : body;
    }

    // ---- arithmetic ---------------------------------------------------------------------------------------

    static long add(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    // ---- header families ----------------------------------------------------------------------------------

    /** OpenAI (and Azure OpenAI, and many compatible gateways): {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}. */
    static RateLimitInfo openAiLimits(HeaderLookup h) {
        long rl = HeaderValues.count(HeaderValues.get(h, "x-ratelimit-limit-requests"));
        long rr = HeaderValues.count(HeaderValues.get(h, "x-ratelimit-remaining-requests"));
        long rs = HeaderValues.goDurationNanos(HeaderValues.get(h, "x-ratelimit-reset-requests"));
        long tl = HeaderValues.count(HeaderValues.get(h, "x-ratelimit-limit-tokens"));
        long tr = HeaderValues.count(HeaderValues.get(h, "x-ratelimit-remaining-tokens"));
        long ts = HeaderValues.goDurationNanos(HeaderValues.get(h, "x-ratelimit-reset-tokens"));
        if (rl < 0 && rr < 0 && rs < 0 && tl < 0 && tr < 0 && ts < 0) return RateLimitInfo.NONE;
        return new RateLimitInfo(rl, rr, rs, tl, tr, ts);
    }

    static long openAiResetRetry(HeaderLookup h) {
        long best = -1;
        long rs = HeaderValues.goDurationNanos(HeaderValues.get(h, "x-ratelimit-reset-requests"));
        if (rs >= 0 && HeaderValues.count(HeaderValues.get(h, "x-ratelimit-remaining-requests")) <= 0) best = rs;
        long ts = HeaderValues.goDurationNanos(HeaderValues.get(h, "x-ratelimit-reset-tokens"));
        if (ts >= 0 && HeaderValues.count(HeaderValues.get(h, "x-ratelimit-remaining-tokens")) <= 0) best = Math.max(best, ts);
        return best;
    }

    private static final String[] ANTHROPIC_LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};

    /**
     * Anthropic: {@code anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}}.
     * Tokens: the {@code tokens-*} set (the most restrictive limit in effect) when sent, else {@code input-tokens-*}.
     * Remaining is rounded to thousands by Anthropic; resets are RFC 3339 times.
     */
    static RateLimitInfo anthropicLimits(HeaderLookup h, long now) {
        long rl = HeaderValues.count(HeaderValues.get(h, "anthropic-ratelimit-requests-limit"));
        long rr = HeaderValues.count(HeaderValues.get(h, "anthropic-ratelimit-requests-remaining"));
        long rs = anthropicReset(h, "requests", now);
        String tokens = "tokens";
        if (HeaderValues.get(h, "anthropic-ratelimit-tokens-limit") == null
                && HeaderValues.get(h, "anthropic-ratelimit-tokens-remaining") == null
                && HeaderValues.get(h, "anthropic-ratelimit-tokens-reset") == null) {
            tokens = "input-tokens";
        }
        long tl = HeaderValues.count(HeaderValues.get(h, "anthropic-ratelimit-" + tokens + "-limit"));
        long tr = HeaderValues.count(HeaderValues.get(h, "anthropic-ratelimit-" + tokens + "-remaining"));
        long ts = anthropicReset(h, tokens, now);
        if (rl < 0 && rr < 0 && rs < 0 && tl < 0 && tr < 0 && ts < 0) return RateLimitInfo.NONE;
        return new RateLimitInfo(rl, rr, rs, tl, tr, ts);
    }

    private static long anthropicReset(HeaderLookup h, String limit, long now) {
        long at = HeaderValues.rfc3339EpochMillis(HeaderValues.get(h, "anthropic-ratelimit-" + limit + "-reset"));
        return at < 0 ? -1 : HeaderValues.untilNanos(at, now);
    }

    static long anthropicResetRetry(HeaderLookup h, long now) {
        long best = -1;
        for (String limit : ANTHROPIC_LIMITS) {
            long reset = anthropicReset(h, limit, now);
            if (reset < 0) continue;
            long remaining = HeaderValues.count(HeaderValues.get(h, "anthropic-ratelimit-" + limit + "-remaining"));
            if (remaining <= 0) best = Math.max(best, reset);
        }
        return best;
    }

    // ---- the four profiles --------------------------------------------------------------------------------

    /**
     * OpenAI (also Azure OpenAI). OpenAI debits TPM when a request arrives - by its documentation the larger of
     * max_tokens and a character-based estimate; by our DESIGN the prompt plus the output bound (with n/best_of) -
     * and documents no refund of unused output. So a call that named a bound is charged
     * {@code max(reported prompt + bound, reported total)}: the sum is what the provider may have debited, never
     * less than what it really used (output is at most the bound), and refunding the unused part locally would
     * let through more than the provider's bucket holds. (The sum is the safe one of the two readings; the
     * provider's {@code x-ratelimit-remaining-tokens} header corrects any overcount.) Without a named bound the
     * arrival debit can only be the prompt, and the real total is the best figure of what was consumed, so the
     * charge is the reported total. With no usage (a stream without {@code include_usage}): the reservation
     * when a bound was named (it is exactly prompt + bound, the arrival debit); else prompt estimate + content / 4.
     */
    private static final class OpenAi extends ProviderProfile {
        @Override
        public ProviderKind kind() {
            return ProviderKind.OPENAI;
        }

        @Override
        long chargeReported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
            long bound = request.outputBound();
            long total = usage.totalTokens();
            if (bound < 0) return reportedTotal(reserved, request, usage, promptEstimate);
            long input = usage.inputTokens();
            if (input < 0) input = promptEstimate;
            return Math.max(add(input, bound), total);
        }

        @Override
        long chargeUnreported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
            if (request.outputBound() >= 0) return reserved;
            return super.chargeUnreported(reserved, request, usage, promptEstimate);
        }

        @Override
        long resetRetryNanos(HeaderLookup headers, long nowEpochMillis) {
            return openAiResetRetry(headers);
        }

        @Override
        public RateLimitInfo rateLimits(HeaderLookup headers, long nowEpochMillis) {
            try {
                return headers == null ? RateLimitInfo.NONE : openAiLimits(headers);
            } catch (RuntimeException e) {
                return RateLimitInfo.NONE;
            }
        }
    }

    /**
     * Anthropic. ITPM and OTPM are separate limits; OTPM takes max_tokens at the start and is adjusted to the real
     * output at the end, and cache reads count toward no input limit on most models. So the charge is input
     * ({@code input_tokens + cache_creation_input_tokens}, cache reads left out) plus the real output
     * ({@code output_tokens} of the last {@code message_delta}). Missing input: the prompt estimate; missing
     * output: content / 4, else the bound, else what was reserved beyond the input. Overload: 503 and 529.
     */
    private static final class Anthropic extends ProviderProfile {
        @Override
        public ProviderKind kind() {
            return ProviderKind.ANTHROPIC;
        }

        @Override
        long chargeReported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
            long input = usage.inputTokens();
            if (input < 0) input = promptEstimate;
            long output = usage.outputTokens();
            if (output < 0) {
                long content = usage.contentBytes();
                if (content > 0) {
                    output = PromptCounter.ceilQuarter(content);
                } else if (request.outputBound() >= 0) {
                    output = request.outputBound();
                } else {
                    output = Math.max(0, reserved - input);
                }
            }
            return add(input, output);
        }

        @Override
        public boolean isOverloadStatus(int status) {
            return status == 503 || status == 529;
        }

        @Override
        long resetRetryNanos(HeaderLookup headers, long nowEpochMillis) {
            return anthropicResetRetry(headers, nowEpochMillis);
        }

        @Override
        public RateLimitInfo rateLimits(HeaderLookup headers, long nowEpochMillis) {
            try {
                return headers == null ? RateLimitInfo.NONE : anthropicLimits(headers, nowEpochMillis);
            } catch (RuntimeException e) {
                return RateLimitInfo.NONE;
            }
        }

        /** PROVIDERS.md: the spend-cap 429 carries no retry-after; a rate-limit 429 does. */
        @Override
        boolean spentQuotaByHeaders(HeaderLookup headers, String shouldRetry) {
            return HeaderValues.get(headers, "retry-after") == null && HeaderValues.get(headers, "retry-after-ms") == null
                    && !"true".equalsIgnoreCase(shouldRetry);
        }
    }

    /**
     * Gemini / Vertex: the reported {@code totalTokenCount} (prompt + candidates + thinking + tool-use prompt).
     * Note: Gemini's own TPM limit counts input tokens only; charging the total keeps the local bucket on the
     * safe side of it. No rate-limit headers (the 429 body's {@code RetryInfo.retryDelay} is read by
     * {@link #retryAfterNanos(HeaderLookup, String, long)}).
     */
    private static final class Gemini extends ProviderProfile {
        @Override
        public ProviderKind kind() {
            return ProviderKind.GEMINI;
        }

        @Override
        long chargeReported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
            return reportedTotal(reserved, request, usage, promptEstimate);
        }
    }

    /**
     * Generic (vLLM, Ollama, gateways): the reported total; overload 503 and 529; OpenAI-style rate-limit headers,
     * else Anthropic-style ones, since compatible servers copy one or the other.
     */
    private static final class Generic extends ProviderProfile {
        @Override
        public ProviderKind kind() {
            return ProviderKind.GENERIC;
        }

        @Override
        long chargeReported(long reserved, RequestInfo request, UsageParser usage, long promptEstimate) {
            return reportedTotal(reserved, request, usage, promptEstimate);
        }

        @Override
        public boolean isOverloadStatus(int status) {
            return status == 503 || status == 529;
        }

        @Override
        long resetRetryNanos(HeaderLookup headers, long nowEpochMillis) {
            long v = openAiResetRetry(headers);
            return v >= 0 ? v : anthropicResetRetry(headers, nowEpochMillis);
        }

        @Override
        public RateLimitInfo rateLimits(HeaderLookup headers, long nowEpochMillis) {
            try {
                if (headers == null) return RateLimitInfo.NONE;
                RateLimitInfo info = openAiLimits(headers);
                return info != RateLimitInfo.NONE ? info : anthropicLimits(headers, nowEpochMillis);
            } catch (RuntimeException e) {
                return RateLimitInfo.NONE;
            }
        }
    }
}
