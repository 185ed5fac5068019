package dev.sluice.provider;

import java.nio.ByteBuffer;

/**
 * The usage parser for every provider: a byte-driven JSON tokenizer that recognizes usage by path, behind a
 * server-sent-events line reader when the body is an event stream.
 *
 * <p>Body format: sniffed from the first significant byte ({@code {} or {@code [}: JSON, a field name or
 * {@code :}: server-sent events), so a missing or wrong content type does not matter; anything else (a gzip
 * body, HTML) makes the parser give up. JSON mode accepts any number of top-level values in a row, so a JSON
 * array of responses (Gemini {@code :streamGenerateContent} without {@code alt=sse}) and NDJSON both work.
 *
 * <p>Constant memory: no body, line or event is ever buffered. Event data streams straight into the tokenizer, so
 * a data payload of any size is read (and its usage found) with the same few hundred bytes of state: the
 * tokenizer's stack and a key buffer of {@link JsonTokenizer#CAPTURE_CAP} bytes, and an SSE field-name buffer of
 * {@link #FIELD_CAP} bytes.
 *
 * <p>Paths (per event for SSE; "top" is a top-level object, or an element of a top-level array):
 * <ul>
 * <li>{@code top.usage}, {@code top.response.usage} (Responses API events), {@code top.message.usage} (Anthropic
 *     {@code message_start}): {@code prompt_tokens|input_tokens}, {@code completion_tokens|output_tokens},
 *     {@code total_tokens}, {@code cache_creation_input_tokens}, {@code cache_read_input_tokens}.</li>
 * <li>{@code top.usageMetadata} (Gemini): {@code promptTokenCount}, {@code candidatesTokenCount},
 *     {@code totalTokenCount}, {@code thoughtsTokenCount}, {@code toolUsePromptTokenCount},
 *     {@code cachedContentTokenCount}.</li>
 * <li>{@code top.prompt_eval_count}, {@code top.eval_count} (Ollama, for generic endpoints).</li>
 * <li>Generated content (bytes): {@code choices[*].delta|message} {@code .content|.reasoning_content|.reasoning|.refusal},
 *     {@code .tool_calls[*].function.arguments}, {@code choices[*].text}; {@code top.delta} as a string (Responses
 *     {@code *.delta} events) or its {@code text|partial_json|thinking} (Anthropic {@code content_block_delta});
 *     {@code top.content[*].text}, {@code top.content_block.text}; Gemini {@code candidates[*].content.parts[*].text}.</li>
 * <li>Overload: {@code top.error.type == "overloaded_error"}, {@code top.error.code} 503 or 529,
 *     {@code top.error.status == "UNAVAILABLE"}.</li>
 * </ul>
 * Each figure is "last seen wins", which takes the final cumulative values of Anthropic {@code message_delta}
 * and Gemini chunks, and lets a {@code "usage": null} (OpenAI chunks, Responses {@code response.created}) change
 * nothing. A {@code "usage"} inside a string (message content) is never a key, and one nested deeper than the
 * paths above is not looked at.
 */
final class ResponseUsageParser extends UsageParser {
    static final int FIELD_CAP = 8;

    private static final int MODE_SNIFF = 0;
    private static final int MODE_JSON = 1;
    private static final int MODE_SSE = 2;
    private static final int MODE_OFF = 3;

    private static final int L_FIELD = 0;
    private static final int L_DATA_SPACE = 1;
    private static final int L_DATA = 2;
    private static final int L_SKIP = 3;

    private static final int SCRATCH = 8192;

    private final ProviderKind provider;
    private final String contentType;
    private final Json json = new Json();
    private int mode = MODE_SNIFF;
    private boolean gaveUp;
    /** An internal fault that made the parser give up (package-private, for tests: a bug, not bad input). */
    Throwable fault;

    // server-sent events
    private int line = L_FIELD;
    private final byte[] field = new byte[FIELD_CAP];
    private int fieldLen;
    private int fieldHighWater;
    private boolean afterCR;
    private boolean eventHasData;

