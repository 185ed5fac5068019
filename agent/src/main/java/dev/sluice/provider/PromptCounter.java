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

    /** The counter for a configured estimator; TIKTOKEN falls back to CHARS until the BPE counter exists. */
    static PromptCounter of(Estimator estimator) {
        return CHARS;
    }

    /** ceil(bytes / 4), 0 for a negative count. */
    static long ceilQuarter(long bytes) {
        return bytes <= 0 ? 0 : (bytes >> 2) + ((bytes & 3) == 0 ? 0 : 1);
    }
}
