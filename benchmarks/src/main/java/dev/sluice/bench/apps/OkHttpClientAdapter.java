package dev.sluice.bench.apps;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * OkHttp, as an application uses it: one client, a request per call, the body as a String. The dispatcher's
 * per-host limit (5 by default) is raised so that it is not the client that limits the async load.
 */
final class OkHttpClientAdapter implements LoadApp.Client {
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient client;
    private final String url;

    OkHttpClientAdapter(String url) {
        this.url = url;
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(10_000);
        d.setMaxRequestsPerHost(10_000);
        this.client = new OkHttpClient.Builder()
                .dispatcher(d)
                .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(300, TimeUnit.SECONDS)
                .build();
    }

    private Request request(String body) {
        return new Request.Builder().url(url)
                .header("authorization", "Bearer sk-bench-not-a-secret")
                .post(RequestBody.create(body, JSON))
                .build();
    }

    private static LoadApp.Answer answer(Response r) throws IOException {
        try (Response closing = r) {
            String b = closing.body() == null ? "" : closing.body().string();
            return new LoadApp.Answer(closing.code(), b,
                    LoadApp.retryAfterMs(closing.header("retry-after-ms"), closing.header("retry-after")));
        }
    }

    @Override
    public LoadApp.Answer send(String body) throws Exception {
        return answer(client.newCall(request(body)).execute());
    }

    @Override
    public void sendAsync(String body, LoadApp.Done done) {
        client.newCall(request(body)).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                done.accept(null, e);
            }

            @Override
            public void onResponse(Call call, Response response) {
                LoadApp.Answer a;
                try {
                    a = answer(response);
                } catch (IOException e) {
                    done.accept(null, e);
                    return;
                }
                done.accept(a, null);
            }
        });
    }
}