    private byte[] scratch;

    // what was seen
    private long input = -1;
    private long output = -1;
    private long total = -1;
    private long cacheRead = -1;
    private long cacheCreation = -1;
    private long thoughts = -1;
    private long toolPrompt = -1;
    private long content;
    private boolean overloaded;

    ResponseUsageParser(ProviderKind provider, String contentType) {
        this.provider = provider == null ? ProviderKind.GENERIC : provider;
        this.contentType = contentType;
    }

    // ---- feeding ------------------------------------------------------------------------------------------

    @Override
    public void feed(ByteBuffer chunk) {
        if (chunk == null || mode == MODE_OFF) return;
        try {
            int pos = chunk.position();
            int lim = chunk.limit();
            if (chunk.hasArray()) {
                feedSafely(chunk.array(), chunk.arrayOffset() + pos, lim - pos);
                return;
            }
            byte[] buf = scratchFor(lim - pos);
            while (pos < lim && mode != MODE_OFF) {
                int n = Math.min(buf.length, lim - pos);
                chunk.get(pos, buf, 0, n); // absolute: position and limit stay as they are
                feedSafely(buf, 0, n);
                pos += n;
            }
        } catch (Throwable t) {
            fault = t;
            giveUp();
        }
    }

    @Override
    public void feed(byte[] b, int off, int len) {
        if (b == null || mode == MODE_OFF) return;
        if (off < 0 || len <= 0 || off > b.length - len) return;
        feedSafely(b, off, len);
    }

    /**
     * The copy buffer for a chunk without an array (the JDK client's read-only and direct buffers): as large as the
     * chunk, up to {@link #SCRATCH}. An answer of a few hundred bytes in one chunk was given 8 KiB, allocated and
     * zeroed per call, which showed in a profile of a loopback load run.
     */
    private byte[] scratchFor(int need) {
        byte[] s = scratch;
        if (s == null || (s.length < need && s.length < SCRATCH)) {
            s = new byte[Math.min(SCRATCH, Math.max(need, 512))];
            scratch = s;
        }
        return s;
    }

    private void feedSafely(byte[] b, int off, int len) {
        try {
            feedRange(b, off, off + len);
        } catch (Throwable t) {
            fault = t;
            giveUp();
        }
    }

    private void giveUp() {
        gaveUp = true;
        mode = MODE_OFF;
    }

