package dev.sluice.it.apps;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * OkHttp in {@link ChaosLoad} (run against a library set with {@code ChildJvm.libs}): {@code execute()} and
 * {@code enqueue()}, {@code Call.cancel()} while waiting for admission and in flight, call timeouts, interrupts,
 * bodies closed unread or half read. An abandoned (never closed) response is an application bug OkHttp itself
 * reports as a leaked connection, so here it is closed unread instead. Only API that OkHttp 3.14, 4 and 5 share.
 */
public final class ChaosOkHttp implements ChaosLoad.Family {
    private static final MediaType JSON = MediaType.parse("application/json");
    private final OkHttpClient client;

    public ChaosOkHttp() {
        client = new OkHttpClient.Builder().readTimeout(30, TimeUnit.SECONDS).retryOnConnectionFailure(false).build();
        client.dispatcher().setMaxRequests(256);
        client.dispatcher().setMaxRequestsPerHost(256);
    }

    @Override
    public String call(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        Request.Builder rb = new Request.Builder().url(ctx.url);
        for (String[] h : SluiceProbe.credentialHeaders()) rb.header(h[0], h[1]);
        if (p.chaos != null) rb.header("x-mock-chaos", p.chaos);
        if (p.priority != null) rb.header("X-Sluice-Priority", p.priority);
        Call call = client.newCall(rb.post(RequestBody.create(JSON, p.body())).build());
        if (p.action == ChaosLoad.Action.TIMEOUT) call.timeout().timeout(p.millis, TimeUnit.MILLISECONDS);
        boolean async = p.flavour % 2 == 0 || p.action == ChaosLoad.Action.CANCEL_WAITING;
        switch (p.action) {
            case CANCEL_IN_FLIGHT:
                ctx.timer.schedule(call::cancel, p.millis, TimeUnit.MILLISECONDS);
                break;
            case INTERRUPT:
                if (!async) ctx.interruptLater(p.index, p.millis);
                break;
            default:
                break;
        }
        Response response;
        if (async) {
            CompletableFuture<Response> f = new CompletableFuture<>();
            call.enqueue(new Callback() {
                @Override
                public void onFailure(Call c, IOException e) {
                    f.completeExceptionally(e);
                }

                @Override
                public void onResponse(Call c, Response r) {
                    if (!f.complete(r)) r.close();
                }
            });
            if (p.action == ChaosLoad.Action.CANCEL_WAITING) call.cancel();
            response = ChaosLoad.await(f);
        } else {
            response = call.execute();
        }
        try (Response r = response) {
            switch (p.action) {
                case CLOSE_UNREAD:
                case DISCONNECT:
                case ABANDON:
                    return "closed:" + r.code();
                case READ_PART: {
                    InputStream in = r.body().byteStream();
                    ChaosLoad.readSome(in, p.partBytes);
                    return "closed:" + r.code();
                }
                default:
                    return ChaosLoad.verify(r.code(), r.body().string(), p.stream);
            }
        }
    }
}
