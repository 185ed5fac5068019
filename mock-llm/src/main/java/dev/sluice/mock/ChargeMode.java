package dev.sluice.mock;

/** How the mock charges a request against its tokens-per-minute bucket. */
public enum ChargeMode {
    /**
     * OpenAI: at arrival, prompt tokens + the request's output bound, whatever the answer's real length; nothing is
     * refunded. The default.
     */
    OPENAI_AT_ARRIVAL,
    /**
     * Anthropic: at arrival, input tokens + max_tokens; when the answer ends (before its last bytes are written) the
     * unused output (bound - real output tokens) is given back to the bucket and subtracted from
     * {@code tokensCharged()}.
     */
    ANTHROPIC_ADJUST_AT_END
}
