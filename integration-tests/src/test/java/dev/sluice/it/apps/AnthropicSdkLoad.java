package dev.sluice.it.apps;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;

/**
 * An application on the official Anthropic Java SDK (anthropic-java, which sends through OkHttp), built as its
 * README says, pointed at {@code baseUrl}. Arguments as {@link LoadLoop}, plus maxRetries (-1 = the SDK's
 * default), maxTokens, promptBytes, stream (sync only: events counted, the last usage's output tokens as
 * streamOutputTokens).
 */
public final class AnthropicSdkLoad {
    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        int retries = d.intArg("maxRetries", -1);
        boolean stream = Boolean.parseBoolean(d.arg("stream", "false"));
        AnthropicOkHttpClient.Builder b = AnthropicOkHttpClient.builder()
                .apiKey(SluiceProbe.X_API_KEY)
                .baseUrl(d.arg("baseUrl", null));
        if (retries >= 0) b.maxRetries(retries);
        AnthropicClient client = b.build();
        MessageCreateParams params = MessageCreateParams.builder()
                .model("claude-haiku-4-5")
                .maxTokens(d.intArg("maxTokens", 20))
                .addUserMessage(SluiceProbe.prompt(d.intArg("promptBytes", 40)))
                .build();

        d.run(i -> {
            if (!stream) {
                client.messages().create(params);
                return 200;
            }
            long[] output = {0};
            try (StreamResponse<RawMessageStreamEvent> events = client.messages().createStreaming(params)) {
                events.stream().forEach(e -> {
                    d.add("events", 1L);
                    e.messageDelta().ifPresent(m -> output[0] = m.usage().outputTokens());
                });
            }
            d.add("streamOutputTokens", output[0]);
            return 200;
        }, i -> client.async().messages().create(params).thenApply(m -> 200));
        d.print();
        client.close();
        System.exit(0);
    }
}
