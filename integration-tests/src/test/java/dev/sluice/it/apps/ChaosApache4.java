package dev.sluice.it.apps;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import java.io.InputStream;

/** Apache HttpClient 4.5 in {@link ChaosLoad}: socket timeouts, interrupts, aborts in flight, responses closed unread. */
final class ChaosApache4 implements ChaosLoad.Family {
    private final CloseableHttpClient client = HttpClients.custom().setMaxConnPerRoute(100).setMaxConnTotal(200)
            .disableAutomaticRetries().build();

    @Override
    public String call(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        HttpPost post = new HttpPost(ctx.url);
        for (String[] h : SluiceProbe.credentialHeaders()) post.setHeader(h[0], h[1]);
        if (p.chaos != null) post.setHeader("x-mock-chaos", p.chaos);
        if (p.priority != null) post.setHeader("X-Sluice-Priority", p.priority);
        post.setEntity(new StringEntity(p.body(), ContentType.APPLICATION_JSON));
        if (p.action == ChaosLoad.Action.TIMEOUT) post.setConfig(RequestConfig.custom().setSocketTimeout(p.millis).build());
        ctx.arm(p, post::abort);
        CloseableHttpResponse r = client.execute(post);
        try (r) {
            int status = r.getStatusLine().getStatusCode();
            switch (p.action) {
                case CLOSE_UNREAD:
                case DISCONNECT:
                case ABANDON:
                    return "closed:" + status;
                case READ_PART: {
                    if (r.getEntity() != null) {
                        InputStream in = r.getEntity().getContent();
                        ChaosLoad.readSome(in, p.partBytes);
                    }
                    return "closed:" + status;
                }
                default:
                    return ChaosLoad.verify(status, r.getEntity() == null ? null : EntityUtils.toString(r.getEntity()),
                            p.stream);
            }
        }
    }
}
