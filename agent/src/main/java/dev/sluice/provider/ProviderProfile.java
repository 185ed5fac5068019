package dev.sluice.provider;

/**
 * How one provider counts and signals: token estimate of a request, what a finished call is finally charged,
 * retry time of an overload answer, the rate-limit headers. Stateless; one instance per kind.
 *
 * API CONTRACT (implementation owned by provider).
 */
public abstract class ProviderProfile {
    public static ProviderProfile of(ProviderKind kind) {
        throw new UnsupportedOperationException("stub");
    }

    public abstract ProviderKind kind();

    /**
     * Tokens to reserve for a request before it is sent: prompt estimate + the output bound it names, else
     * {@code outputDefault}. The prompt is {@code estimator}'s count (CHARS: UTF-8 bytes / 4, rounded up).
     */
    public abstract long estimateTokens(RequestInfo request, long outputDefault);

    /**
     * What the TPM bucket is finally charged for a finished call, from what the provider reported
     * ({@code usage}) and what was reserved: OpenAI charges prompt + output bound at arrival (no refund of
     * unused output); Anthropic the input plus the real output; generic the reported total. With no usage seen:
     * {@code reserved}, or a stream's content estimate.
     */
    public abstract long chargedTokens(long reserved, RequestInfo request, UsageParser usage);

    /** 503, and 529 for Anthropic: the provider is overloaded (breaker failure and a pause when it names a time). */
    public abstract boolean isOverloadStatus(int status);

    /**
     * The retry time an overload or 429 answer names ({@code retry-after-ms}, {@code retry-after} in seconds or
     * as an HTTP date, OpenAI's reset headers), in nanos from now; -1 if none.
     */
    public abstract long retryAfterNanos(HeaderLookup headers, long nowEpochMillis);

    /** The provider's rate-limit headers; {@link RateLimitInfo#NONE} when it sends none. */
    public abstract RateLimitInfo rateLimits(HeaderLookup headers, long nowEpochMillis);
}
