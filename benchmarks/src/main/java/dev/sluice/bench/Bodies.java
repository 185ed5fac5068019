package dev.sluice.bench;

/** Realistic OpenAI-style bodies for the parser benchmarks. */
final class Bodies {
    private Bodies() {
    }

    /** A chat.completion answer of {@code tokens} output tokens (about 4 bytes each), as OpenAI sends it. */
    static String chatCompletion(int tokens) {
        return "{\n  \"id\": \"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\n  \"object\": \"chat.completion\",\n"
                + "  \"created\": 1741570283,\n  \"model\": \"gpt-4o-2024-08-06\",\n  \"choices\": [\n    {\n"
                + "      \"index\": 0,\n      \"message\": {\n        \"role\": \"assistant\",\n"
                + "        \"content\": \"" + text(tokens) + "\",\n        \"refusal\": null,\n"
                + "        \"annotations\": []\n      },\n      \"logprobs\": null,\n      \"finish_reason\": \"stop\"\n"
                + "    }\n  ],\n  \"usage\": {\n    \"prompt_tokens\": 1117,\n    \"completion_tokens\": " + tokens + ",\n"
                + "    \"total_tokens\": " + (1117 + tokens) + ",\n    \"prompt_tokens_details\": {\n"
                + "      \"cached_tokens\": 0,\n      \"audio_tokens\": 0\n    },\n    \"completion_tokens_details\": {\n"
                + "      \"reasoning_tokens\": 0,\n      \"audio_tokens\": 0,\n      \"accepted_prediction_tokens\": 0,\n"
                + "      \"rejected_prediction_tokens\": 0\n    }\n  },\n  \"service_tier\": \"default\",\n"
                + "  \"system_fingerprint\": \"fp_fc9f1d7035\"\n}\n";
    }

    /** A chat stream with one chunk per token and the usage chunk ({@code stream_options.include_usage}). */
    static String chatStream(int tokens) {
        StringBuilder b = new StringBuilder();
        String head = "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\","
                + "\"system_fingerprint\":\"fp_fc9f1d7035\",\"choices\":[";
        b.append(head).append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        for (int i = 0; i < tokens; i++) {
            b.append(head).append("{\"index\":0,\"delta\":{\"content\":\"").append(word(i))
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        b.append(head).append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        b.append(head).append("],\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":").append(tokens)
                .append(",\"total_tokens\":").append(1117 + tokens).append(",\"prompt_tokens_details\":{\"cached_tokens\":0,"
                + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
        b.append("data: [DONE]\n\n");
        return b.toString();
    }

    /** A chat request with a system prompt, a user prompt of {@code promptBytes} bytes and an output bound. */
    static String chatRequest(int promptBytes) {
        return "{\"model\":\"gpt-4o\",\"max_completion_tokens\":1024,\"temperature\":0.2,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a careful assistant. Answer in JSON.\"},"
                + "{\"role\":\"user\",\"content\":\"" + text(promptBytes / 4) + "\"}],"
                + "\"stream\":false,\"response_format\":{\"type\":\"json_object\"}}";
    }

    private static String text(int tokens) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < tokens; i++) b.append(word(i));
        return b.toString();
    }

    private static final String[] WORDS = {" the", " quick", " model", " said", " \\\"ok\\\"", " and", " so", " on", ".\\n"};

    private static String word(int i) {
        return WORDS[i % WORDS.length];
    }
}
