package dev.sluice.mock;

/** The facts of one admitted call, fixed when it arrives: what the answer will say and how it is paced. */
final class Call {
    enum Api {
        CHAT, RESPONSES, MESSAGES;

        boolean anthropic() {
            return this == MESSAGES;
        }
    }

    final Api api;
    final long seq;
    /** The sequence number, zero-padded to a fixed width: ids (and so content lengths) do not vary in size. */
    final String id;
    final String model;
    final boolean stream;
    /** OpenAI chat streams: send the final usage chunk (stream_options.include_usage, or includeUsageAlways). */
    final boolean includeUsage;
    final boolean omitUsage;
    final long promptTokens;
    final long outputBound;
    final long outputTokens;
    /** 0, or the content bytes of a huge answer (a multiple of 4; outputTokens = hugeBytes / 4). */
    final long hugeBytes;
    final int streamChunks;
    final long chunkDelayMillis;
    final long pauseAfterFirstMillis;
    /** -1, or the number of content deltas after which a stream ends with an in-stream overload error. */
    final int streamErrorAfter;
    /** Run when the in-stream error is sent. */
    final Runnable onStreamError;
    final long createdEpochSeconds;
    /** The answer was cut by the output bound (finish_reason "length", stop_reason "max_tokens"). */
    final boolean truncated;
    /** Run once, just before the answer's last bytes are written (the Anthropic-style settlement). */
    private Runnable settle;

    Call(Api api, long seq, String model, boolean stream, boolean includeUsage, boolean omitUsage, long promptTokens,
         long outputBound, long outputTokens, long hugeBytes, int streamChunks, long chunkDelayMillis,
         long pauseAfterFirstMillis, int streamErrorAfter, Runnable onStreamError, boolean truncated, Runnable settle) {
        this.api = api;
        this.seq = seq;
        this.id = String.format(java.util.Locale.ROOT, "%010d", seq);
        this.model = model;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.omitUsage = omitUsage;
        this.promptTokens = promptTokens;
        this.outputBound = outputBound;
        this.outputTokens = outputTokens;
        this.hugeBytes = hugeBytes;
        this.streamChunks = streamChunks;
        this.chunkDelayMillis = chunkDelayMillis;
        this.pauseAfterFirstMillis = pauseAfterFirstMillis;
        this.streamErrorAfter = streamErrorAfter;
        this.onStreamError = onStreamError;
        this.createdEpochSeconds = System.currentTimeMillis() / 1000;
        this.truncated = truncated;
        this.settle = settle;
    }

    synchronized void settle() {
        Runnable r = settle;
        settle = null;
        if (r != null) r.run();
    }
}
