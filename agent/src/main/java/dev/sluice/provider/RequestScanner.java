package dev.sluice.provider;

import java.nio.charset.StandardCharsets;

/**
 * Reads a JSON request body for estimation in one pass, without building a tree. Malformed JSON never throws: it
 * gives {@link RequestInfo#ofUnknownBody}.
 *
 * <p>What counts as prompt text (UTF-8 bytes after unescaping), for every provider's request shape at once (the
 * shapes do not collide, and OpenAI-compatible servers mix them):
 * <ul>
 * <li>OpenAI chat: {@code messages[*].content} (a string, or its parts' {@code text}), {@code name},
 *     {@code refusal}, {@code tool_calls[*].function.name/arguments}; legacy completions {@code prompt}
 *     (string, strings, or token ids: 4 bytes, about one token, per id); embeddings {@code input}.</li>
 * <li>OpenAI Responses: {@code instructions}, {@code input} (a string, or its items' {@code content} /
 *     {@code text}, a function call's {@code name}/{@code arguments}, a call output's {@code output}).</li>
 * <li>Anthropic: {@code system} (a string or its blocks' {@code text}), {@code messages[*].content} (a string or
 *     its blocks' {@code text}, a tool result's {@code content}).</li>
 * <li>Gemini: {@code contents[*].parts[*].text}, {@code systemInstruction} (also snake_case).</li>
 * <li>Structured values, as compact JSON (whitespace between tokens not counted): tool definitions
 *     ({@code tools}, legacy {@code functions}), Anthropic {@code tool_use.input}, Gemini
 *     {@code functionCall}/{@code functionResponse}. Why raw JSON: every provider renders tool schemas into the
 *     prompt (OpenAI as a TypeScript-like namespace, Anthropic as a JSON schema in a system preamble), so names,
 *     descriptions and property names all cost input tokens; JSON punctuation tokenizes densely (about 1 token per
 *     2-3 bytes), which the compact-bytes/4 count slightly overestimates - the safe side for a token bucket. Left
 *     out would undercount tool-heavy agents by thousands of tokens per call.</li>
 * </ul>
 * Not counted: roles, ids, types, images, audio, files and other base64 payloads (their token cost depends on
 * pixels or duration, not bytes; counting base64 would overestimate a hundredfold), thinking blocks.
 *
 * <p>Output bound: the largest of {@code max_tokens}, {@code max_completion_tokens}, {@code max_output_tokens},
 * {@code max_tokens_to_sample}, {@code generationConfig.maxOutputTokens}, times the choices asked for
 * ({@code n}, {@code best_of}, {@code generationConfig.candidateCount}).
 *
 * <p>Robustness: nesting deeper than {@value JsonTokenizer#MAX_DEPTH}, bad syntax or a truncated body gives an
 * unparsed result (the prompt taken as the whole body length), keeping only what was read whole before the fault
 * (model, stream flags, an output bound). Numbers that are not plain non-negative integers up to 10^15
 * ({@code 1e999}, 40-digit ints, fractions) are ignored.
 */
public final class RequestScanner {
    /** The most completions a request is believed to ask for (OpenAI caps n at 128). */
    static final int MAX_CHOICES = 128;

    private RequestScanner() {
    }

    public static RequestInfo scan(byte[] body, int offset, int length) {
        return scan(body, offset, length, (PromptTextSink) null);
    }

    /** As {@link #scan(byte[], int, int)}, showing each piece of prompt text to {@code sink} (may be null). */
    public static RequestInfo scan(byte[] body, int offset, int length, PromptTextSink sink) {
        try {
            return scanUnchecked(body, offset, length, sink);
        } catch (RuntimeException | StackOverflowError e) {
            return RequestInfo.ofUnknownBody(Math.max(0, length));
        }
    }

    /**
     * As {@link #scan(byte[], int, int)}; with {@link Estimator#TIKTOKEN} the prompt text is also counted by the
     * tokenizer ({@link RequestInfo#promptTokens()}, see {@link Tiktoken#scan}).
     */
    public static RequestInfo scan(byte[] body, int offset, int length, Estimator estimator) {
        return estimator == Estimator.TIKTOKEN ? Tiktoken.scan(body, offset, length) : scan(body, offset, length);
    }

    /** The scan without the safety net (package-private: tests check it never needs one). */
    static RequestInfo scanUnchecked(byte[] body, int offset, int length, PromptTextSink sink) {
        long len = Math.max(0, length);
        if (body == null || offset < 0 || length <= 0 || offset > body.length - length) {
            return RequestInfo.ofUnknownBody(len);
        }
        Scan s = new Scan(sink);
        int off = offset;
        int n = length;
        // a UTF-8 byte order mark is not JSON, but harmless
        if (n >= 3 && body[off] == (byte) 0xEF && body[off + 1] == (byte) 0xBB && body[off + 2] == (byte) 0xBF) {
            off += 3;
            n -= 3;
        }
        s.scanAll(body, off, n);
        boolean complete = s.finish() && s.rootIsObject;
        return s.result(len, complete);
    }

