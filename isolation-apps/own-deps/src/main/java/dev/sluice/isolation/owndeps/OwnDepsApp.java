package dev.sluice.isolation.owndeps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.bind.annotation.SuperCall;
import net.bytebuddy.matcher.ElementMatchers;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary application that carries, and uses, its own versions of the libraries the agent is built from or
 * instruments: Byte Buddy (it generates a subclass at run time), SLF4J 2 + logback (its own logback.xml), Jackson
 * (request and response bodies), OkHttp 5 and the JDK HttpClient (the calls). It knows nothing of Sluice.
 *
 * <p>Argument: {@code baseUrl} (…/v1) and {@code calls} per client kind (default 4). Everything it logs goes to stdout
 * through logback with the pattern {@code APP <level> <logger> - <message>}, with nothing that varies from run to
 * run, so a run with the agent can be compared line by line with one without. The calls of each kind run at once;
 * their results are logged in call order. The last line is {@code RESULT ok= failed= wallMs=}; then main returns.
 */
public class OwnDepsApp {
    private static final Logger log = LoggerFactory.getLogger(OwnDepsApp.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    /** What the generated subclass extends. */
    public static class Greeter {
        public String greet(String who) {
            return "Hello, " + who + "!";
        }
    }

    /** The generated subclass's behaviour: the super method, shouted. */
    public static class Shout {
        public static String intercept(@SuperCall Callable<String> zuper) throws Exception {
            return zuper.call().toUpperCase();
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : argv) a.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        String baseUrl = a.get("baseUrl");
        int calls = Integer.parseInt(a.getOrDefault("calls", "4"));

        log.info("logging through {}", LoggerFactory.getILoggerFactory().getClass().getName());
        for (Class<?> c : List.of(ByteBuddy.class, Logger.class, ch.qos.logback.classic.Logger.class,
                ObjectMapper.class, OkHttpClient.class)) {
            log.info("{} from {}", c.getSimpleName(), jarOf(c));
        }

        // Byte Buddy, the app's own: a subclass generated and loaded at run time.
        Class<? extends Greeter> type = new ByteBuddy()
                .subclass(Greeter.class)
                .name("dev.sluice.isolation.owndeps.GeneratedGreeter")
                .method(ElementMatchers.named("greet")).intercept(MethodDelegation.to(Shout.class))
                .make()
                .load(OwnDepsApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        Greeter g = type.getDeclaredConstructor().newInstance();
        log.info("generated {} says {}", type.getName(), g.greet("sluice"));

        long start = System.nanoTime();
        List<String> results = new ArrayList<>();
        OkHttpClient okhttp = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(60)).build();
        HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String url = baseUrl + "/chat/completions";

        List<CompletableFuture<String>> okCalls = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            Call call = okhttp.newCall(new Request.Builder().url(url).header("authorization", "Bearer sk-test")
                    .post(RequestBody.create(body(i), JSON_TYPE)).build());
            CompletableFuture<String> f = new CompletableFuture<>();
            if (i % 2 == 0) {
                new Thread(() -> {
                    try (Response r = call.execute()) {
                        f.complete(describe(r.code(), r.body().string()));
                    } catch (Throwable t) {
                        f.complete("failed " + t);
                    }
                }).start();
            } else {
                call.enqueue(new Callback() {
                    @Override
                    public void onFailure(Call c, IOException e) {
                        f.complete("failed " + e);
                    }

                    @Override
                    public void onResponse(Call c, Response r) {
                        try (r) {
                            f.complete(describe(r.code(), r.body().string()));
                        } catch (Throwable t) {
                            f.complete("failed " + t);
                        }
                    }
                });
            }
            okCalls.add(f);
        }
        for (int i = 0; i < calls; i++) results.add("okhttp " + (i % 2 == 0 ? "execute" : "enqueue") + " " + i + ": "
                + okCalls.get(i).get(120, TimeUnit.SECONDS));

        List<CompletableFuture<String>> jdkCalls = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                    .header("authorization", "Bearer sk-test").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body(i))).build();
            if (i % 2 == 0) {
                jdkCalls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        HttpResponse<String> r = jdk.send(req, HttpResponse.BodyHandlers.ofString());
                        return describe(r.statusCode(), r.body());
                    } catch (Exception e) {
                        return "failed " + e;
                    }
                }, r -> new Thread(r).start()));
            } else {
                jdkCalls.add(jdk.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                        .thenApply(r -> describe(r.statusCode(), r.body()))
                        .exceptionally(e -> "failed " + e));
            }
        }
        for (int i = 0; i < calls; i++) results.add("jdk " + (i % 2 == 0 ? "send" : "sendAsync") + " " + i + ": "
                + jdkCalls.get(i).get(120, TimeUnit.SECONDS));
        long wallMs = (System.nanoTime() - start) / 1_000_000L;

        int ok = 0;
        for (String r : results) {
            log.info(r);
            if (!r.contains("failed")) ok++;
        }
        okhttp.dispatcher().executorService().shutdown();
        okhttp.connectionPool().evictAll();
        System.out.println("RESULT ok=" + ok + " failed=" + (results.size() - ok) + " wallMs=" + wallMs);
        System.out.flush();
        // No System.exit: the JVM ends when main returns and no other non-daemon thread is left, as an ordinary
        // application expects (OkHttp's dispatcher threads are not daemons, hence the shutdown above).
    }

    /** The request body, written with Jackson. */
    static String body(int i) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("model", "gpt-4o-mini");
        req.put("max_tokens", 16);
        req.put("messages", List.of(Map.of("role", "user", "content", "call number " + i)));
        return JSON.writeValueAsString(req);
    }

    /** The response, read with Jackson. */
    static String describe(int status, String body) {
        if (status != 200) return "status " + status;
        try {
            JsonNode n = JSON.readTree(body);
            return "status 200, " + n.path("usage").path("prompt_tokens").asLong() + " prompt tokens, finish "
                    + n.path("choices").path(0).path("finish_reason").asText();
        } catch (IOException e) {
            return "failed bad json " + e.getMessage();
        }
    }

    static String jarOf(Class<?> c) {
        try {
            return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getName();
        } catch (Exception | Error e) {
            return "?";
        }
    }
}