    private void feedRange(byte[] b, int i, int end) {
        if (mode == MODE_SNIFF) {
            while (i < end) {
                byte c = b[i];
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t'
                        || c == (byte) 0xEF || c == (byte) 0xBB || c == (byte) 0xBF) {
                    i++;
                    continue;
                }
                if (c == '{' || c == '[') {
                    mode = MODE_JSON;
                } else if (c == ':' || (c >= 'a' && c <= 'z')) {
                    mode = MODE_SSE;
                } else {
                    giveUp();
                    return;
                }
                break;
            }
            if (i == end) return;
        }
        if (mode == MODE_JSON) {
            json.feed(b, i, end - i);
            if (json.failed()) giveUp();
        } else if (mode == MODE_SSE) {
            events(b, i, end);
        }
    }

    /** The server-sent-events line reader: lines end with CRLF, LF or CR; data lines go to the tokenizer. */
    private void events(byte[] b, int i, int end) {
        while (i < end) {
            byte c = b[i];
            if (afterCR) {
                afterCR = false;
                if (c == '\n') {
                    i++;
                    continue;
                }
            }
            switch (line) {
                case L_FIELD:
                    if (c == '\n' || c == '\r') {
                        afterCR = c == '\r';
                        if (fieldLen == 0) {
                            eventHasData = false; // blank line: the event is complete
                        } else if (isDataField()) {
                            dataLine(); // "data" with no colon: an empty data line
                        }
                        fieldLen = 0;
                    } else if (c == ':') {
                        if (isDataField()) {
                            dataLine();
                            line = L_DATA_SPACE;
                        } else {
                            line = L_SKIP; // another field, or a comment
                        }
                        fieldLen = 0;
                    } else if (fieldLen < FIELD_CAP) {
                        field[fieldLen++] = c;
                        if (fieldLen > fieldHighWater) fieldHighWater = fieldLen;
                    } else {
                        fieldLen = FIELD_CAP + 1; // too long to be "data"
                    }
                    i++;
                    break;
                case L_DATA_SPACE:
                    if (c == ' ') i++;
                    line = L_DATA;
                    break;
                case L_DATA:
                case L_SKIP: {
                    int j = i;
                    while (j < end) {
                        byte d = b[j];
                        if (d == '\n' || d == '\r') break;
                        j++;
                    }
                    if (line == L_DATA && j > i) json.feed(b, i, j - i);
                    if (j < end) {
                        afterCR = b[j] == '\r';
                        line = L_FIELD;
                        fieldLen = 0;
                        j++;
                    }
                    i = j;
                    break;
                }
                default:
                    return;
            }
        }
    }

    private boolean isDataField() {
        return fieldLen == 4 && field[0] == 'd' && field[1] == 'a' && field[2] == 't' && field[3] == 'a';
    }

    /** A data line starts: the first of its event starts a new JSON document; later ones continue it after a LF. */
    private void dataLine() {
        if (!eventHasData) {
            json.reset();
            eventHasData = true;
        } else {
            json.feedNewline();
        }
    }

    @Override
    public void end() {
        // Nothing is pending: every figure is taken when its number ends. An unterminated number at a truncated
        // end is deliberately not taken (it may be cut short).
    }

    // ---- results ------------------------------------------------------------------------------------------

    @Override
    public boolean found() {
        return input >= 0 || output >= 0 || total >= 0;
    }

    /** Input tokens that count toward the provider's limits: reported input plus cache writes (Anthropic) and tool-use prompt (Gemini). */
    @Override
    public long inputTokens() {
        if (input < 0 && cacheCreation < 0 && toolPrompt < 0) return -1;
        return Math.max(0, input) + Math.max(0, cacheCreation) + Math.max(0, toolPrompt);
    }

    /** Output tokens, including Gemini's thinking tokens (reported apart from candidates, billed as output). */
    @Override
    public long outputTokens() {
        if (output < 0 && thoughts < 0) return -1;
        return Math.max(0, output) + Math.max(0, thoughts);
    }

    @Override
    public long totalTokens() {
        if (total >= 0) return total;
        long in = inputTokens();
        long out = outputTokens();
        if (in < 0 && out < 0) return -1;
        return Math.max(0, in) + Math.max(0, out);
    }

    @Override
    public long contentBytes() {
        return content;
    }

    @Override
    public boolean overloadedInStream() {
        return overloaded;
    }

    @Override
    public long cacheReadTokens() {
        return cacheRead;
    }

    @Override
    public long cacheCreationTokens() {
        return cacheCreation;
    }

    @Override
    public boolean gaveUp() {
        return gaveUp;
    }

    /** Most bytes any internal buffer has held (package-private, for tests): never above {@link #bufferCap()}. */
    int bufferHighWater() {
        return Math.max(json.captureHighWater(), fieldHighWater);
    }

    static int bufferCap() {
        return Math.max(JsonTokenizer.CAPTURE_CAP, FIELD_CAP);
    }

    ProviderKind provider() {
        return provider;
    }

    @Override
    public String toString() {
        return "UsageParser{" + provider.label() + ", contentType=" + contentType + ", mode=" + mode
                + ", input=" + input + ", output=" + output + ", total=" + total + ", cacheRead=" + cacheRead
                + ", cacheCreation=" + cacheCreation + ", content=" + content + ", overloaded=" + overloaded
                + ", gaveUp=" + gaveUp + '}';
    }

    // ---- paths --------------------------------------------------------------------------------------------

    private static final int TOP = 1;
    private static final int USAGE = 2;
    private static final int GEMINI_USAGE = 3;
    /** An object whose "usage" member is the usage (Responses "response", Anthropic "message"). */
    private static final int USAGE_HOLDER = 4;
    private static final int CHOICES = 5;
    /** A choice, an Anthropic block or a Gemini part: its text is content. */
    private static final int CHOICE = 6;
    /** OpenAI delta/message, Anthropic delta: several members are content; as a string, content itself. */
    private static final int DELTA = 7;
    private static final int CONTENT = 8;
    private static final int TOOL_CALLS = 9;
    private static final int TOOL_CALL = 10;
    private static final int FUNCTION = 11;
    private static final int BLOCKS = 12;
    private static final int CANDIDATES = 13;
    private static final int CANDIDATE = 14;
    private static final int CANDIDATE_CONTENT = 15;
    private static final int ERROR = 16;
    private static final int ERROR_TYPE = 17;
    private static final int ERROR_CODE = 18;
    private static final int ERROR_STATUS = 19;

    private static final int F_INPUT = 30;
    private static final int F_OUTPUT = 31;
    private static final int F_TOTAL = 32;
    private static final int F_CACHE_READ = 33;
    private static final int F_CACHE_CREATION = 34;
    private static final int F_THOUGHTS = 35;
    private static final int F_TOOL_PROMPT = 36;

    private static final byte[] OVERLOADED_ERROR = ascii("overloaded_error");
    private static final byte[] UNAVAILABLE = ascii("UNAVAILABLE");
    private static final byte[] OVERLOADED = ascii("overloaded");

    private static byte[] ascii(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) s.charAt(i);
        return b;
    }

    private final class Json extends JsonTokenizer {
        Json() {
            super(true);
        }

        @Override
        int topRole() {
            return TOP;
        }

        @Override
        int elementRole(int parent) {
            switch (parent) {
                case TOP: return TOP; // a top-level array of responses
                case CHOICES: return CHOICE;
                case TOOL_CALLS: return TOOL_CALL;
                case BLOCKS: return CHOICE;
                case CANDIDATES: return CANDIDATE;
                default: return NONE;
            }
        }

        @Override
        int memberRole(int parent, byte[] k, int n) {
            switch (parent) {
                case TOP: // by length first: most keys of an answer are none of these, and fail on it
                    switch (n) {
                        case 5:
                            if (is(k, n, "usage")) return USAGE;
                            if (is(k, n, "delta")) return DELTA;
                            return is(k, n, "error") ? ERROR : NONE;
                        case 7:
                            if (is(k, n, "choices")) return CHOICES;
                            if (is(k, n, "message")) return USAGE_HOLDER;
                            return is(k, n, "content") ? BLOCKS : NONE;
                        case 8:
                            return is(k, n, "response") ? USAGE_HOLDER : NONE;
                        case 10:
                            if (is(k, n, "candidates")) return CANDIDATES;
                            return is(k, n, "eval_count") ? F_OUTPUT : NONE;
                        case 13:
                            if (is(k, n, "usageMetadata")) return GEMINI_USAGE;
                            return is(k, n, "content_block") ? CHOICE : NONE;
                        case 14:
                            return is(k, n, "usage_metadata") ? GEMINI_USAGE : NONE;
                        case 17:
                            return is(k, n, "prompt_eval_count") ? F_INPUT : NONE;
                        default:
                            return NONE;
                    }
                case USAGE:
                    switch (n) {
                        case 12:
                            if (is(k, n, "input_tokens")) return F_INPUT;
                            return is(k, n, "total_tokens") ? F_TOTAL : NONE;
                        case 13:
                            if (is(k, n, "prompt_tokens")) return F_INPUT;
                            return is(k, n, "output_tokens") ? F_OUTPUT : NONE;
                        case 17:
                            return is(k, n, "completion_tokens") ? F_OUTPUT : NONE;
                        case 23:
                            return is(k, n, "cache_read_input_tokens") ? F_CACHE_READ : NONE;
                        case 27:
                            return is(k, n, "cache_creation_input_tokens") ? F_CACHE_CREATION : NONE;
                        default:
                            return NONE;
                    }
                case GEMINI_USAGE:
                    if (is(k, n, "promptTokenCount") || is(k, n, "prompt_token_count")) return F_INPUT;
                    if (is(k, n, "candidatesTokenCount") || is(k, n, "candidates_token_count")) return F_OUTPUT;
                    if (is(k, n, "totalTokenCount") || is(k, n, "total_token_count")) return F_TOTAL;
                    if (is(k, n, "thoughtsTokenCount") || is(k, n, "thoughts_token_count")) return F_THOUGHTS;
                    if (is(k, n, "toolUsePromptTokenCount") || is(k, n, "tool_use_prompt_token_count")) {
                        return F_TOOL_PROMPT;
                    }
                    if (is(k, n, "cachedContentTokenCount") || is(k, n, "cached_content_token_count")) {
                        return F_CACHE_READ;
                    }
                    return NONE;
                case USAGE_HOLDER:
                    return is(k, n, "usage") ? USAGE : NONE;
                case CHOICE:
                    if (is(k, n, "delta") || is(k, n, "message")) return DELTA;
                    if (is(k, n, "text")) return CONTENT;
                    return NONE;
                case DELTA:
                    switch (n) {
                        case 4:
                            return is(k, n, "text") ? CONTENT : NONE;
                        case 7:
                            return is(k, n, "content") || is(k, n, "refusal") ? CONTENT : NONE;
                        case 8:
                            return is(k, n, "thinking") ? CONTENT : NONE;
                        case 9:
                            return is(k, n, "reasoning") ? CONTENT : NONE;
                        case 10:
                            return is(k, n, "tool_calls") ? TOOL_CALLS : NONE;
                        case 12:
                            return is(k, n, "partial_json") ? CONTENT : NONE;
                        case 17:
                            return is(k, n, "reasoning_content") ? CONTENT : NONE;
                        default:
                            return NONE;
                    }
                case TOOL_CALL:
                    return is(k, n, "function") ? FUNCTION : NONE;
                case FUNCTION:
                    return is(k, n, "arguments") ? CONTENT : NONE;
                case CANDIDATE:
                    return is(k, n, "content") ? CANDIDATE_CONTENT : NONE;
                case CANDIDATE_CONTENT:
                    return is(k, n, "parts") ? BLOCKS : NONE;
                case ERROR:
                    if (is(k, n, "type")) return ERROR_TYPE;
                    if (is(k, n, "code")) return ERROR_CODE;
                    if (is(k, n, "status")) return ERROR_STATUS;
                    return NONE;
                default:
                    return NONE;
            }
        }

        @Override
        boolean captures(int role) {
            return role == ERROR_TYPE || role == ERROR_CODE || role == ERROR_STATUS;
        }

        @Override
        void string(int role, long decodedBytes, long startPos, long endPos, byte[] buf, int startIdx, int endIdx) {
            switch (role) {
                case CONTENT:
                case DELTA:
                    content += decodedBytes;
                    break;
                case ERROR_TYPE:
                case ERROR_CODE:
                    if (capturedEquals(OVERLOADED_ERROR) || capturedEquals(OVERLOADED)) overloaded = true;
                    break;
                case ERROR_STATUS:
                    if (capturedEquals(UNAVAILABLE)) overloaded = true;
                    break;
                default:
                    break;
            }
        }

        @Override
        void number(int role, long value, long startPos, long endPos) {
            if (role == ERROR_CODE) {
                if (value == 503 || value == 529) overloaded = true;
                return;
            }
            if (value < 0) return;
            switch (role) {
                case F_INPUT: input = value; break;
                case F_OUTPUT: output = value; break;
                case F_TOTAL: total = value; break;
                case F_CACHE_READ: cacheRead = value; break;
                case F_CACHE_CREATION: cacheCreation = value; break;
                case F_THOUGHTS: thoughts = value; break;
                case F_TOOL_PROMPT: toolPrompt = value; break;
                default: break;
            }
        }
    }
}
