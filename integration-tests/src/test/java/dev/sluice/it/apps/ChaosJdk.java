package dev.sluice.it.apps;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The JDK HttpClient in {@link ChaosLoad}: send and sendAsync, cancelled futures, request timeouts, bodies closed unread. */
final class ChaosJdk implements ChaosLoad.Family {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public String call(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ctx.url))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(p.body()));
        for (String[] h : SluiceProbe.credentialHeaders()) b.header(h[0], h[1]);
        if (p.chaos != null) b.header("x-mock-chaos", p.chaos);
        if (p.priority != null) b.header("X-Sluice-Priority", p.priority);
        if (p.action == ChaosLoad.Action.TIMEOUT) b.timeout(Duration.ofMillis(p.millis));
        HttpRequest req = b.build();
        boolean async = p.flavour % 2 == 0;
        switch (p.action) {
            case CANCEL_WAITING:
            case CANCEL_IN_FLIGHT: {
                CompletableFuture<HttpResponse<String>> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofString());
                if (p.action == ChaosLoad.Action.CANCEL_IN_FLIGHT) {
                    try {
                        HttpResponse<String> r = f.get(p.millis, TimeUnit.MILLISECONDS);
                        return refusal(r) != null ? refusal(r) : "done:" + r.statusCode();
                    } catch (java.util.concurrent.TimeoutException stillRunning) {
                        // cancel below
                    }
                }
                f.cancel(true);
                HttpResponse<String> r = ChaosLoad.await(f); // throws CancellationException when cancelled
                return refusal(r) != null ? refusal(r) : "done:" + r.statusCode();
            }
            case CLOSE_UNREAD:
            case READ_PART:
            case DISCONNECT:
            case ABANDON: {
                HttpResponse<InputStream> r = async
                        ? ChaosLoad.await(client.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream()))
                        : client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    if (p.action == ChaosLoad.Action.READ_PART) ChaosLoad.readSome(in, p.partBytes);
                }
                return refusal(r) != null ? refusal(r) : "closed:" + r.statusCode();
            }
            case INTERRUPT:
                ctx.interruptLater(p.index, p.millis);
                // fall through: a blocking send, interrupted some time in
            default: {
                HttpResponse<String> r = async && p.action != ChaosLoad.Action.INTERRUPT
                        ? ChaosLoad.await(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()))
                        : client.send(req, HttpResponse.BodyHandlers.ofString());
                return refusal(r) != null ? refusal(r) : ChaosLoad.verify(r.statusCode(), r.body(), p.stream);
            }
        }
    }

    /** With reject=http a refusal is an answer of Sluice's own: "refused:<reason>", else null. */
    private static String refusal(HttpResponse<?> r) {
        return r.headers().firstValue("x-sluice-reason").map(x -> "refused:" + x).orElse(null);
    }
}
