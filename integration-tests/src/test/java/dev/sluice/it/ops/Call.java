package dev.sluice.it.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One chat call the way an ordinary application makes it, through the JDK HttpClient ({@code jdk}: sendAsync,
 * no thread held) or HttpURLConnection ({@code urlconn}: a pooled thread per call). Knows nothing of Sluice; a
 * refusal is recognised by its class name and read by reflection, as an application would. The outcome is the
 * HTTP status, {@code refused:<reason>} or {@code error:<type>}.
 */
final class Call {
    private static final String BODY =
            "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    private final String client;
    private final HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "app-call");
        t.setDaemon(true);
        return t;
    });

    Call(String client) {
        this.client = client;
    }

    CompletableFuture<String> async(String url, String priority) {
        if (client.equals("jdk")) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY));
            if (!priority.equals("none")) rb.header("X-Sluice-Priority", priority);
            return jdk.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString())
                    .handle((resp, err) -> err == null ? String.valueOf(resp.statusCode()) : outcome(err));
        }
        return CompletableFuture.supplyAsync(() -> blocking(url, priority), pool);
    }

    String blocking(String url, String priority) {
        if (client.equals("jdk")) return async(url, priority).join();
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setConnectTimeout(10_000);
            c.setRequestProperty("content-type", "application/json");
            if (!priority.equals("none")) c.setRequestProperty("X-Sluice-Priority", priority);
            try (OutputStream out = c.getOutputStream()) {
                out.write(BODY.getBytes(StandardCharsets.UTF_8));
            }
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) in.readAllBytes();
            }
            return String.valueOf(status);
        } catch (Exception e) {
            return outcome(e);
        }
    }

    static String outcome(Throwable err) {
        Throwable c = err;
        while (c instanceof CompletionException && c.getCause() != null) c = c.getCause();
        if (c instanceof IOException && c.getClass().getName().equals("dev.sluice.SluiceRejectedException")) {
            try {
                Method m = c.getClass().getMethod("getReason");
                return "refused:" + m.invoke(c);
            } catch (Exception e) {
                return "refused:unknown";
            }
        }
        return "error:" + c.getClass().getSimpleName();
    }
}
