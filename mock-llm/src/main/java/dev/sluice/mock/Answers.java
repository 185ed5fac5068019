package dev.sluice.mock;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the 200 answers, in each API's shape: whole JSON bodies, or server-sent events flushed one by one. The
 * completion text is {@code "tok "} repeated, so its UTF-8 length is exactly 4 x the output tokens.
 */
final class Answers {
    static final String WORD = "tok ";
    /** Content deltas of a huge answer carry up to this many words (64 KiB). */
    static final int HUGE_PIECE_WORDS = 16 * 1024;
    private static final String HUGE_PIECE = WORD.repeat(HUGE_PIECE_WORDS);

    private Answers() {
    }

    interface PieceSink {
        void accept(int index, String piece) throws IOException;
    }

    /** The content, cut in the pieces a stream sends (one delta each); concatenated they are the whole text. */
    static void pieces(Call c, PieceSink sink) throws IOException {
        int index = 0;
        if (c.hugeBytes > 0) {
            long words = c.hugeBytes / 4;
            while (words > 0) {
                int w = (int) Math.min(HUGE_PIECE_WORDS, words);
                sink.accept(index++, w == HUGE_PIECE_WORDS ? HUGE_PIECE : HUGE_PIECE.substring(0, 4 * w));
                words -= w;
            }
            return;
        }
        long n = c.outputTokens;
        if (n <= 0) return;
        if (c.streamChunks <= 0 || c.streamChunks >= n) {
            for (long k = 0; k < n; k++) sink.accept(index++, WORD);
        } else {
            int p = c.streamChunks;
            for (int j = 0; j < p; j++) {
                long words = n / p + (j < n % p ? 1 : 0);
                sink.accept(index++, WORD.repeat((int) words));
            }
        }
    }

