package dev.sluice.provider;

/**
 * Counts a request's prompt tokens for the reservation made before it is sent. {@link #CHARS} is the built-in
 * count (UTF-8 bytes / 4, rounded up). The hook for an exact BPE count ({@code tokens.estimator=tiktoken}): an
 * implementation is given each prompt text by {@link RequestScanner#scan(byte[], int, int, PromptTextSink)} while
 * the body is scanned, and answers here; {@link ProviderProfile#estimateTokens(RequestInfo, long, PromptCounter)}
 * uses it instead of the byte count.
 */
@FunctionalInterface
public interface PromptCounter {
    /** Prompt tokens of {@code request}; never negative. */
    long promptTokens(RequestInfo request);

    /** UTF-8 bytes / 4, rounded up (for an unparsed body: the body length / 4). */
    PromptCounter CHARS = request -> ceilQuarter(request.promptBytes());

    /**
     * The BPE count made while scanning ({@link RequestInfo#promptTokens()}, see {@link Tiktoken}) plus OpenAI's chat
     * framing ({@value Tiktoken#TOKENS_PER_MESSAGE} per message, {@value Tiktoken#TOKENS_PER_NAME} per message
     * {@code name}, {@value Tiktoken#REPLY_PRIMING} for the reply) when
     * the request has {@code messages}; {@link #CHARS} for a request that was not counted.
     */
    PromptCounter TIKTOKEN = request -> {
        long counted = request.promptTokens();
        if (counted < 0) return CHARS.promptTokens(request);
        int m = request.messages();
        if (m == 0) return counted;
        return counted + (long) Tiktoken.TOKENS_PER_MESSAGE * m + Tiktoken.TOKENS_PER_NAME * request.names()
                + Tiktoken.REPLY_PRIMING;
    };

    /** The counter for a configured estimator (null: CHARS). */
    static PromptCounter of(Estimator estimator) {
        return estimator == Estimator.TIKTOKEN ? TIKTOKEN : CHARS;
    }

    /** ceil(bytes / 4), 0 for a negative count. */
    static long ceilQuarter(long bytes) {
        return bytes <= 0 ? 0 : (bytes >> 2) + ((bytes & 3) == 0 ? 0 : 1);
    }
}
