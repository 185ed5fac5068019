package dev.sluice.it.apps;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/**
 * An ordinary application on Apache HttpClient 4.5 (classic): {@code style=handler} uses
 * {@code execute(request, ResponseHandler)}, the default reads the entity and closes the response.
 * Arguments and RESULT line as in {@link LoadDriver}.
 */
public final class Apache4Load {
    public static void main(String[] argv) throws Exception {
        LoadDriver d = new LoadDriver(argv);
        String url = d.url();
        boolean handlerStyle = "handler".equals(d.args.get("style"));
        CloseableHttpClient client = HttpClients.custom().setMaxConnPerRoute(200).setMaxConnTotal(400).build();
        d.run(i -> {
            HttpPost post = new HttpPost(url);
            for (String[] h : SluiceProbe.credentialHeaders()) post.setHeader(h[0], h[1]);
            post.setEntity(new StringEntity(d.body, ContentType.APPLICATION_JSON));
            if (handlerStyle) {
                return client.execute(post, response -> {
                    String text = EntityUtils.toString(response.getEntity());
                    d.sawResponse(response.getStatusLine().getStatusCode(), header(response, "x-sluice-reason"), text);
                    return response.getStatusLine().getStatusCode();
                });
            }
            try (CloseableHttpResponse response = client.execute(post)) {
                String text = EntityUtils.toString(response.getEntity());
                d.sawResponse(response.getStatusLine().getStatusCode(), header(response, "x-sluice-reason"), text);
                return response.getStatusLine().getStatusCode();
            }
        }, null);
    }

    static String header(org.apache.http.HttpMessage m, String name) {
        org.apache.http.Header h = m.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }
}
