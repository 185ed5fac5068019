package dev.sluice.it.apps;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;

/**
 * An application on the official OpenAI Java SDK (openai-java, which sends through OkHttp), built as its README
 * says, pointed at {@code baseUrl} (…/v1). Arguments as {@link LoadLoop}, plus maxRetries (-1 = the SDK's
 * default), maxTokens, promptBytes, stream (sync only: chunks counted as events, usage as streamUsage).
 */
public final class OpenAiSdkLoad {
    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        int retries = d.intArg("maxRetries", -1);
        boolean stream = Boolean.parseBoolean(d.arg("stream", "false"));
        OpenAIOkHttpClient.Builder b = OpenAIOkHttpClient.builder()
                .apiKey(SluiceProbe.API_KEY)
                .baseUrl(d.arg("baseUrl", null));
        if (retries >= 0) b.maxRetries(retries);
        OpenAIClient client = b.build();
        ChatCompletionCreateParams.Builder pb = ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini")
                .maxCompletionTokens(d.intArg("maxTokens", 20))
                .addUserMessage(SluiceProbe.prompt(d.intArg("promptBytes", 40)));
        if (stream) pb.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        ChatCompletionCreateParams params = pb.build();

        d.run(i -> {
            if (!stream) {
                client.chat().completions().create(params);
                return 200;
            }
            try (StreamResponse<ChatCompletionChunk> chunks = client.chat().completions().createStreaming(params)) {
                chunks.stream().forEach(c -> {
                    d.add("events", 1L);
                    c.usage().ifPresent(u -> d.add("streamUsage", u.totalTokens()));
                });
            }
            return 200;
        }, i -> client.async().chat().completions().create(params).thenApply(c -> 200));
        d.print();
        client.close();
        System.exit(0);
    }
}
