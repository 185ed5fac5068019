package dev.sluice.it.apps;

import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.retry.RetryUtils;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.web.client.RestClient;

/**
 * A Spring AI application on its OpenAI client (spring-ai-openai, Spring 6 line), built as its documentation says
 * ({@code OpenAiApi.builder()}, {@code OpenAiChatModel.builder()}), pointed at {@code baseUrl}. {@code call()} goes
 * through Spring's {@code RestClient}, here on {@code ReactorClientHttpRequestFactory} (Reactor Netty;
 * {@code factory=default} leaves Spring's own choice); {@code stream=true} uses {@code stream()}, which Spring AI
 * sends through {@code WebClient} on Reactor Netty, with the usage chunk asked for. {@code retries=0}: a
 * {@code RetryTemplate} of one attempt; otherwise Spring AI's default retry template. Arguments and RESULT line as
 * in {@link LoadLoop}.
 */
public final class SpringAiLoad {
    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        boolean stream = Boolean.parseBoolean(d.arg("stream", "false"));
        RestClient.Builder rest = RestClient.builder();
        if (!d.arg("factory", "reactor").equals("default")) rest.requestFactory(new ReactorClientHttpRequestFactory());
        OpenAiApi api = OpenAiApi.builder()
                .baseUrl(d.arg("baseUrl", null))
                .apiKey(SluiceProbe.API_KEY)
                .restClientBuilder(rest)
                .build();
        RetryTemplate retry = d.intArg("retries", -1) == 0 ? RetryTemplate.builder().maxAttempts(1).build()
                : RetryUtils.DEFAULT_RETRY_TEMPLATE;
        OpenAiChatModel model = OpenAiChatModel.builder()
                .openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model("gpt-4o-mini")
                        .maxTokens(d.intArg("maxTokens", 20)).streamUsage(stream).build())
                .retryTemplate(retry)
                .build();
        String prompt = SluiceProbe.prompt(d.intArg("promptBytes", 40));

        d.run(i -> {
            if (!stream) {
                model.call(new Prompt(prompt));
                return 200;
            }
            model.stream(new Prompt(prompt)).doOnNext(r -> count(d, r)).blockLast();
            return 200;
        }, i -> model.stream(new Prompt(prompt)).doOnNext(r -> count(d, r)).then(reactor.core.publisher.Mono.just(200))
                .toFuture());
        d.print();
        System.exit(0);
    }

    private static void count(LoadLoop d, ChatResponse r) {
        d.add("events", 1L);
        if (r.getMetadata() != null && r.getMetadata().getUsage() != null) {
            Integer total = r.getMetadata().getUsage().getTotalTokens();
            if (total != null && total > 0) d.add("streamUsage", total);
        }
    }
}