    private static final int ROOT = 1;
    private static final int MODEL = 2;
    private static final int STREAM = 3;
    private static final int STREAM_OPTIONS = 4;
    private static final int INCLUDE_USAGE = 5;
    private static final int BOUND = 6;
    private static final int CHOICES = 7;
    private static final int GENERATION_CONFIG = 8;
    /** Prompt text: a string counts, an array's elements and some object members are prompt too. */
    private static final int PROMPT = 9;
    /** The outermost structured value counted as compact JSON. */
    private static final int RAW = 10;
    /** Inside a RAW value (already counted by the outer span). */
    private static final int RAW_INNER = 11;
    /** The top-level {@code messages} array: prompt, and its elements are counted. */
    private static final int MESSAGES = 12;
    /** One element of {@code messages}: prompt, and its {@code name} is counted. */
    private static final int MESSAGE = 13;
    /** A message's {@code name}: prompt text. */
    private static final int NAME = 14;

    /** One scan's state: a strict (single document) tokenizer whose callbacks do the counting. */
    private static final class Scan extends JsonTokenizer {
        private final PromptTextSink sink;
        long textBytes;
        long rawBytes;
        long bound = -1;
        int choices = 1;
        String model;
        boolean stream;
        boolean includeUsage;
        boolean rootIsObject;
        int messages;
        int names;
        private long rawWhitespaceAtStart;
        private byte[] currentBuf;
        private long currentBase;

        Scan(PromptTextSink sink) {
            super(false);
            this.sink = sink;
        }

        void scanAll(byte[] body, int off, int n) {
            currentBuf = body;
            currentBase = consumed() - off;
            feed(body, off, n);
        }

        RequestInfo result(long bodyBytes, boolean complete) {
            long outputBound = bound < 0 ? -1 : multiply(bound, choices);
            if (!complete) {
                return new RequestInfo(bodyBytes, 0, bodyBytes, outputBound, choices, model, stream, includeUsage, false);
            }
            return new RequestInfo(textBytes + rawBytes, rawBytes, bodyBytes, outputBound, choices, model, stream,
                    includeUsage, true, messages, names, -1);
        }

        private static long multiply(long a, long b) {
            long r = a * b;
            return (a != 0 && r / a != b) || r < 0 ? Long.MAX_VALUE : r;
        }

        @Override
        int topRole() {
            return ROOT;
        }

        @Override
        int memberRole(int parent, byte[] k, int n) {
            switch (parent) {
                case ROOT:
                    return rootMember(k, n);
                case PROMPT:
                case MESSAGES:
                    return promptMember(k, n);
                case MESSAGE:
                    return n == 4 && is(k, n, "name") ? NAME : promptMember(k, n);
                case STREAM_OPTIONS:
                    return is(k, n, "include_usage") ? INCLUDE_USAGE : NONE;
                case GENERATION_CONFIG:
                    if (is(k, n, "maxOutputTokens") || is(k, n, "max_output_tokens")) return BOUND;
                    if (is(k, n, "candidateCount") || is(k, n, "candidate_count")) return CHOICES;
                    return NONE;
                case RAW:
                case RAW_INNER:
                    return RAW_INNER;
                default:
                    return NONE;
            }
        }

        private static int rootMember(byte[] k, int n) {
            switch (n) {
                case 1:
                    return is(k, n, "n") ? CHOICES : NONE;
                case 5:
                    if (is(k, n, "model")) return MODEL;
                    if (is(k, n, "input")) return PROMPT;
                    if (is(k, n, "tools")) return RAW;
                    return NONE;
                case 6:
                    if (is(k, n, "stream")) return STREAM;
                    if (is(k, n, "system") || is(k, n, "prompt")) return PROMPT;
                    return NONE;
                case 7:
                    return is(k, n, "best_of") ? CHOICES : NONE;
                case 8:
                    if (is(k, n, "messages")) return MESSAGES;
                    if (is(k, n, "contents")) return PROMPT;
                    return NONE;
                case 9:
                    if (is(k, n, "functions")) return RAW;
                    return NONE;
                case 10:
                    return is(k, n, "max_tokens") ? BOUND : NONE;
                case 12:
                    return is(k, n, "instructions") ? PROMPT : NONE;
                case 14:
                    return is(k, n, "stream_options") ? STREAM_OPTIONS : NONE;
                case 16:
                    if (is(k, n, "generationConfig")) return GENERATION_CONFIG;
                    return NONE;
                case 17:
                    if (is(k, n, "systemInstruction") || is(k, n, "generation_config")) {
                        return k[0] == 's' ? PROMPT : GENERATION_CONFIG;
                    }
                    if (is(k, n, "max_output_tokens")) return BOUND;
                    return NONE;
                case 18:
                    return is(k, n, "system_instruction") ? PROMPT : NONE;
                case 20:
                    return is(k, n, "max_tokens_to_sample") ? BOUND : NONE;
                case 21:
                    return is(k, n, "max_completion_tokens") ? BOUND : NONE;
                default:
                    return NONE;
            }
        }