    static String text(Call c) {
        return WORD.repeat((int) Math.min(Integer.MAX_VALUE / 4, c.outputTokens));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Whole JSON answers

    static void json(HttpExchange ex, Call c) throws IOException {
        String[] around;
        switch (c.api) {
            case CHAT: around = chatAround(c); break;
            case RESPONSES: around = responsesAround(c); break;
            default: around = messagesAround(c); break;
        }
        ex.getResponseHeaders().set("content-type", "application/json");
        if (c.hugeBytes == 0) {
            StringBuilder b = new StringBuilder(around[0]).append(text(c)).append(around[1]);
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            c.settle();
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
            return;
        }
        ex.sendResponseHeaders(200, 0);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(around[0].getBytes(StandardCharsets.UTF_8));
            pieces(c, (i, piece) -> o.write(piece.getBytes(StandardCharsets.US_ASCII)));
            c.settle();
            o.write(around[1].getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The chat completion body before and after the content string's characters. */
    private static String[] chatAround(Call c) {
        StringBuilder a = new StringBuilder(256);
        a.append("{\"id\":\"chatcmpl-mock-").append(c.id).append("\",\"object\":\"chat.completion\",\"created\":")
                .append(c.createdEpochSeconds).append(",\"model\":");
        Json.quote(a, c.model);
        a.append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"");
        StringBuilder z = new StringBuilder(160);
        z.append("\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"").append(c.truncated ? "length" : "stop")
                .append("\"}]");
        if (!c.omitUsage) z.append(",\"usage\":").append(openAiUsage(c));
        z.append('}');
        return new String[]{a.toString(), z.toString()};
    }

    private static String[] responsesAround(Call c) {
        StringBuilder a = new StringBuilder(256);
        responseHead(a, c, "completed");
        a.append(",\"output\":[{\"type\":\"message\",\"id\":\"msg_mock_").append(c.id)
                .append("\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"");
        StringBuilder z = new StringBuilder(128);
        z.append("\",\"annotations\":[]}]}]");
        z.append(",\"usage\":").append(c.omitUsage ? "null" : responsesUsage(c)).append('}');
        return new String[]{a.toString(), z.toString()};
    }

    private static String[] messagesAround(Call c) {
        StringBuilder a = new StringBuilder(256);
        a.append("{\"id\":\"msg_mock_").append(c.id).append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.quote(a, c.model);
        a.append(",\"content\":[{\"type\":\"text\",\"text\":\"");
        StringBuilder z = new StringBuilder(128);
        z.append("\"}],\"stop_reason\":\"").append(c.truncated ? "max_tokens" : "end_turn").append("\",\"stop_sequence\":null");
        if (!c.omitUsage) {
            z.append(",\"usage\":{\"input_tokens\":").append(c.promptTokens).append(",\"output_tokens\":")
                    .append(c.outputTokens).append('}');
        }
        z.append('}');
        return new String[]{a.toString(), z.toString()};
    }

    private static void responseHead(StringBuilder a, Call c, String status) {
        a.append("{\"id\":\"resp_mock_").append(c.id).append("\",\"object\":\"response\",\"created_at\":")
                .append(c.createdEpochSeconds).append(",\"status\":\"").append(status).append("\",\"model\":");
        Json.quote(a, c.model);
    }

    static String openAiUsage(Call c) {
        return "{\"prompt_tokens\":" + c.promptTokens + ",\"completion_tokens\":" + c.outputTokens
                + ",\"total_tokens\":" + (c.promptTokens + c.outputTokens) + "}";
    }

    static String responsesUsage(Call c) {
        return "{\"input_tokens\":" + c.promptTokens + ",\"output_tokens\":" + c.outputTokens
                + ",\"total_tokens\":" + (c.promptTokens + c.outputTokens) + "}";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Streams

    /** Writes server-sent events, flushing each; after the first one it pauses if asked to. */
    static final class Sse {
        private final OutputStream out;
        private final long pauseAfterFirstMillis;
        private boolean first = true;

        Sse(OutputStream out, long pauseAfterFirstMillis) {
            this.out = out;
            this.pauseAfterFirstMillis = pauseAfterFirstMillis;
        }

        void event(String name, String data) throws IOException {
            StringBuilder b = new StringBuilder(data.length() + 48);
            if (name != null) b.append("event: ").append(name).append('\n');
            b.append("data: ").append(data).append("\n\n");
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (first) {
                first = false;
                sleep(pauseAfterFirstMillis);
            }
        }
    }

    static void stream(HttpExchange ex, Call c) throws IOException {
        ex.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("cache-control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream o = ex.getResponseBody()) {
            Sse sse = new Sse(o, c.pauseAfterFirstMillis);
            try {
                switch (c.api) {
                    case CHAT: chatStream(sse, c); break;
                    case RESPONSES: responsesStream(sse, c); break;
                    default: messagesStream(sse, c); break;
                }
            } catch (StreamCut cut) {
                // the stream ended with its in-stream error event
            }
        }
    }

    /** Thrown after the in-stream error event: the stream ends there. */
    private static final class StreamCut extends IOException {
        private static final long serialVersionUID = 1L;

        StreamCut() {
            super(null, null);
        }
    }

    /** Before content delta {@code index} (and once more after the last, as index = -1): pace, or cut with an error. */
    private static void paced(Sse sse, Call c, int index, long[] seq) throws IOException {
        if (c.streamErrorAfter >= 0 && (index == c.streamErrorAfter || index < 0)) {
            c.settle();
            if (c.onStreamError != null) c.onStreamError.run();
            switch (c.api) {
                case CHAT:
                    sse.event(null, MockLlmServer.openAiError("The server is overloaded or not ready yet.", "server_error", null));
                    break;
                case RESPONSES:
                    sse.event("error", "{\"type\":\"error\",\"sequence_number\":" + (seq[0]++)
                            + ",\"code\":\"server_error\",\"message\":\"The server is overloaded or not ready yet.\",\"param\":null}");
                    break;
                default:
                    sse.event("error", MockLlmServer.anthropicError("overloaded_error", "Overloaded"));
                    break;
            }
            throw new StreamCut();
        }
        if (index > 0) sleep(c.chunkDelayMillis);
    }

    private static void chatStream(Sse sse, Call c) throws IOException {
        String head = chunkHead(c);
        String usageNull = c.includeUsage ? ",\"usage\":null" : "";
        sse.event(null, head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}]" + usageNull + "}");
        long[] none = {0};
        pieces(c, (i, piece) -> {
            paced(sse, c, i, none);
            sse.event(null, head + "{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"},\"logprobs\":null,"
                    + "\"finish_reason\":null}]" + usageNull + "}");
        });
        paced(sse, c, -1, none);
        c.settle();
        sse.event(null, head + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\""
                + (c.truncated ? "length" : "stop") + "\"}]" + usageNull + "}");
        if (c.includeUsage) sse.event(null, head + "]" + ",\"usage\":" + openAiUsage(c) + "}");
        sse.event(null, "[DONE]");
    }

    private static String chunkHead(Call c) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"id\":\"chatcmpl-mock-").append(c.id).append("\",\"object\":\"chat.completion.chunk\",\"created\":")
                .append(c.createdEpochSeconds).append(",\"model\":");
        Json.quote(b, c.model);
        b.append(",\"system_fingerprint\":null,\"choices\":[");
        return b.toString();
    }

