package dev.sluice.it.apps;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.InputStream;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Apache HttpClient 5 in {@link ChaosLoad}. Classic: response timeouts, interrupts, requests cancelled in flight,
 * responses closed unread or half read. Async: futures cancelled while waiting for admission and in flight, response
 * timeouts.
 */
final class ChaosApache5 implements ChaosLoad.Family {
    private final boolean async;
    private final CloseableHttpClient classic;
    private final CloseableHttpAsyncClient asyncClient;

    ChaosApache5(boolean async) {
        this.async = async;
        if (async) {
            asyncClient = HttpAsyncClients.custom()
                    .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                            .setMaxConnPerRoute(100).setMaxConnTotal(200).build())
                    .build();
            asyncClient.start();
            classic = null;
        } else {
            classic = HttpClients.custom()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                            .setMaxConnPerRoute(100).setMaxConnTotal(200).build())
                    .disableAutomaticRetries()
                    .build();
            asyncClient = null;
        }
    }

    @Override
    public String call(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        return async ? callAsync(p, ctx) : callClassic(p, ctx);
    }

    private String callClassic(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        HttpPost post = new HttpPost(ctx.url);
        for (String[] h : SluiceProbe.credentialHeaders()) post.setHeader(h[0], h[1]);
        if (p.chaos != null) post.setHeader("x-mock-chaos", p.chaos);
        if (p.priority != null) post.setHeader("X-Sluice-Priority", p.priority);
        post.setEntity(new StringEntity(p.body(), ContentType.APPLICATION_JSON));
        if (p.action == ChaosLoad.Action.TIMEOUT) {
            post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(p.millis)).build());
        }
        ctx.arm(p, post::cancel);
        switch (p.action) {
            case CLOSE_UNREAD:
            case READ_PART:
            case DISCONNECT:
            case ABANDON: {
                CloseableHttpResponse r = classic.execute(post);
                try (r) {
                    if (p.action == ChaosLoad.Action.READ_PART && r.getEntity() != null) {
                        InputStream in = r.getEntity().getContent();
                        ChaosLoad.readSome(in, p.partBytes);
                    }
                }
                return "closed:" + r.getCode();
            }
            default: {
                String[] body = new String[1];
                int status = classic.execute(post, response -> {
                    body[0] = response.getEntity() == null ? null : EntityUtils.toString(response.getEntity());
                    return response.getCode();
                });
                return ChaosLoad.verify(status, body[0], p.stream);
            }
        }
    }

    private String callAsync(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        SimpleRequestBuilder b = SimpleRequestBuilder.post(ctx.url).setBody(p.body(), ContentType.APPLICATION_JSON);
        for (String[] h : SluiceProbe.credentialHeaders()) b.setHeader(h[0], h[1]);
        if (p.chaos != null) b.setHeader("x-mock-chaos", p.chaos);
        if (p.priority != null) b.setHeader("X-Sluice-Priority", p.priority);
        if (p.action == ChaosLoad.Action.TIMEOUT) {
            b.setRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(p.millis)).build());
        }
        SimpleHttpRequest req = b.build();
        Future<SimpleHttpResponse> f = asyncClient.execute(req, null);
        switch (p.action) {
            case CANCEL_WAITING:
            case INTERRUPT:
                f.cancel(true);
                break;
            case CANCEL_IN_FLIGHT:
                try {
                    SimpleHttpResponse r = f.get(p.millis, TimeUnit.MILLISECONDS);
                    return "done:" + r.getCode();
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    f.cancel(true);
                }
                break;
            default:
                break;
        }
        SimpleHttpResponse r = ChaosLoad.await(f);
        return ChaosLoad.verify(r.getCode(), r.getBodyText(), p.stream);
    }
}
