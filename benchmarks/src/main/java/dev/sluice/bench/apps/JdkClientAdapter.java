package dev.sluice.bench.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The JDK HttpClient, as an application uses it: one client, a request per call, the body as a String. */
final class JdkClientAdapter implements LoadApp.Client {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI uri;

    JdkClientAdapter(String url) {
        this.uri = URI.create(url);
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(uri)
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-bench-not-a-secret")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static LoadApp.Answer answer(HttpResponse<String> r) {
        return new LoadApp.Answer(r.statusCode(), r.body(), LoadApp.retryAfterMs(
                r.headers().firstValue("retry-after-ms").orElse(null), r.headers().firstValue("retry-after").orElse(null)));
    }

    @Override
    public LoadApp.Answer send(String body) throws Exception {
        return answer(client.send(request(body), HttpResponse.BodyHandlers.ofString()));
    }

    @Override
    public void sendAsync(String body, LoadApp.Done done) {
        client.sendAsync(request(body), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> done.accept(e == null ? answer(r) : null, e));
    }
}
