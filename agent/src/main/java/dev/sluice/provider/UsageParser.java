package dev.sluice.provider;

import java.nio.ByteBuffer;

/**
 * Watches a response body as it passes to the application and keeps only what the usage needs: incremental,
 * constant memory however long the body, never consuming or changing the buffers it is shown. JSON bodies
 * ({@code usage}, {@code usageMetadata}) and server-sent event streams (OpenAI chat chunks, Responses API
 * {@code response.completed}, Anthropic {@code message_start}/{@code message_delta}, Gemini). When a stream
 * carries no usage it counts the streamed content bytes, so the output can still be estimated. Not thread-safe:
 * one per response, fed in order.
 *
 * API CONTRACT (implementation owned by provider).
 */
public abstract class UsageParser {
    /**
     * A parser for this provider's response of this content type. The format (JSON, a JSON array or NDJSON, or
     * server-sent events) is always sniffed from the first significant byte, since servers do mislabel streams;
     * the content type (may be null) is kept for diagnostics only. A body that is neither (compressed, HTML) makes
     * the parser give up at once. Paths are matched for every provider's shapes at once, so a generic endpoint in
     * front of any OpenAI-, Anthropic- or Gemini-style server is understood too.
     */
    public static UsageParser forResponse(ProviderKind provider, String contentType) {
        return new ResponseUsageParser(provider, contentType);
    }

    /** Reads the remaining bytes of {@code chunk} without moving its position or limit. Never throws on bad input. */
    public abstract void feed(ByteBuffer chunk);

    /** Reads {@code len} bytes of {@code b} from {@code off}. */
    public abstract void feed(byte[] b, int off, int len);

    /** The body ended (or was abandoned): flush what is pending. */
    public abstract void end();

    /** True when the provider's own usage figures were seen. */
    public abstract boolean found();

    /** Prompt/input tokens reported; -1 if not seen. */
    public abstract long inputTokens();

    /** Completion/output tokens reported; -1 if not seen. */
    public abstract long outputTokens();

    /** Total reported (input + output when no total is given); -1 if not seen. */
    public abstract long totalTokens();

    /** Bytes of generated content seen in a stream (for an estimate when no usage is reported). */
    public abstract long contentBytes();

    /** An in-stream error event said the provider is overloaded (Anthropic overloaded_error, etc.). */
    public abstract boolean overloadedInStream();

    /**
     * Cached input tokens read (Anthropic {@code cache_read_input_tokens}, which count toward no input limit on most
     * models and are not in {@link #inputTokens()}; Gemini {@code cachedContentTokenCount}, already part of its
     * prompt count); -1 if not seen.
     */
    public long cacheReadTokens() {
        return -1;
    }

    /** Cache-write input tokens (Anthropic {@code cache_creation_input_tokens}, part of {@link #inputTokens()}); -1 if not seen. */
    public long cacheCreationTokens() {
        return -1;
    }

    /**
     * The parser stopped reading: the body was neither JSON nor an event stream (e.g. compressed), the JSON broke,
     * or an internal fault. What was found before stays available.
     */
    public boolean gaveUp() {
        return false;
    }
}
