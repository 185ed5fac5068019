package dev.sluice.isolation.boot;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Spring Boot command-line application on the OpenAI Java SDK. It knows nothing of Sluice. Options:
 * {@code --baseUrl=http://host:port/v1 --calls=N --rate=PER_SECOND --maxRetries=N (-1 = the SDK's default)
 * --warmup=N}. It offers {@code calls} chat completions at {@code rate} per second, each on its own thread, and
 * prints one line: {@code RESULT calls= ok= status429= failed= refused= wallMs= loader=} plus {@code refused.REASON=}
 * counts, and for the first refusal a {@code REFUSAL outer=<class caught> message=<...>} line. A refusal is
 * recognised as an application would: an IOException named {@code dev.sluice.SluiceRejectedException} somewhere
 * in the cause chain, its reason read by reflection.
 */
@SpringBootApplication
public class BootOpenAiApp {
    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(BootOpenAiApp.class, args)));
    }

    @Bean
    OpenAIClient openAi(ApplicationArguments args) {
        OpenAIOkHttpClient.Builder b = OpenAIOkHttpClient.builder()
                .apiKey("sk-test-secret-do-not-log")
                .baseUrl(option(args, "baseUrl", "http://127.0.0.1:1/v1"));
        int retries = Integer.parseInt(option(args, "maxRetries", "0"));
        if (retries >= 0) b.maxRetries(retries);
        return b.build();
    }

    @Bean
    ApplicationRunner load(OpenAIClient client) {
        return args -> {
            int calls = Integer.parseInt(option(args, "calls", "10"));
            double rate = Double.parseDouble(option(args, "rate", "0"));
            int warmup = Integer.parseInt(option(args, "warmup", "0"));
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                    .model("gpt-4o-mini").maxCompletionTokens(20).addUserMessage("Say hello to Sluice.").build();

            AtomicInteger ok = new AtomicInteger();
            AtomicInteger status429 = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicLong tokens = new AtomicLong();
            Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
            String[] firstRefusal = new String[1];
            Runnable one = () -> {
                try {
                    ChatCompletion c = client.chat().completions().create(params);
                    ok.incrementAndGet();
                    c.usage().ifPresent(u -> tokens.addAndGet(u.totalTokens()));
                } catch (RateLimitException e) {
                    status429.incrementAndGet();
                } catch (RuntimeException e) {
                    Throwable s = sluiceRefusal(e);
                    if (s != null) {
                        refused.computeIfAbsent(reason(s), k -> new AtomicInteger()).incrementAndGet();
                        synchronized (firstRefusal) {
                            if (firstRefusal[0] == null) {
                                firstRefusal[0] = "REFUSAL outer=" + e.getClass().getName() + " message=" + s.getMessage();
                            }
                        }
                    } else {
                        failed.incrementAndGet();
                        errors.computeIfAbsent(e.getClass().getName() + ": " + e.getMessage(), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }
            };
            for (int i = 0; i < warmup; i++) {
                try {
                    client.chat().completions().create(params);
                } catch (RuntimeException e) {
                    // a warm-up call: loads the classes, opens a connection (and may open a breaker)
                }
            }
            ExecutorService pool = Executors.newCachedThreadPool();
            Future<?>[] all = new Future<?>[calls];
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                if (rate > 0) {
                    long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                }
                all[i] = pool.submit(one);
            }
            for (Future<?> f : all) f.get(300, TimeUnit.SECONDS);
            long wallMs = (System.nanoTime() - start) / 1_000_000L;
            pool.shutdown();

            StringBuilder sb = new StringBuilder("RESULT");
            sb.append(" calls=").append(calls).append(" ok=").append(ok).append(" status429=").append(status429)
                    .append(" failed=").append(failed)
                    .append(" refused=").append(refused.values().stream().mapToInt(AtomicInteger::get).sum())
                    .append(" wallMs=").append(wallMs).append(" usageTokens=").append(tokens)
                    .append(" loader=").append(okHttpLoader());
            new TreeMap<>(refused).forEach((k, v) -> sb.append(" refused.").append(k).append('=').append(v));
            errors.forEach((k, v) -> System.err.println("ERROR x" + v + " " + k));
            if (firstRefusal[0] != null) System.out.println(firstRefusal[0]);
            System.out.println(sb);
            System.out.flush();
        };
    }

    /** The class loader that loaded OkHttp: in the executable jar, Boot's own (nested jars). */
    static String okHttpLoader() {
        try {
            ClassLoader l = Class.forName("okhttp3.OkHttpClient").getClassLoader();
            return l == null ? "bootstrap" : l.getClass().getName();
        } catch (ClassNotFoundException e) {
            return "none";
        }
    }

    static Throwable sluiceRefusal(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t.getClass().getName().equals("dev.sluice.SluiceRejectedException")) return t;
        }
        return null;
    }

    static String reason(Throwable sluice) {
        try {
            return String.valueOf(sluice.getClass().getMethod("getReason").invoke(sluice));
        } catch (ReflectiveOperationException e) {
            return "unknown";
        }
    }

    static String option(ApplicationArguments args, String name, String dflt) {
        return args.containsOption(name) ? args.getOptionValues(name).get(0) : dflt;
    }
}
