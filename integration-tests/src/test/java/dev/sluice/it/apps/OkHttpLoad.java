package dev.sluice.it.apps;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary OkHttp application (compiled against 4.12, run against 3.14, 4.12 or 5.x): chat-completion calls
 * with {@code Call.execute()} on a thread per call ({@code mode=sync|seq}) or {@code Call.enqueue()} from one
 * thread ({@code mode=async}); see {@link LoadLoop} for the load arguments and the RESULT line. Also:
 * url, maxTokens, promptBytes, stream (read an SSE answer event by event: adds events, firstEventMaxMs,
 * streamMinMs), closeUnread (close each response without reading its body), cancelAfterMs (cancel every call
 * that long after the last one was launched).
 */
public final class OkHttpLoad {
    @SuppressWarnings("deprecation") // RequestBody.create(MediaType, String): the one form 3.x, 4.x and 5.x all have
    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        String url = d.arg("url", null);
        boolean stream = Boolean.parseBoolean(d.arg("stream", "false"));
        boolean closeUnread = Boolean.parseBoolean(d.arg("closeUnread", "false"));
        long cancelAfterMs = Long.parseLong(d.arg("cancelAfterMs", "0"));
        String json = LoadLoop.openAiBody(d.intArg("promptBytes", 40), d.intArg("maxTokens", 20), stream);
        MediaType type = MediaType.get("application/json");

        OkHttpClient client = new OkHttpClient.Builder().readTimeout(60, TimeUnit.SECONDS).build();
        client.dispatcher().setMaxRequests(256);
        client.dispatcher().setMaxRequestsPerHost(256);
        Call[] calls = new Call[d.intArg("calls", 10)];
        AtomicLong firstEventMax = new AtomicLong();
        AtomicLong streamMin = new AtomicLong(Long.MAX_VALUE);

        java.util.function.IntFunction<Call> newCall = i -> {
            Request.Builder rb = new Request.Builder().url(url);
            for (String[] h : SluiceProbe.credentialHeaders()) rb.header(h[0], h[1]);
            Request request = rb.post(RequestBody.create(type, json)).build();
            Call c = client.newCall(request);
            if (i >= 0) calls[i] = c;
            return c;
        };
        // Reads (or not) one response and closes it; the status it had.
        ResponseReader read = (response, startedAt) -> {
            try (Response r = response) {
                if (closeUnread) return r.code();
                if (!stream) {
                    r.body().string();
                    return r.code();
                }
                BufferedSource source = r.body().source();
                long first = 0;
                String line;
                while ((line = source.readUtf8Line()) != null) {
                    if (!line.startsWith("data:")) continue;
                    if (first == 0) first = System.nanoTime();
                    d.add("events", 1L);
                }
                long end = System.nanoTime();
                if (first != 0) {
                    firstEventMax.accumulateAndGet((first - startedAt) / 1_000_000L, Math::max);
                    streamMin.accumulateAndGet((end - startedAt) / 1_000_000L, Math::min);
                }
                return r.code();
            }
        };
        if (cancelAfterMs > 0) {
            d.afterLaunch = () -> {
                try {
                    Thread.sleep(cancelAfterMs);
                    long end = System.nanoTime() + 5_000_000_000L; // sync: each thread makes its call itself
                    for (int i = 0; i < calls.length; i++) {
                        while (calls[i] == null && System.nanoTime() < end) Thread.sleep(5);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (Call c : calls) if (c != null) c.cancel();
            };
        }
        d.run(i -> {
            long t0 = System.nanoTime();
            return read.read(newCall.apply(i).execute(), t0);
        }, i -> {
            long t0 = System.nanoTime();
            CompletableFuture<Integer> f = new CompletableFuture<>();
            newCall.apply(i).enqueue(new Callback() {
                @Override
                public void onFailure(Call call, IOException e) {
                    f.completeExceptionally(e);
                }

                @Override
                public void onResponse(Call call, Response response) {
                    try {
                        f.complete(read.read(response, t0));
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                }
            });
            return f;
        });
        if (stream) {
            d.put("firstEventMaxMs", firstEventMax.get());
            d.put("streamMinMs", streamMin.get() == Long.MAX_VALUE ? -1 : streamMin.get());
        }
        d.print();
        System.exit(0);
    }

    interface ResponseReader {
        int read(Response response, long startedAt) throws IOException;
    }
}