        /** Members of an object inside prompt text (a message, a part/block, an input item, a tool call). */
        private static int promptMember(byte[] k, int n) {
            switch (n) {
                case 4:
                    if (is(k, n, "text") || is(k, n, "name")) return PROMPT;
                    return NONE;
                case 5:
                    if (is(k, n, "parts")) return PROMPT;
                    if (is(k, n, "input")) return RAW;
                    return NONE;
                case 6:
                    return is(k, n, "output") ? PROMPT : NONE;
                case 7:
                    if (is(k, n, "content") || is(k, n, "refusal")) return PROMPT;
                    return NONE;
                case 8:
                    return is(k, n, "function") ? PROMPT : NONE;
                case 9:
                    return is(k, n, "arguments") ? PROMPT : NONE;
                case 10:
                    if (is(k, n, "tool_calls")) return PROMPT;
                    return NONE;
                case 12:
                    return is(k, n, "functionCall") ? RAW : NONE;
                case 13:
                    return is(k, n, "function_call") ? RAW : NONE;
                case 14:
                    return is(k, n, "executableCode") ? RAW : NONE;
                case 15:
                    return is(k, n, "executable_code") ? RAW : NONE;
                case 16:
                    return is(k, n, "functionResponse") ? RAW : NONE;
                case 17:
                    return is(k, n, "function_response") ? RAW : NONE;
                case 19:
                    return is(k, n, "codeExecutionResult") ? RAW : NONE;
                case 21:
                    return is(k, n, "code_execution_result") ? RAW : NONE;
                default:
                    return NONE;
            }
        }

        @Override
        int elementRole(int parent) {
            switch (parent) {
                case MESSAGES:
                    if (messages < Integer.MAX_VALUE) messages++;
                    return MESSAGE;
                case MESSAGE:
                case PROMPT:
                    return PROMPT;
                case RAW:
                case RAW_INNER:
                    return RAW_INNER;
                default:
                    return NONE;
            }
        }

        @Override
        boolean captures(int role) {
            return role == MODEL;
        }

        @Override
        void containerStart(int role, int kind, long pos) {
            if (depth() == 1 && role == ROOT) rootIsObject = kind == KIND_OBJECT;
            if (role == RAW) rawWhitespaceAtStart = whitespace();
        }

        @Override
        void containerEnd(int role, int kind, long startPos, long endPos) {
            if (role != RAW) return;
            rawBytes += (endPos - startPos) - (whitespace() - rawWhitespaceAtStart);
            if (sink != null) sink.text(currentBuf, (int) (startPos - currentBase), (int) (endPos - currentBase), false);
        }

        @Override
        void string(int role, long decodedBytes, long startPos, long endPos, byte[] buf, int startIdx, int endIdx) {
            switch (role) {
                case NAME:
                    if (names < Integer.MAX_VALUE) names++;
                    textBytes += decodedBytes;
                    if (sink != null && startIdx >= 0) sink.text(buf, startIdx, endIdx, true);
                    break;
                case MESSAGES:
                case MESSAGE:
                case PROMPT:
                    textBytes += decodedBytes;
                    if (sink != null && startIdx >= 0) sink.text(buf, startIdx, endIdx, true);
                    break;
                case RAW:
                    rawBytes += endPos - startPos;
                    if (sink != null && startIdx >= 0) sink.text(buf, startIdx, endIdx, true);
                    break;
                case MODEL:
                    model = capturedOverflow() ? null
                            : new String(captured(), 0, capturedLength(), StandardCharsets.UTF_8);
                    break;
                default:
                    break;
            }
        }

        @Override
        void number(int role, long value, long startPos, long endPos) {
            switch (role) {
                case BOUND:
                    if (value >= 0 && value > bound) bound = value;
                    break;
                case CHOICES:
                    if (value >= 1) choices = (int) Math.max(choices, Math.min(value, MAX_CHOICES));
                    break;
                case MESSAGES:
                case MESSAGE:
                case NAME:
                case PROMPT:
                    textBytes += 4; // a token id (legacy prompt or embeddings input as token arrays)
                    break;
                case RAW:
                    rawBytes += endPos - startPos;
                    break;
                default:
                    break;
            }
        }

        @Override
        void literal(int role, int literal, long startPos, long endPos) {
            switch (role) {
                case STREAM:
                    stream = literal == LIT_TRUE;
                    break;
                case INCLUDE_USAGE:
                    includeUsage = literal == LIT_TRUE;
                    break;
                case RAW:
                    rawBytes += endPos - startPos;
                    break;
                default:
                    break;
            }
        }
    }
}
