package dev.sluice.provider;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.log.SluiceLog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The {@code tiktoken} estimator: the prompt text that {@link RequestScanner} finds, counted with OpenAI's own BPE
 * vocabulary (jtokkit, shaded into the agent as {@code dev.sluice.shaded.jtokkit}).
 *
 * <h2>What is counted</h2>
 * Exactly the pieces {@link RequestScanner} shows a {@link PromptTextSink} (and counts in
 * {@link RequestInfo#promptBytes()}): each JSON string decoded and tokenized on its own (as the provider tokenizes
 * each message's content), each structured value (tool definitions, tool-call inputs) tokenized as its compact JSON.
 * {@link PromptCounter#of(Estimator)} adds OpenAI's chat framing on top: {@value #TOKENS_PER_MESSAGE} tokens per
 * element of {@code messages} (3 of framing plus the role, one token for every role name), {@value #TOKENS_PER_NAME}
 * per message {@code name} and {@value #REPLY_PRIMING} for the assistant's reply priming (OpenAI's published counting
 * rule for the gpt-3.5-turbo, gpt-4 and gpt-4o families). That rule is exact for chat messages of text; tool
 * definitions are rendered by OpenAI into a TypeScript-like text whose count differs from that of their JSON by some
 * percent, and images, audio and files are not counted at all. The Responses API's {@code input} items and
 * Gemini's {@code contents} get no framing tokens (none is published).
 *
 * <h2>Which vocabulary</h2>
 * From the request's {@code model} ({@link #forModel}): {@code o200k_base} for gpt-4o, gpt-4.1 and later, gpt-5 and
 * later, and the o1/o3/o4 reasoning series; {@code cl100k_base} for gpt-4, gpt-3.5 and anything unknown (including
 * no model: Azure names the deployment in the URL). For other providers (Anthropic, Gemini, open models) the count is
 * an approximation: their tokenizers differ (Anthropic's counts run roughly 10-30% above cl100k on English).
 *
 * <h2>Cost</h2>
 * A vocabulary is loaded on its first use, by the first call that needs it, and kept (about a second and 12 MB
 * (cl100k_base) or 27 MB (o200k_base) of heap; the README's "Estimator accuracy" section has the measured figures).
 * Counting runs on the caller's thread at roughly 0.1-1 ms per KB of prompt (CJK is the slowest), so only the first
 * {@value #EXACT_BYTES} bytes of prompt are counted exactly and the rest is extrapolated from their tokens per byte:
 * a long prompt costs a bounded time. A fault (a vocabulary that cannot be loaded) is logged once and the byte count
 * used from then on.
 */
public final class Tiktoken {
    /** Tokens each chat message costs beyond its content: 3 of framing and 1 for the role. */
    public static final int TOKENS_PER_MESSAGE = 4;
    /** A message's {@code name} costs one token beyond its text. */
    public static final int TOKENS_PER_NAME = 1;
    /** Every chat request's reply is primed with {@code <|start|>assistant<|message|>}. */
    public static final int REPLY_PRIMING = 3;
    /** Prompt bytes counted exactly; the rest of a longer prompt is extrapolated from them (see {@link Spans#count}). */
    static final long EXACT_BYTES = 16 * 1024;

    private static volatile boolean broken;

    private Tiktoken() {
    }

    /** A BPE vocabulary. */
    public enum Vocabulary {
        CL100K_BASE, O200K_BASE;

        /** The loaded encoding (on first use; may throw if it cannot be loaded). */
        Encoding encoding() {
            return this == CL100K_BASE ? Cl100k.ENCODING : O200k.ENCODING;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    // Holders: each vocabulary is read (a few MB of resources) only when first used.
    private static final class Cl100k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    private static final class O200k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    /**
     * The vocabulary OpenAI uses for {@code model}: o200k_base for gpt-4o, gpt-4.1+, gpt-4.5, gpt-5+ (and gpt-oss),
     * the o-series (o1, o3, o4-mini ...), chatgpt-4o; cl100k_base for gpt-4, gpt-4-turbo, gpt-3.5, the
     * text-embedding-3 and ada-002 models, and anything unknown. A fine-tune ({@code ft:gpt-4o-mini:org::id}) or a
     * prefixed name ({@code openai/gpt-4o}) counts as its base model.
     */
    public static Vocabulary forModel(String model) {
        if (model == null) return Vocabulary.CL100K_BASE;
        String m = model.trim().toLowerCase(Locale.ROOT);
        if (m.startsWith("ft:")) m = m.substring(3);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) m = m.substring(slash + 1);
        if (m.startsWith("chatgpt-")) m = "gpt-" + m.substring(8);
        if (m.length() >= 2 && m.charAt(0) == 'o' && Character.isDigit(m.charAt(1))) return Vocabulary.O200K_BASE;
        if (!m.startsWith("gpt-")) return Vocabulary.CL100K_BASE;
        int i = 4;
        int major = 0;
        int digits = 0;
        while (i < m.length() && Character.isDigit(m.charAt(i)) && digits < 4) {
            major = major * 10 + (m.charAt(i++) - '0');
            digits++;
        }
        if (digits == 0) return m.startsWith("gpt-oss") ? Vocabulary.O200K_BASE : Vocabulary.CL100K_BASE;
        int minor = -1;
        if (i + 1 < m.length() && m.charAt(i) == '.' && Character.isDigit(m.charAt(i + 1))) {
            minor = m.charAt(i + 1) - '0';
            i += 2;
        }
        boolean omni = i < m.length() && m.charAt(i) == 'o';
        if (major >= 5 || omni || (major == 4 && minor >= 1)) return Vocabulary.O200K_BASE;
        return Vocabulary.CL100K_BASE;
    }

    /** Tokens of {@code text} in {@code vocabulary}, special-token text counted as ordinary text. */
    public static int count(Vocabulary vocabulary, String text) {
        if (text == null || text.isEmpty()) return 0;
        return vocabulary.encoding().countTokensOrdinary(text);
    }

    /**
     * Scans a request body ({@link RequestScanner#scan(byte[], int, int, PromptTextSink)}) and counts its prompt text
     * with the vocabulary of its model: the result's {@link RequestInfo#promptTokens()}, or -1 where the text was not
     * counted (unparsed body, prompt text over the size limit, a tokenizer fault). Never throws.
     */
    public static RequestInfo scan(byte[] body, int offset, int length) {
        Spans spans = new Spans();
        RequestInfo info = RequestScanner.scan(body, offset, length, spans);
        if (broken || !info.parsed()) return info;
        try {
            return info.withPromptTokens(spans.count(body, forModel(info.model())));
        } catch (Throwable t) {
            broken = true;
            SluiceLog.once(SluiceLog.Level.WARN, "tiktoken", "the tiktoken estimator failed (" + t.getClass().getName()
                    + "); prompts are estimated from their byte count from now on", t);
            return info;
        }
    }

    /** Where the prompt pieces are in the body (offsets only: nothing is copied while scanning). */
    static final class Spans implements PromptTextSink {
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private boolean[] strings = new boolean[16];
        private int n;

        @Override
        public void text(byte[] body, int start, int end, boolean jsonString) {
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
                strings = Arrays.copyOf(strings, n * 2);
            }
            starts[n] = start;
            ends[n] = end;
            strings[n] = jsonString;
            n++;
        }

        /**
         * The pieces' tokens: exact for the first {@value #EXACT_BYTES} bytes of prompt; beyond that the rest is
         * extrapolated from the tokens per byte of what was counted (a piece that crosses the limit is counted up to
         * it), so a long prompt costs a bounded time on the caller's thread.
         */
        long count(byte[] body, Vocabulary vocabulary) {
            Encoding enc = vocabulary.encoding();
            long tokens = 0;
            long countedBytes = 0;
            long restBytes = 0;
            for (int i = 0; i < n; i++) {
                int len = ends[i] - starts[i];
                if (countedBytes >= EXACT_BYTES) {
                    restBytes += len;
                    continue;
                }
                String text = strings[i] ? decodeJsonString(body, starts[i], ends[i]) : compactJson(body, starts[i], ends[i]);
                if (text.isEmpty()) continue;
                if (countedBytes + len <= EXACT_BYTES) {
                    tokens += enc.countTokensOrdinary(text);
                    countedBytes += len;
                    continue;
                }
                int keep = (int) Math.min(text.length(), Math.max(256, (EXACT_BYTES - countedBytes) * text.length() / len));
                if (keep < text.length() && Character.isHighSurrogate(text.charAt(keep - 1))) keep--;
                long headBytes = (long) len * keep / text.length();
                tokens += enc.countTokensOrdinary(text.substring(0, keep));
                countedBytes += headBytes;
                restBytes += len - headBytes;
            }
            if (restBytes == 0 || countedBytes == 0) return tokens;
            return tokens + (long) Math.ceil((double) restBytes * tokens / countedBytes);
        }
    }

    /** The value of a JSON string's raw content (between the quotes): escapes decoded, UTF-8 read. */
    static String decodeJsonString(byte[] b, int start, int end) {
        int bs = -1;
        for (int i = start; i < end; i++) {
            if (b[i] == '\\') {
                bs = i;
                break;
            }
        }
        if (bs < 0) return new String(b, start, end - start, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(end - start);
        int run = start;
        int i = bs;
        while (i < end) {
            if (b[i] != '\\') {
                i++;
                continue;
            }
            if (i > run) sb.append(new String(b, run, i - run, StandardCharsets.UTF_8));
            if (i + 1 >= end) {
                run = end;
                break;
            }
            byte e = b[i + 1];
            i += 2;
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'u': {
                    int v = 0;
                    int k = 0;
                    for (; k < 4 && i + k < end; k++) {
                        int d = Character.digit(b[i + k], 16);
                        if (d < 0) break;
                        v = v * 16 + d;
                    }
                    if (k == 4) {
                        sb.append((char) v); // surrogate halves pair up in the builder
                        i += 4;
                    }
                    break;
                }
                default: sb.append((char) e); break; // \" \\ \/
            }
            run = i;
        }
        if (run < end) sb.append(new String(b, run, end - run, StandardCharsets.UTF_8));
        return sb.toString();
    }

    /** A structured JSON value as compact text: whitespace outside strings left out. */
    static String compactJson(byte[] b, int start, int end) {
        byte[] out = new byte[end - start];
        int o = 0;
        boolean inString = false;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (inString) {
                out[o++] = c;
                if (c == '\\' && i + 1 < end) out[o++] = b[++i];
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
                out[o++] = c;
            } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                out[o++] = c;
            }
        }
        return new String(out, 0, o, StandardCharsets.UTF_8);
    }
}