    private static void responsesStream(Sse sse, Call c) throws IOException {
        long[] seq = {0};
        StringBuilder created = new StringBuilder();
        created.append("{\"type\":\"response.created\",\"sequence_number\":").append(seq[0]++).append(",\"response\":");
        responseHead(created, c, "in_progress");
        created.append(",\"output\":[],\"usage\":null}}");
        sse.event("response.created", created.toString());
        String item = ",\"item_id\":\"msg_mock_" + c.id + "\",\"output_index\":0,\"content_index\":0";
        pieces(c, (i, piece) -> {
            paced(sse, c, i, seq);
            sse.event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":"
                    + (seq[0]++) + item + ",\"delta\":\"" + piece + "\"}");
        });
        paced(sse, c, -1, seq);
        c.settle();
        String text = c.hugeBytes > 0 ? null : text(c);
        if (text != null) {
            sse.event("response.output_text.done", "{\"type\":\"response.output_text.done\",\"sequence_number\":"
                    + (seq[0]++) + item + ",\"text\":\"" + text + "\"}");
        }
        StringBuilder done = new StringBuilder();
        done.append("{\"type\":\"response.completed\",\"sequence_number\":").append(seq[0]++).append(",\"response\":");
        responseHead(done, c, "completed");
        done.append(",\"output\":[{\"type\":\"message\",\"id\":\"msg_mock_").append(c.id)
                .append("\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[");
        if (text != null) done.append("{\"type\":\"output_text\",\"text\":\"").append(text).append("\",\"annotations\":[]}");
        done.append("]}],\"usage\":").append(c.omitUsage ? "null" : responsesUsage(c)).append("}}");
        sse.event("response.completed", done.toString());
    }

    private static void messagesStream(Sse sse, Call c) throws IOException {
        StringBuilder start = new StringBuilder(256);
        start.append("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock_").append(c.id)
                .append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.quote(start, c.model);
        start.append(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null");
        if (!c.omitUsage) {
            start.append(",\"usage\":{\"input_tokens\":").append(c.promptTokens).append(",\"output_tokens\":")
                    .append(Math.min(1, c.outputTokens)).append('}');
        }
        start.append("}}");
        sse.event("message_start", start.toString());
        sse.event("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        long[] none = {0};
        pieces(c, (i, piece) -> {
            paced(sse, c, i, none);
            sse.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"" + piece + "\"}}");
        });
        paced(sse, c, -1, none);
        c.settle();
        sse.event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        sse.event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
                + (c.truncated ? "max_tokens" : "end_turn") + "\",\"stop_sequence\":null}"
                + (c.omitUsage ? "" : ",\"usage\":{\"output_tokens\":" + c.outputTokens + "}") + "}");
        sse.event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static void sleep(long millis) throws IOException {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
