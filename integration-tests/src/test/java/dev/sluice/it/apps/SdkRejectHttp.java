package dev.sluice.it.apps;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application on openai-java or anthropic-java (it knows nothing of Sluice) that makes {@code calls} calls at
 * once, a thread each, with the SDK's retries set to {@code maxRetries}, and reports what its code sees: for every
 * failure the SDK's exception, its HTTP status and the provider error it parsed (OpenAI: type and code; Anthropic:
 * error type and message). Arguments: sdk (openai|anthropic) baseUrl calls maxRetries.
 */
public final class SdkRejectHttp {
    public static void main(String[] args) throws Exception {
        String sdk = args[0];
        String baseUrl = args[1];
        int calls = Integer.parseInt(args[2]);
        int retries = Integer.parseInt(args[3]);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ok = new AtomicInteger();
        Runnable one;
        AutoCloseable closer;
        if (sdk.equals("openai")) {
            OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(SluiceProbe.API_KEY).baseUrl(baseUrl)
                    .maxRetries(retries).build();
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                    .maxCompletionTokens(10).addUserMessage("x".repeat(40)).build();
            one = () -> {
                try {
                    client.chat().completions().create(params);
                    ok.incrementAndGet();
                } catch (OpenAIServiceException e) {
                    failures.add("class=" + e.getClass().getName() + " status=" + e.statusCode() + " type="
                            + e.type().orElse("-") + " code=" + e.code().orElse("-") + " message=" + e.getMessage());
                } catch (RuntimeException e) {
                    failures.add("class=" + e.getClass().getName() + " message=" + e.getMessage());
                }
            };
            closer = client::close;
        } else {
            AnthropicClient client = AnthropicOkHttpClient.builder().apiKey(SluiceProbe.X_API_KEY)
                    .baseUrl(baseUrl).maxRetries(retries).build();
            MessageCreateParams params = MessageCreateParams.builder().model("claude-haiku-4-5").maxTokens(10)
                    .addUserMessage("x".repeat(40)).build();
            one = () -> {
                try {
                    client.messages().create(params);
                    ok.incrementAndGet();
                } catch (AnthropicServiceException e) {
                    failures.add("class=" + e.getClass().getName() + " status=" + e.statusCode() + " type="
                            + e.errorType().map(Object::toString).orElse("-") + " code=-" + " message="
                            + e.apiMessage().orElse("-"));
                } catch (RuntimeException e) {
                    failures.add("class=" + e.getClass().getName() + " message=" + e.getMessage());
                }
            };
            closer = client::close;
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        long start = System.nanoTime();
        CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
        for (int i = 0; i < calls; i++) all[i] = CompletableFuture.runAsync(one, pool);
        CompletableFuture.allOf(all).get(120, TimeUnit.SECONDS);
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        pool.shutdownNow();
        for (String f : failures) System.out.println("FAILURE " + f);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName mbean = new ObjectName("dev.sluice:type=Endpoint,name=mock");
        System.out.println("RESULT calls=" + calls + " ok=" + ok + " failed=" + failures.size() + " wallMs=" + wallMs
                + " sluiceRejected=" + server.getAttribute(mbean, "Rejected")
                + " sluiceUpstream429=" + server.getAttribute(mbean, "Upstream429"));
        closer.close();
        System.exit(0);
    }
}
