package dev.sluice.it.apps;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * An application on LangChain4j's OpenAI module (which sends through the JDK HttpClient), pointed at
 * {@code baseUrl} (…/v1). {@code mode=sync|seq}: {@code OpenAiChatModel.chat} (retries: maxRetries, -1 = the
 * library's default); {@code mode=async}: {@code OpenAiStreamingChatModel} (its handler's onCompleteResponse /
 * onError), which streams. Other arguments as {@link LoadLoop}.
 */
public final class LangChain4jLoad {
    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        String baseUrl = d.arg("baseUrl", null);
        int retries = d.intArg("maxRetries", -1);
        int maxTokens = d.intArg("maxTokens", 20);
        String prompt = SluiceProbe.prompt(d.intArg("promptBytes", 40));
        OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                .baseUrl(baseUrl).apiKey(SluiceProbe.API_KEY).modelName("gpt-4o-mini")
                .maxTokens(maxTokens).timeout(Duration.ofSeconds(60));
        if (retries >= 0) b.maxRetries(retries);
        ChatModel model = b.build();
        StreamingChatModel streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl).apiKey(SluiceProbe.API_KEY).modelName("gpt-4o-mini")
                .maxTokens(maxTokens).timeout(Duration.ofSeconds(60)).build();

        d.run(i -> {
            model.chat(prompt);
            return 200;
        }, i -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            streaming.chat(prompt, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    d.add("events", 1L);
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    f.complete(200);
                }

                @Override
                public void onError(Throwable error) {
                    f.completeExceptionally(error);
                }
            });
            return f;
        });
        d.print();
        System.exit(0);
    }
}
