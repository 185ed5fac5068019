package dev.sluice.it.apps;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reactor Netty's {@code HttpClient} in {@link ChaosLoad}: each call a {@code Mono} subscribed and awaited through
 * its future; the body read whole, discarded ({@code response()}), or its first buffer taken and the rest cancelled;
 * Reactor's {@code timeout()}; the subscription cancelled at once (while waiting for admission) or a little later
 * (in flight; the interrupt of a blocking client becomes such a cancel here). The priority header is set on the
 * client, where Reactor Netty's configuration carries it before the call is admitted.
 */
public final class ChaosReactorNetty implements ChaosLoad.Family {
    private final HttpClient client = HttpClient.create().responseTimeout(Duration.ofSeconds(30));

    @Override
    public String call(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        HttpClient c = client.headers(h -> {
            for (String[] x : SluiceProbe.credentialHeaders()) h.set(x[0], x[1]);
            h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            if (p.chaos != null) h.set("x-mock-chaos", p.chaos);
            if (p.priority != null) h.set("X-Sluice-Priority", p.priority);
        });
        HttpClient.ResponseReceiver<?> req = c.post().uri(ctx.url).send(ByteBufFlux.fromString(Mono.just(p.body())));
        Mono<String> m;
        switch (p.action) {
            case CLOSE_UNREAD:
            case DISCONNECT:
            case ABANDON:
                m = req.response().map(r -> "closed:" + r.status().code());
                break;
            case READ_PART:
                m = req.response((r, body) -> body.take(1).then(Mono.just("closed:" + r.status().code()))).single();
                break;
            default:
                m = req.responseSingle((r, body) -> body.asString().defaultIfEmpty("")
                        .map(s -> ChaosLoad.verify(r.status().code(), s, p.stream)));
        }
        if (p.action == ChaosLoad.Action.TIMEOUT) m = m.timeout(Duration.ofMillis(p.millis));
        CompletableFuture<String> f = m.toFuture();
        switch (p.action) {
            case CANCEL_WAITING:
                f.cancel(false);
                break;
            case CANCEL_IN_FLIGHT:
            case INTERRUPT:
                ctx.timer.schedule(() -> f.cancel(false), p.millis, TimeUnit.MILLISECONDS);
                break;
            default:
                break;
        }
        return ChaosLoad.await(f);
    }
}
