package dev.sluice.mock;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The mock's token arithmetic. It is deliberately simple and exact, so a test can compute what the server charges,
 * and it is the same rule as the agent's {@code chars} estimator:
 *
 * <ul>
 *   <li><b>prompt tokens</b> = ceil(B / 4), where B is the sum of the UTF-8 byte lengths of the (decoded) string
 *   values that make up the prompt text, taken from the top level of the request body:
 *   <ul>
 *     <li>{@code messages[*].content}: a string, or an array of parts whose {@code text} strings count (a bare
 *     string part counts too; image and other parts count nothing);</li>
 *     <li>{@code system}: a string, or an array of blocks whose {@code text} strings count;</li>
 *     <li>{@code input} (Responses API): a string, or an array whose items are strings, or objects whose
 *     {@code content} counts as for messages, or whose own {@code text} counts;</li>
 *     <li>{@code instructions} (Responses API): a string;</li>
 *     <li>{@code prompt}: a string or an array of strings;</li>
 *     <li>{@code contents[*].parts[*].text} and {@code systemInstruction.parts[*].text} (Gemini shape).</li>
 *   </ul>
 *   Roles, model names, keys and every other field count nothing.</li>
 *   <li><b>output bound</b> = the largest of {@code max_tokens}, {@code max_completion_tokens},
 *   {@code max_output_tokens} (and {@code generationConfig.maxOutputTokens}) that the request names, or
 *   {@link #DEFAULT_OUTPUT_BOUND} (16) when it names none; negative values count as 0.</li>
 *   <li><b>output tokens</b> = min(output bound, the server's {@code completionTokens} setting, default 8). The
 *   completion text is that many four-byte words {@code "tok "}, so its UTF-8 length / 4 equals the output tokens.</li>
 * </ul>
 */
public final class TokenCount {
    /** The output bound assumed when a request names none. */
    public static final long DEFAULT_OUTPUT_BOUND = 16;

    private TokenCount() {
    }

    /** ceil(bytes / 4). */
    public static long tokensForBytes(long utf8Bytes) {
        return (utf8Bytes + 3) / 4;
    }

    /** ceil(UTF-8 bytes of the prompt text / 4). */
    public static long promptTokens(Map<String, Object> body) {
        return tokensForBytes(promptBytes(body));
    }

    /** UTF-8 bytes of the prompt text, as defined in the class comment. */
    public static long promptBytes(Map<String, Object> body) {
        long n = 0;
        Object messages = body.get("messages");
        if (messages instanceof List) {
            for (Object m : (List<?>) messages) {
                if (m instanceof Map) n += contentBytes(((Map<?, ?>) m).get("content"));
            }
        }
        n += contentBytes(body.get("system"));
        Object input = body.get("input");
        if (input instanceof String) n += utf8((String) input);
        else if (input instanceof List) {
            for (Object item : (List<?>) input) {
                if (item instanceof String) n += utf8((String) item);
                else if (item instanceof Map) {
                    Map<?, ?> im = (Map<?, ?>) item;
                    if (im.containsKey("content")) n += contentBytes(im.get("content"));
                    else if (im.get("text") instanceof String) n += utf8((String) im.get("text"));
                }
            }
        }
        if (body.get("instructions") instanceof String) n += utf8((String) body.get("instructions"));
        Object prompt = body.get("prompt");
        if (prompt instanceof String) n += utf8((String) prompt);
        else if (prompt instanceof List) {
            for (Object p : (List<?>) prompt) if (p instanceof String) n += utf8((String) p);
        }
        Object contents = body.get("contents");
        if (contents instanceof List) {
            for (Object c : (List<?>) contents) if (c instanceof Map) n += contentBytes(((Map<?, ?>) c).get("parts"));
        }
        Object si = body.get("systemInstruction");
        if (si instanceof Map) n += contentBytes(((Map<?, ?>) si).get("parts"));
        return n;
    }

    /** The largest output bound the request names, or -1 when it names none. */
    public static long namedOutputBound(Map<String, Object> body) {
        long bound = -1;
        for (String k : new String[]{"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            bound = Math.max(bound, asLong(body.get(k)));
        }
        Object gc = body.get("generationConfig");
        if (gc instanceof Map) bound = Math.max(bound, asLong(((Map<?, ?>) gc).get("maxOutputTokens")));
        return bound;
    }

    /** The output bound: the one the request names, else {@link #DEFAULT_OUTPUT_BOUND}. */
    public static long outputBound(Map<String, Object> body) {
        long b = namedOutputBound(body);
        return b < 0 ? DEFAULT_OUTPUT_BOUND : b;
    }

    /** min(output bound, completionTokens setting). */
    public static long outputTokens(long outputBound, long completionTokensSetting) {
        return Math.max(0, Math.min(outputBound, completionTokensSetting));
    }

    private static long contentBytes(Object content) {
        if (content instanceof String) return utf8((String) content);
        long n = 0;
        if (content instanceof List) {
            for (Object part : (List<?>) content) {
                if (part instanceof String) n += utf8((String) part);
                else if (part instanceof Map && ((Map<?, ?>) part).get("text") instanceof String) {
                    n += utf8((String) ((Map<?, ?>) part).get("text"));
                }
            }
        }
        return n;
    }

    private static long asLong(Object v) {
        if (v instanceof Long) return Math.max(0, (Long) v);
        if (v instanceof Double) return Math.max(0, (long) Math.ceil((Double) v));
        return -1;
    }

    static long utf8(String s) {
        // Counted without allocating for the common ASCII case.
        long n = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                n += 4;
                k++;
            } else if (Character.isSurrogate(c)) n += 1; // a lone surrogate encodes as '?'
            else n += 3;
        }
        return n;
    }

    static long utf8Checked(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
