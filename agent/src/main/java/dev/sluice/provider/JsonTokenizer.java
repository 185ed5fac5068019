package dev.sluice.provider;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An incremental, push-based JSON tokenizer: bytes go in by {@link #feed} in any chunking, and the subclass is
 * told about values by role, never given a tree. Memory is constant: a container stack of {@link #MAX_DEPTH}
 * levels and a {@link #CAPTURE_CAP}-byte buffer for keys and the few string values a subclass asks to capture.
 * Strings of any length stream through without being held.
 *
 * <p>Roles: every value has an int role; 0 ({@link #NONE}) means "ignore this value and all inside it" (no key is
 * captured and no callback is made under it). The role of a top-level value is {@link #topRole()}, of an object
 * member {@link #memberRole} (from the parent's role and the key), of an array element {@link #elementRole}.
 *
 * <p>Errors (bad syntax, nesting deeper than {@link #MAX_DEPTH}) put the tokenizer in a failed state in which it
 * ignores all further input until {@link #reset()}. Nothing here throws on any input.
 */
abstract class JsonTokenizer {
    static final int MAX_DEPTH = 256;
    /** Longest key or captured string value kept; longer ones are flagged as overflowed (keys then match nothing). */
    static final int CAPTURE_CAP = 256;
    /** Capture buffer a new tokenizer holds: longer than any key looked for, and most captured values. */
    static final int INITIAL_CAPTURE = 64;
    /** Integers above this are treated as unusable (reported as -1), so no arithmetic on them can overflow. */
    static final long NUMBER_LIMIT = 1_000_000_000_000_000L;

    static final int NONE = 0;

    static final int KIND_OBJECT = 1;
    static final int KIND_ARRAY = 2;

    static final int LIT_TRUE = 1;
    static final int LIT_FALSE = 2;
    static final int LIT_NULL = 3;

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private static final int S_VALUE = 0;
    private static final int S_AFTER = 1;
    private static final int S_KEY = 2;
    private static final int S_COLON = 3;
    private static final int S_STRING = 4;
    private static final int S_ESCAPE = 5;
    private static final int S_UNICODE = 6;
    private static final int S_NUMBER = 7;
    private static final int S_LITERAL = 8;
    private static final int S_FAILED = 9;

    // number sub-states
    private static final int N_START = 0;
    private static final int N_SIGN = 1;
    private static final int N_ZERO = 2;
    private static final int N_INT = 3;
    private static final int N_DOT = 4;
    private static final int N_FRAC = 5;
    private static final int N_E = 6;
    private static final int N_ESIGN = 7;
    private static final int N_EXP = 8;

    private final boolean multipleValues;
    /** Stack levels a new tokenizer holds; it grows by doubling up to {@link #MAX_DEPTH}. */
    static final int INITIAL_DEPTH = 8;
    // Real answers nest 3 to 5 deep, requests 5 to 8 (tools' schemas deeper: the stack grows). A full-depth stack
    // (3.5 KB) zeroed twice per call was the largest single cost of a governed call in a profile of a load run.
    private byte[] kinds = new byte[INITIAL_DEPTH];
    private int[] roles = new int[INITIAL_DEPTH];
    private long[] starts = new long[INITIAL_DEPTH];
    private int depth;
    private int state;
    /** '[' or '{' was just read: the matching close is allowed next. */
    private boolean justOpened;
    private boolean sawValue;
    private int pendingRole;

    private long consumed;
    private long whitespace;

    // the string being read
    private boolean strKey;
    private int strRole;
    private long strBytes;
    private long strStartPos;
    private int strStartIdx;
    private boolean strCapture;
    private boolean highSurrogate;
    private int uniValue;
    private int uniCount;
    /** Keys and captured values; starts at the size of any key looked for, grows once to {@link #CAPTURE_CAP}. */
    private byte[] cap = new byte[INITIAL_CAPTURE];
    private int capLen;
    private boolean capOverflow;
    private int capHighWater;

    // the number being read
    private int numRole;
    private int numState;
    private long numValue;
    private boolean numUnusable;
    private long numStartPos;

    // the literal being read
    private int litRole;
    private byte[] litExpect;
    private int litPos;
    private long litStartPos;

    /**
     * @param multipleValues true: any number of top-level values may follow one another (NDJSON, concatenated
     *                       documents); false: exactly one, anything after it is an error
     */
    JsonTokenizer(boolean multipleValues) {
        this.multipleValues = multipleValues;
    }

    // ---- what a subclass says and hears -------------------------------------------------------------------

    /** Role of a top-level value. */
    abstract int topRole();

    /** Role of the member {@code key} (decoded UTF-8, {@code len} bytes) of an object whose role is {@code parent} (never NONE). */
    abstract int memberRole(int parent, byte[] key, int len);

    /** Role of an element of an array whose role is {@code parent} (never NONE). */
    abstract int elementRole(int parent);

    /** Whether string values of this role should be captured (decoded, up to {@link #CAPTURE_CAP} bytes). */
    boolean captures(int role) {
        return false;
    }

    /** An object or array of a non-NONE role starts at absolute offset {@code pos}. */
    void containerStart(int role, int kind, long pos) {
    }

    /** An object or array of a non-NONE role ended; {@code endPos} is the offset after its closing byte. */
    void containerEnd(int role, int kind, long startPos, long endPos) {
    }

    /**
     * A string value of a non-NONE role ended. {@code decodedBytes}: its UTF-8 length after unescaping.
     * {@code buf[startIdx, endIdx)} is its raw (escaped) content when it lay wholly in the current feed, else startIdx is -1.
     * Captured text, if asked for, is in {@link #captured()}.
     */
    void string(int role, long decodedBytes, long startPos, long endPos, byte[] buf, int startIdx, int endIdx) {
    }

    /** A number of a non-NONE role: its value when a non-negative integer up to {@link #NUMBER_LIMIT}, else -1. */
    void number(int role, long value, long startPos, long endPos) {
    }

    /** true, false or null of a non-NONE role. */
    void literal(int role, int literal, long startPos, long endPos) {
    }

    /** A top-level value ended. */
    void topValueEnd() {
    }

    // ---- state ---------------------------------------------------------------------------------------------

    final void reset() {
        depth = 0;
        state = S_VALUE;
        justOpened = false;
        sawValue = false;
        pendingRole = NONE;
        highSurrogate = false;
    }

    final boolean failed() {
        return state == S_FAILED;
    }

    /** Bytes fed so far (the absolute offset of the next byte). */
    final long consumed() {
        return consumed;
    }

    /** Whitespace bytes skipped between tokens so far. */
    final long whitespace() {
        return whitespace;
    }

    final int depth() {
        return depth;
    }

    /** The most bytes the capture buffer has ever held (never above {@link #CAPTURE_CAP}). */
    final int captureHighWater() {
        return capHighWater;
    }

    final byte[] captured() {
        return cap;
    }

    final int capturedLength() {
        return capLen;
    }

    final boolean capturedOverflow() {
        return capOverflow;
    }

    /** True when {@code captured()} equals {@code s} (ASCII). */
    final boolean capturedEquals(byte[] s) {
        if (capOverflow || capLen != s.length) return false;
        for (int i = 0; i < capLen; i++) {
            if (cap[i] != s[i]) return false;
        }
        return true;
    }

    /**
     * The input ended. A top-level number ends here (one inside a container is left untaken: it may be cut
     * short); returns true when one or more complete top-level values were read and nothing is left open.
     */
    final boolean finish() {
        if (state == S_NUMBER && depth == 0) endNumber(consumed);
        return state == S_AFTER && depth == 0 && sawValue;
    }

    private void fail() {
        state = S_FAILED;
    }

    // ---- the machine ---------------------------------------------------------------------------------------

    private static final byte[] NEWLINE = {'\n'};

    /** Feeds one line feed (between the data lines of one server-sent event). */
    final void feedNewline() {
        feed(NEWLINE, 0, 1);
    }

    final void feed(byte[] b, int off, int len) {
        final int end = off + len;
        final long base = consumed - off;
        int i = off;
        loop:
        while (i < end) {
            switch (state) {
                case S_STRING: {
                    int j = stringRun(b, i, end);
                    if (j > i) {
                        strBytes += j - i;
                        highSurrogate = false;
                        if (strCapture) capture(b, i, j - i);
                    }
                    if (j == end) {
                        i = j;
                        break;
                    }
                    if (b[j] == '"') {
                        endString(b, j, base + j + 1);
                    } else {
                        state = S_ESCAPE;
                    }
                    i = j + 1;
                    break;
                }
                case S_VALUE: {
                    byte c = b[i];
                    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                        i = skipWhitespace(b, i, end);
                        break;
                    }
                    if (c == ']' && justOpened) {
                        close(KIND_ARRAY, base + i + 1);
                        i++;
                        break;
                    }
                    justOpened = false;
                    int role = valueRole();
                    switch (c) {
                        case '{':
                            open(KIND_OBJECT, role, base + i);
                            i++;
                            break;
                        case '[':
                            open(KIND_ARRAY, role, base + i);
                            i++;
                            break;
                        case '"':
                            beginString(false, role, base + i, i + 1);
                            i++;
                            break;
                        case 't':
                            beginLiteral(role, TRUE, base + i);
                            break;
                        case 'f':
                            beginLiteral(role, FALSE, base + i);
                            break;
                        case 'n':
                            beginLiteral(role, NULL, base + i);
                            break;
                        default:
                            if (c >= '1' && c <= '9') {
                                i = plainInteger(b, i, end, role, base);
                            } else if (c == '-' || c == '0') {
                                numRole = role;
                                numState = N_START;
                                numValue = 0;
                                numUnusable = false;
                                numStartPos = base + i;
                                state = S_NUMBER;
                            } else {
                                fail();
                            }
                    }
                    break;
                }
                case S_AFTER: {
                    byte c = b[i];
                    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                        i = skipWhitespace(b, i, end);
                        break;
                    }
                    if (depth == 0) {
                        if (multipleValues) {
                            state = S_VALUE;
                        } else {
                            fail();
                        }
                        break;
                    }
                    int kind = kinds[depth - 1];
                    if (c == ',') {
                        state = kind == KIND_OBJECT ? S_KEY : S_VALUE;
                        justOpened = false;
                        i++;
                    } else if (c == '}' && kind == KIND_OBJECT) {
                        close(KIND_OBJECT, base + i + 1);
                        i++;
                    } else if (c == ']' && kind == KIND_ARRAY) {
                        close(KIND_ARRAY, base + i + 1);
                        i++;
                    } else {
                        fail();
                    }
                    break;
                }
                case S_KEY: {
                    byte c = b[i];
                    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                        i = skipWhitespace(b, i, end);
                    } else if (c == '"') {
                        int next = plainKey(b, i, end);
                        if (next >= 0) {
                            i = next;
                        } else {
                            beginString(true, roles[depth - 1], base + i, i + 1);
                            i++;
                        }
                    } else if (c == '}' && justOpened) {
                        close(KIND_OBJECT, base + i + 1);
                        i++;
                    } else {
                        fail();
                    }
                    break;
                }
                case S_COLON: {
                    byte c = b[i];
                    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                        i = skipWhitespace(b, i, end);
                    } else if (c == ':') {
                        state = S_VALUE;
                        justOpened = false;
                        i++;
                    } else {
                        fail();
                    }
                    break;
                }
                case S_ESCAPE: {
                    byte c = b[i];
                    byte decoded;
                    switch (c) {
                        case '"': case '\\': case '/': decoded = c; break;
                        case 'b': decoded = '\b'; break;
                        case 'f': decoded = '\f'; break;
                        case 'n': decoded = '\n'; break;
                        case 'r': decoded = '\r'; break;
                        case 't': decoded = '\t'; break;
                        case 'u':
                            uniValue = 0;
                            uniCount = 0;
                            state = S_UNICODE;
                            i++;
                            continue loop;
                        default:
                            fail();
                            continue loop;
                    }
                    strBytes++;
                    highSurrogate = false;
                    if (strCapture) captureByte(decoded);
                    state = S_STRING;
                    i++;
                    break;
                }
                case S_UNICODE: {
                    int h = hex(b[i]);
                    if (h < 0) {
                        fail();
                        break;
                    }
                    uniValue = (uniValue << 4) | h;
                    i++;
                    if (++uniCount == 4) {
                        unicodeEscape(uniValue);
                        state = S_STRING;
                    }
                    break;
                }
                case S_NUMBER: {
                    if (numberByte(b[i])) {
                        i++;
                    } else if (state == S_NUMBER) {
                        endNumber(base + i); // the byte is not consumed: it ends the number
                    }
                    break;
                }
                case S_LITERAL: {
                    if (b[i] != litExpect[litPos]) {
                        fail();
                        break;
                    }
                    i++;
                    if (++litPos == litExpect.length) {
                        int lit = litExpect == TRUE ? LIT_TRUE : litExpect == FALSE ? LIT_FALSE : LIT_NULL;
                        if (litRole != NONE) literal(litRole, lit, litStartPos, base + i);
                        valueEnded();
                    }
                    break;
                }
                default: // S_FAILED
                    break loop;
            }
        }
        consumed += len;
    }

    private int valueRole() {
        if (depth == 0) return topRole();
        int parent = roles[depth - 1];
        if (kinds[depth - 1] == KIND_ARRAY) return parent == NONE ? NONE : elementRole(parent);
        return pendingRole;
    }

    private void open(int kind, int role, long pos) {
        if (depth == kinds.length) {
            if (depth == MAX_DEPTH) {
                fail();
                return;
            }
            grow();
        }
        kinds[depth] = (byte) kind;
        roles[depth] = role;
        starts[depth] = pos;
        depth++;
        justOpened = true;
        state = kind == KIND_OBJECT ? S_KEY : S_VALUE;
        if (role != NONE) containerStart(role, kind, pos);
    }

    private void grow() {
        int n = Math.min(MAX_DEPTH, kinds.length * 2);
        kinds = Arrays.copyOf(kinds, n);
        roles = Arrays.copyOf(roles, n);
        starts = Arrays.copyOf(starts, n);
    }

    private void close(int kind, long endPos) {
        depth--;
        justOpened = false;
        int role = roles[depth];
        if (role != NONE) containerEnd(role, kind, starts[depth], endPos);
        valueEnded();
    }

    private void valueEnded() {
        state = S_AFTER;
        if (depth == 0) {
            sawValue = true;
            topValueEnd();
        }
    }

    /**
     * Skips the run of whitespace starting at {@code i} (a whitespace byte) in one loop rather than one state-machine
     * turn per byte: in a pretty-printed answer (OpenAI's) about two thirds of the bytes between strings are
     * indentation. Returns the index after it. The whitespace test is spelled out here and in each state on purpose:
     * a shared {@code isWhitespace} helper measured 15–40% slower ({@code CpuPerOp suite=parser}, three interleaved pairs),
     * most likely by changing what C2 inlines into the large {@code feed}.
     */
    private int skipWhitespace(byte[] b, int i, int end) {
        int j = i + 1;
        while (j < end) {
            byte c = b[j];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
            j++;
        }
        whitespace += j - i;
        return j;
    }

    /**
     * A key that lies wholly in this feed and has no escape (nearly every key): its role looked up straight away, and
     * the colon after it taken too when it follows at once, without a turn of the machine per step. Returns the index
     * to go on from, or -1 to read the key the general way (escaped, or cut by the end of the feed).
     */
    private int plainKey(byte[] b, int quote, int end) {
        int j = stringRun(b, quote + 1, end);
        if (j == end || b[j] != '"') return -1;
        int len = j - quote - 1;
        int parent = roles[depth - 1];
        if (parent == NONE || !captureRoom(len)) {
            pendingRole = NONE; // under an ignored value, or too long to be any key looked for
        } else {
            System.arraycopy(b, quote + 1, cap, 0, len);
            capLen = len;
            capOverflow = false;
            if (len > capHighWater) capHighWater = len;
            pendingRole = memberRole(parent, cap, len);
        }
        int k = j + 1;
        if (k < end && b[k] == ':') {
            state = S_VALUE;
            justOpened = false;
            return k + 1;
        }
        state = S_COLON;
        return k;
    }

    /**
     * A number starting with 1-9: its digits read in one loop. When it ends in this feed as a plain integer it is
     * reported here; a fraction, an exponent or the end of the feed hands it to the byte-by-byte machine as it stands.
     */
    private int plainInteger(byte[] b, int i, int end, int role, long base) {
        long v = 0;
        boolean unusable = false;
        int j = i;
        while (j < end) {
            int d = b[j] - '0';
            if (d < 0 || d > 9) break;
            if (!unusable) {
                v = v * 10 + d;
                if (v > NUMBER_LIMIT) unusable = true;
            }
            j++;
        }
        if (j < end && b[j] != '.' && b[j] != 'e' && b[j] != 'E') {
            if (role != NONE) number(role, unusable ? -1 : v, base + i, base + j);
            valueEnded();
            return j;
        }
        numRole = role;
        numState = N_INT;
        numValue = v;
        numUnusable = unusable;
        numStartPos = base + i;
        state = S_NUMBER;
        return j;
    }

    /**
     * The index of the first '"' or '\\' in {@code b[i, end)}, or {@code end}. Eight bytes at a time (a long read
     * from the array and the "has a zero byte" bit trick on it XOR each byte sought): prompts and answers are long
     * strings, and a byte-at-a-time loop over them was a third of a governed call's own CPU in a loopback load
     * run. The lowest flagged byte is always a true match (only bytes above a match can be flagged falsely), and
     * little-endian order makes the lowest byte the first.
     */
    static int stringRun(byte[] b, int i, int end) {
        int j = i;
        for (int last = end - 8; j <= last; j += 8) {
            long w = (long) LONGS.get(b, j);
            long q = w ^ QUOTES;
            long s = w ^ BACKSLASHES;
            long found = ((q - ONES) & ~q | (s - ONES) & ~s) & HIGHS;
            if (found != 0) return j + (Long.numberOfTrailingZeros(found) >>> 3);
        }
        while (j < end) {
            byte c = b[j];
            if (c == '"' || c == '\\') break;
            j++;
        }
        return j;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

    private void beginString(boolean key, int role, long pos, int contentIdx) {
        strKey = key;
        strRole = role;
        strBytes = 0;
        strStartPos = pos;
        strStartIdx = contentIdx;
        strCapture = role != NONE && (key || captures(role));
        capLen = 0;
        capOverflow = false;
        highSurrogate = false;
        state = S_STRING;
    }

    private void endString(byte[] b, int quoteIdx, long endPos) {
        if (strKey) {
            pendingRole = strRole == NONE || capOverflow ? NONE : memberRole(strRole, cap, capLen);
            state = S_COLON;
            return;
        }
        if (strRole != NONE) {
            // during a feed, consumed is the offset of the feed's first byte: the raw span is only known if the
            // opening quote was in this feed
            int startIdx = strStartPos >= consumed ? strStartIdx : -1;
            string(strRole, strBytes, strStartPos, endPos, b, startIdx, quoteIdx);
        }
        valueEnded();
    }

    private void beginLiteral(int role, byte[] expect, long pos) {
        litRole = role;
        litExpect = expect;
        litPos = 0;
        litStartPos = pos;
        state = S_LITERAL;
    }

    /** Consumes {@code c} if it continues the number; false if it ends it (or the number is malformed: failed). */
    private boolean numberByte(byte c) {
        boolean digit = c >= '0' && c <= '9';
        switch (numState) {
            case N_START:
                if (c == '-') {
                    numUnusable = true;
                    numState = N_SIGN;
                    return true;
                }
                // fall through: first digit
            case N_SIGN:
                if (!digit) {
                    fail();
                    return false;
                }
                numState = c == '0' ? N_ZERO : N_INT;
                accumulate(c);
                return true;
            case N_ZERO:
                if (digit) {
                    fail();
                    return false;
                }
                return afterIntPart(c);
            case N_INT:
                if (digit) {
                    accumulate(c);
                    return true;
                }
                return afterIntPart(c);
            case N_DOT:
                if (!digit) {
                    fail();
                    return false;
                }
                if (c != '0') numUnusable = true;
                numState = N_FRAC;
                return true;
            case N_FRAC:
                if (digit) {
                    if (c != '0') numUnusable = true;
                    return true;
                }
                if (c == 'e' || c == 'E') {
                    numUnusable = true;
                    numState = N_E;
                    return true;
                }
                return false;
            case N_E:
                if (c == '+' || c == '-') {
                    numState = N_ESIGN;
                    return true;
                }
                // fall through
            case N_ESIGN:
                if (!digit) {
                    fail();
                    return false;
                }
                numState = N_EXP;
                return true;
            default: // N_EXP
                return digit;
        }
    }

    private boolean afterIntPart(byte c) {
        if (c == '.') {
            numState = N_DOT;
            return true;
        }
        if (c == 'e' || c == 'E') {
            numUnusable = true;
            numState = N_E;
            return true;
        }
        return false;
    }

    private void accumulate(byte c) {
        if (numUnusable) return;
        numValue = numValue * 10 + (c - '0');
        if (numValue > NUMBER_LIMIT) numUnusable = true;
    }

    private void endNumber(long endPos) {
        if (numState == N_START || numState == N_SIGN || numState == N_DOT || numState == N_E || numState == N_ESIGN) {
            fail();
            return;
        }
        if (numRole != NONE) number(numRole, numUnusable ? -1 : numValue, numStartPos, endPos);
        valueEnded();
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** One {@code \}{@code uXXXX} code unit: its UTF-8 size (a surrogate pair is 4 bytes in all) and, if captured, its bytes. */
    private void unicodeEscape(int cu) {
        boolean wasHigh = highSurrogate;
        highSurrogate = false;
        if (cu < 0x80) {
            strBytes += 1;
            if (strCapture) captureByte((byte) cu);
        } else if (cu < 0x800) {
            strBytes += 2;
            if (strCapture) {
                captureByte((byte) (0xC0 | (cu >> 6)));
                captureByte((byte) (0x80 | (cu & 0x3F)));
            }
        } else if (cu >= 0xDC00 && cu <= 0xDFFF && wasHigh) {
            strBytes += 1; // completes the pair begun by the high surrogate (3 + 1 = 4 bytes)
        } else {
            if (cu >= 0xD800 && cu <= 0xDBFF) highSurrogate = true;
            strBytes += 3;
            if (strCapture) {
                captureByte((byte) (0xE0 | (cu >> 12)));
                captureByte((byte) (0x80 | ((cu >> 6) & 0x3F)));
                captureByte((byte) (0x80 | (cu & 0x3F)));
            }
        }
    }

    /** Whether {@code n} bytes in all fit the capture buffer (grown to {@link #CAPTURE_CAP} when they need it). */
    private boolean captureRoom(int n) {
        if (n <= cap.length) return true;
        if (n > CAPTURE_CAP) return false;
        cap = Arrays.copyOf(cap, CAPTURE_CAP);
        return true;
    }

    private void capture(byte[] b, int off, int n) {
        if (capOverflow) return;
        if (n > CAPTURE_CAP - capLen || !captureRoom(capLen + n)) {
            capOverflow = true;
            return;
        }
        System.arraycopy(b, off, cap, capLen, n);
        capLen += n;
        if (capLen > capHighWater) capHighWater = capLen;
    }

    private void captureByte(byte c) {
        if (capOverflow) return;
        if (!captureRoom(capLen + 1)) {
            capOverflow = true;
            return;
        }
        cap[capLen++] = c;
        if (capLen > capHighWater) capHighWater = capLen;
    }

    /** True when {@code key[0, len)} is the ASCII string {@code s}. */
    static boolean is(byte[] key, int len, String s) {
        if (len != s.length()) return false;
        for (int i = 0; i < len; i++) {
            if (key[i] != s.charAt(i)) return false;
        }
        return true;
    }
}
