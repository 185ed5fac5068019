package dev.sluice.it.apps;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * An ordinary application on Apache HttpClient 5: {@code mode=sync} uses the classic client
 * ({@code execute(request, handler)}, the style the docs recommend, or {@code style=response}: execute, read
 * the entity, close the response); {@code mode=async} the async client ({@code execute(SimpleHttpRequest,
 * FutureCallback)}); {@code retries=false} turns Apache's automatic retries off. Arguments and RESULT line as in
 * {@link LoadDriver}.
 */
public final class Apache5Load {
    public static void main(String[] argv) throws Exception {
        LoadDriver d = new LoadDriver(argv);
        String url = d.url();
        boolean retries = !"false".equals(d.args.get("retries"));
        if (d.mode.equals("async")) {
            var builder = HttpAsyncClients.custom()
                    .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                            .setMaxConnPerRoute(50).setMaxConnTotal(100).build());
            if (!retries) builder.disableAutomaticRetries();
            CloseableHttpAsyncClient client = builder.build();
            client.start();
            d.run(null, (i, done) -> {
                SimpleRequestBuilder rb = SimpleRequestBuilder.post(url).setBody(d.body, ContentType.APPLICATION_JSON);
                for (String[] h : SluiceProbe.credentialHeaders()) rb.setHeader(h[0], h[1]);
                SimpleHttpRequest req = rb.build();
                client.execute(req, new FutureCallback<SimpleHttpResponse>() {
                    @Override
                    public void completed(SimpleHttpResponse r) {
                        d.sawResponse(r.getCode(), header(r, "x-sluice-reason"), r.getBodyText());
                        done.accept(r.getCode(), null);
                    }

                    @Override
                    public void failed(Exception ex) {
                        done.accept(null, ex);
                    }

                    @Override
                    public void cancelled() {
                        done.accept(null, new java.util.concurrent.CancellationException());
                    }
                });
            });
            return;
        }
        boolean handlerStyle = !"response".equals(d.args.get("style"));
        var builder = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(200).setMaxConnTotal(400).build());
        if (!retries) builder.disableAutomaticRetries();
        CloseableHttpClient client = builder.build();
        d.run(i -> {
            HttpPost post = new HttpPost(url);
            for (String[] h : SluiceProbe.credentialHeaders()) post.setHeader(h[0], h[1]);
            post.setEntity(new StringEntity(d.body, ContentType.APPLICATION_JSON));
            if (handlerStyle) {
                return client.execute(post, response -> {
                    String text = EntityUtils.toString(response.getEntity());
                    d.sawResponse(response.getCode(), header(response, "x-sluice-reason"), text);
                    return response.getCode();
                });
            }
            try (var response = client.execute(post)) {
                String text = EntityUtils.toString(response.getEntity());
                d.sawResponse(response.getCode(), header(response, "x-sluice-reason"), text);
                return response.getCode();
            }
        }, null);
    }

    static String header(org.apache.hc.core5.http.HttpMessage m, String name) {
        org.apache.hc.core5.http.Header h = m.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }
}
