package dev.sluice.provider;

/**
 * What a request body tells about its cost, read once before sending: prompt size, the output bound it names,
 * the model, whether it streams. Immutable.
 *
 * API CONTRACT (implementation owned by provider).
 */
public final class RequestInfo {
    private final long promptBytes;
    private final long toolBytes;
    private final long bodyBytes;
    private final long outputBound;
    private final int choices;
    private final String model;
    private final boolean stream;
    private final boolean includeUsage;
    private final boolean parsed;
    private final int messages;
    private final int names;
    private final long promptTokens;

    RequestInfo(long promptBytes, long toolBytes, long bodyBytes, long outputBound, int choices, String model,
                boolean stream, boolean includeUsage, boolean parsed) {
        this(promptBytes, toolBytes, bodyBytes, outputBound, choices, model, stream, includeUsage, parsed, 0, 0, -1);
    }

    RequestInfo(long promptBytes, long toolBytes, long bodyBytes, long outputBound, int choices, String model,
                boolean stream, boolean includeUsage, boolean parsed, int messages, int names, long promptTokens) {
        this.promptBytes = Math.max(0, promptBytes);
        this.toolBytes = Math.max(0, toolBytes);
        this.bodyBytes = Math.max(0, bodyBytes);
        this.outputBound = outputBound < 0 ? -1 : outputBound;
        this.choices = Math.max(1, choices);
        this.model = model;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.parsed = parsed;
        this.messages = Math.max(0, messages);
        this.names = Math.max(0, names);
        this.promptTokens = promptTokens < 0 ? -1 : promptTokens;
    }

    /** This request with its prompt counted by a tokenizer ({@link #promptTokens()}). */
    RequestInfo withPromptTokens(long tokens) {
        return new RequestInfo(promptBytes, toolBytes, bodyBytes, outputBound, choices, model, stream, includeUsage,
                parsed, messages, names, tokens);
    }

    /** A body that was not (or could not be) read: only its length is known (0 if unknown). */
    public static RequestInfo ofUnknownBody(long bodyBytes) {
        long n = Math.max(0, bodyBytes);
        return new RequestInfo(n, 0, n, -1, 1, null, false, false, false);
    }

    /**
     * UTF-8 bytes of the prompt text (messages' content, system, prompt, input, instructions, contents' text), after
     * JSON unescaping; includes {@link #toolBytes()}. For a body that was not parsed: the whole body length.
     */
    public long promptBytes() { return promptBytes; }

    /**
     * The part of {@link #promptBytes()} that is structured JSON rather than text: tool/function definitions
     * ({@code tools}, {@code functions}) and structured tool calls in the conversation (Anthropic {@code tool_use.input},
     * Gemini {@code functionCall}/{@code functionResponse}), counted as their compact JSON (whitespace between
     * tokens left out). Providers render these into the prompt, so they cost input tokens.
     */
    public long toolBytes() { return toolBytes; }

    /** Whole body length in bytes. */
    public long bodyBytes() { return bodyBytes; }

    /**
     * max_tokens / max_completion_tokens / max_output_tokens / generationConfig.maxOutputTokens (the largest named),
     * times {@link #choices()}; -1 = none named.
     */
    public long outputBound() { return outputBound; }

    /**
     * How many completions the request asks for: the largest of OpenAI {@code n} and {@code best_of} and Gemini
     * {@code generationConfig.candidateCount}; 1 if none (capped at 128). Already folded into {@link #outputBound()}.
     */
    public int choices() { return choices; }

    /** The "model" value, or null. */
    public String model() { return model; }

    /** "stream": true */
    public boolean stream() { return stream; }

    /** "stream_options": {"include_usage": true} */
    public boolean includeUsage() { return includeUsage; }

    /** True when the body was parsed as JSON (false: estimated from its length). */
    public boolean parsed() { return parsed; }

    /** How many elements the top-level {@code messages} array has (OpenAI chat, Anthropic); 0 when none. */
    public int messages() { return messages; }

    /** How many of those messages carry a {@code name} (OpenAI counts one more token for each). */
    public int names() { return names; }

    /**
     * The prompt text's tokens as counted by a real tokenizer while the body was scanned (the
     * {@code tiktoken} estimator: exactly the pieces counted in {@link #promptBytes()}, no per-message framing);
     * -1 when not counted.
     */
    public long promptTokens() { return promptTokens; }

    @Override
    public String toString() {
        // never the prompt text: sizes and flags only
        return "RequestInfo{promptBytes=" + promptBytes + ", toolBytes=" + toolBytes + ", bodyBytes=" + bodyBytes
                + ", outputBound=" + outputBound + ", choices=" + choices + ", model=" + model + ", stream=" + stream
                + ", includeUsage=" + includeUsage + ", parsed=" + parsed + ", messages=" + messages + ", names=" + names
                + ", promptTokens=" + promptTokens + '}';
    }
}
