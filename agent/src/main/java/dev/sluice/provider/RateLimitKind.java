package dev.sluice.provider;

/** What a 429 answer means, for deciding how long to hold back: see {@link ProviderProfile#classify429}. */
public enum RateLimitKind {
    /** A per-minute (or per-second) limit: pause until its reset, then carry on. */
    TRANSIENT,
    /**
     * The quota is spent for a long time (OpenAI {@code insufficient_quota}, Anthropic spend cap, Gemini per-day
     * quota, or a named retry time over an hour): refuse fast, and say so loudly; retrying soon is pointless.
     */
    QUOTA_EXHAUSTED,
    /** The 429 says the provider is overloaded rather than the caller over its limit: a breaker matter. */
    OVERLOADED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
