package dev.sluice.provider;

/**
 * The provider's own view of the quota, read from response headers. -1 = not reported.
 *
 * API CONTRACT (implementation owned by provider).
 */
public final class RateLimitInfo {
    public static final RateLimitInfo NONE = new RateLimitInfo(-1, -1, -1, -1, -1, -1);

    private final long requestsLimit;
    private final long requestsRemaining;
    private final long requestsResetNanos;
    private final long tokensLimit;
    private final long tokensRemaining;
    private final long tokensResetNanos;

    public RateLimitInfo(long requestsLimit, long requestsRemaining, long requestsResetNanos,
                         long tokensLimit, long tokensRemaining, long tokensResetNanos) {
        this.requestsLimit = requestsLimit;
        this.requestsRemaining = requestsRemaining;
        this.requestsResetNanos = requestsResetNanos;
        this.tokensLimit = tokensLimit;
        this.tokensRemaining = tokensRemaining;
        this.tokensResetNanos = tokensResetNanos;
    }

    public long requestsLimit() { return requestsLimit; }
    public long requestsRemaining() { return requestsRemaining; }
    /** Time until the provider's request quota is full again, from the response. */
    public long requestsResetNanos() { return requestsResetNanos; }
    public long tokensLimit() { return tokensLimit; }
    public long tokensRemaining() { return tokensRemaining; }
    public long tokensResetNanos() { return tokensResetNanos; }

    public boolean any() {
        return requestsRemaining >= 0 || tokensRemaining >= 0;
    }
}
