package dev.sluice.it.apps;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary application (it knows nothing of Sluice) that checks what becomes of its own request timeouts. For
 * each {@code probe=DELAY:TIMEOUT} argument, in order: a "blocker" call without a timeout starts, and DELAY ms
 * later a "probe" call with a TIMEOUT ms request timeout; both are awaited before the next probe. Run against an
 * upstream that answers slowly and an endpoint with {@code max-concurrent=1}, the probe waits in Sluice's queue
 * behind the blocker. One line per probe:
 * {@code PROBE i=N outcome=ok|refused|timeout|error elapsedMs=N reason=R type=ExceptionClass}, then
 * {@code MESSAGE i=N <the exception's message>}.
 *
 * <p>Arguments: url, client ({@code jdk-sync}, {@code jdk-async}: the JDK HttpClient's send/sendAsync with
 * {@code HttpRequest.timeout}; {@code okhttp-sync}, {@code okhttp-async}: OkHttp's execute/enqueue with
 * {@code callTimeout}; {@code apache5-sync}, {@code apache5-async}: Apache HttpClient 5 with the RequestConfig
 * response timeout), probe (repeatable).
 */
public final class TimeoutProbe {
    interface Client {
        /** Runs one call with the given timeout (0 = none); completes with the status or the failure. */
        CompletableFuture<Integer> call(String url, long timeoutMs);
    }

    public static void main(String[] argv) throws Exception {
        String url = null;
        String client = "jdk-sync";
        java.util.List<long[]> probes = new java.util.ArrayList<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            String k = s.substring(0, i);
            String v = s.substring(i + 1);
            if (k.equals("url")) url = v;
            else if (k.equals("client")) client = v;
            else if (k.equals("probe")) {
                String[] p = v.split(":");
                probes.add(new long[]{Long.parseLong(p[0]), Long.parseLong(p[1])});
            }
        }
        Client c = client(client);
        // Warm up: classes loaded, a connection open, as in a running application (an unmatched path).
        URI u = URI.create(url);
        try {
            c.call(new URI(u.getScheme(), null, u.getHost(), u.getPort(), "/", null, null).toString(), 0)
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // only a warm-up
        }
        for (int i = 0; i < probes.size(); i++) {
            long delay = probes.get(i)[0];
            long timeout = probes.get(i)[1];
            CompletableFuture<Integer> blocker = c.call(url, 0);
            Thread.sleep(delay);
            long start = System.nanoTime();
            CompletableFuture<Integer> probe = c.call(url, timeout);
            String outcome;
            String reason = "-";
            String type = "-";
            String message = "";
            try {
                int status = probe.get(60, TimeUnit.SECONDS);
                outcome = status == 200 ? "ok" : "status" + status;
            } catch (ExecutionException e) {
                Throwable t = e.getCause();
                while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
                type = t.getClass().getName();
                message = String.valueOf(t.getMessage());
                reason = sluiceReason(t);
                if (reason != null) outcome = "refused";
                else if (isTimeout(t)) outcome = "timeout";
                else outcome = "error";
                if (reason == null) reason = "-";
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000L;
            try {
                blocker.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.out.println("BLOCKER i=" + i + " failed " + e);
            }
            System.out.println("PROBE i=" + i + " outcome=" + outcome + " elapsedMs=" + elapsed + " reason=" + reason
                    + " type=" + type);
            System.out.println("MESSAGE i=" + i + " " + message);
        }
        System.out.println("RESULT probes=" + probes.size());
        System.out.flush();
        System.exit(0);
    }

    /** The client's own timeout failure, as each client reports it. */
    static boolean isTimeout(Throwable t) {
        if (t instanceof java.net.http.HttpTimeoutException) return true;
        // OkHttp's call timeout: InterruptedIOException("timeout"); read timeouts (OkHttp, Apache):
        // SocketTimeoutException, an InterruptedIOException too.
        return t instanceof java.io.InterruptedIOException;
    }

    static Client client(String name) {
        switch (name) {
            case "jdk-sync":
            case "jdk-async": {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                boolean async = name.equals("jdk-async");
                return (url, timeoutMs) -> {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(BODY));
                    if (timeoutMs > 0) b.timeout(Duration.ofMillis(timeoutMs));
                    HttpRequest req = b.build();
                    if (async) {
                        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::statusCode);
                    }
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    Thread t = new Thread(() -> {
                        try {
                            f.complete(http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
                        } catch (Throwable e) {
                            f.completeExceptionally(e);
                        }
                    });
                    t.start();
                    return f;
                };
            }
            case "okhttp-sync":
            case "okhttp-async":
                return okHttp(name.equals("okhttp-async"));
            case "apache5-sync":
                return apache5Classic();
            case "apache5-async":
                return apache5Async();
            default:
                throw new IllegalArgumentException("unknown client " + name);
        }
    }

    /** OkHttp (whichever version is on the class path): the timeout is the client's callTimeout, as SDKs set it. */
    @SuppressWarnings("deprecation") // RequestBody.create(MediaType, String): the one form 3.x, 4.x and 5.x all have
    static Client okHttp(boolean async) {
        okhttp3.OkHttpClient base = new okhttp3.OkHttpClient.Builder().build();
        okhttp3.MediaType json = okhttp3.MediaType.parse("application/json");
        return (url, timeoutMs) -> {
            okhttp3.OkHttpClient client = base.newBuilder().callTimeout(timeoutMs, TimeUnit.MILLISECONDS).build();
            okhttp3.Call call = client.newCall(new okhttp3.Request.Builder().url(url)
                    .post(okhttp3.RequestBody.create(json, BODY)).build());
            CompletableFuture<Integer> f = new CompletableFuture<>();
            if (async) {
                call.enqueue(new okhttp3.Callback() {
                    @Override
                    public void onFailure(okhttp3.Call c, IOException e) {
                        f.completeExceptionally(e);
                    }

                    @Override
                    public void onResponse(okhttp3.Call c, okhttp3.Response r) {
                        try (okhttp3.Response response = r) {
                            response.body().string();
                            f.complete(response.code());
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    }
                });
                return f;
            }
            Thread t = new Thread(() -> {
                try (okhttp3.Response r = call.execute()) {
                    r.body().string();
                    f.complete(r.code());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
            t.start();
            return f;
        };
    }

    /** Apache HttpClient 5 classic: the timeout is the request's RequestConfig response timeout. */
    static Client apache5Classic() {
        org.apache.hc.client5.http.impl.classic.CloseableHttpClient client =
                org.apache.hc.client5.http.impl.classic.HttpClients.createDefault();
        return (url, timeoutMs) -> {
            org.apache.hc.client5.http.classic.methods.HttpPost post =
                    new org.apache.hc.client5.http.classic.methods.HttpPost(url);
            post.setEntity(new org.apache.hc.core5.http.io.entity.StringEntity(BODY,
                    org.apache.hc.core5.http.ContentType.APPLICATION_JSON));
            if (timeoutMs > 0) {
                post.setConfig(org.apache.hc.client5.http.config.RequestConfig.custom()
                        .setResponseTimeout(org.apache.hc.core5.util.Timeout.ofMilliseconds(timeoutMs)).build());
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(client.execute(post, response -> {
                        org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
                        return response.getCode();
                    }));
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
            t.start();
            return f;
        };
    }

    /** Apache HttpClient 5 async: the same timeout, on a SimpleHttpRequest. */
    static Client apache5Async() {
        org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client =
                org.apache.hc.client5.http.impl.async.HttpAsyncClients.createDefault();
        client.start();
        return (url, timeoutMs) -> {
            org.apache.hc.client5.http.async.methods.SimpleHttpRequest post =
                    org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.post(url)
                            .setBody(BODY, org.apache.hc.core5.http.ContentType.APPLICATION_JSON).build();
            if (timeoutMs > 0) {
                post.setConfig(org.apache.hc.client5.http.config.RequestConfig.custom()
                        .setResponseTimeout(org.apache.hc.core5.util.Timeout.ofMilliseconds(timeoutMs)).build());
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            client.execute(post, new org.apache.hc.core5.concurrent.FutureCallback<
                    org.apache.hc.client5.http.async.methods.SimpleHttpResponse>() {
                @Override
                public void completed(org.apache.hc.client5.http.async.methods.SimpleHttpResponse r) {
                    f.complete(r.getCode());
                }

                @Override
                public void failed(Exception e) {
                    f.completeExceptionally(e);
                }

                @Override
                public void cancelled() {
                    f.cancel(false);
                }
            });
            return f;
        };
    }

    static final String BODY = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** The refusal's reason, read as an application would: by reflection, not compiled against Sluice. */
    static String sluiceReason(Throwable t) {
        if (!(t instanceof IOException) || !t.getClass().getName().equals("dev.sluice.SluiceRejectedException")) return null;
        try {
            Method m = t.getClass().getMethod("getReason");
            return String.valueOf(m.invoke(t));
        } catch (Exception e) {
            return "unknown";
        }
    }
}
