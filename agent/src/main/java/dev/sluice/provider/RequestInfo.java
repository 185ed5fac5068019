package dev.sluice.provider;

/**
 * What a request body tells about its cost, read once before sending: prompt size, the output bound it names,
 * the model, whether it streams. Immutable.
 *
 * API CONTRACT (implementation owned by provider).
 */
public final class RequestInfo {
    RequestInfo() {
        throw new UnsupportedOperationException("stub");
    }

    /** A body that was not (or could not be) read: only its length is known (0 if unknown). */
    public static RequestInfo ofUnknownBody(long bodyBytes) {
        throw new UnsupportedOperationException("stub");
    }

    /** UTF-8 bytes of the prompt text (messages' content, system, prompt, input, instructions, contents' text). */
    public long promptBytes() { throw new UnsupportedOperationException("stub"); }

    /** Whole body length in bytes. */
    public long bodyBytes() { throw new UnsupportedOperationException("stub"); }

    /** max_tokens / max_completion_tokens / max_output_tokens / generationConfig.maxOutputTokens; -1 = none named. */
    public long outputBound() { throw new UnsupportedOperationException("stub"); }

    /** The "model" value, or null. */
    public String model() { throw new UnsupportedOperationException("stub"); }

    /** "stream": true */
    public boolean stream() { throw new UnsupportedOperationException("stub"); }

    /** "stream_options": {"include_usage": true} */
    public boolean includeUsage() { throw new UnsupportedOperationException("stub"); }

    /** True when the body was parsed as JSON (false: estimated from its length). */
    public boolean parsed() { throw new UnsupportedOperationException("stub"); }
}
