package dev.sluice.it.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary application (it knows nothing of Sluice) whose JDK HttpClient runs on an executor of its own that
 * counts the tasks it is given. Makes {@code calls} calls to {@code url} and as many to {@code url2}, each with
 * {@code send(ofString)}, {@code sendAsync(ofString)} and {@code send} with a body subscriber of its own, and prints
 * the tasks per call for each: {@code RESULT a.sync=... b.sync=... a.async=... b.async=... a.own=... b.own=...}
 * (in hundredths), {@code bodies=} the calls whose body came back whole, and {@code governed=} the calls Sluice's
 * endpoint MBean {@code mock} admitted (-1 without the agent).
 */
public final class JdkHandOffs {
    public static void main(String[] args) throws Exception {
        String[] urls = {args[0], args[1]};
        int calls = Integer.parseInt(args[2]);
        AtomicLong tasks = new AtomicLong();
        ExecutorService pool = Executors.newCachedThreadPool();
        Executor counting = r -> {
            tasks.incrementAndGet();
            pool.execute(r);
        };
        HttpClient client = HttpClient.newBuilder().executor(counting).build();
        String body = JdkStreamLoad.body("openai", "gpt-4o-mini", false, false, 40, 10);
        StringBuilder out = new StringBuilder("RESULT");
        int bodies = 0;
        for (String how : new String[]{"sync", "async", "own"}) {
            for (int side = 0; side < 2; side++) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(urls[side])).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                for (int i = 0; i < 3; i++) send(client, req, how); // connections open, classes loaded
                long before = tasks.get();
                for (int i = 0; i < calls; i++) {
                    if (send(client, req, how).contains("\"usage\"")) bodies++;
                }
                out.append(side == 0 ? " a." : " b.").append(how).append('=').append(100 * (tasks.get() - before) / calls);
            }
        }
        System.out.println(out + " bodies=" + bodies + " governed=" + SluiceProbe.num("mock", "Admitted"));
        System.exit(0);
    }

    static String send(HttpClient client, HttpRequest req, String how) throws Exception {
        switch (how) {
            case "sync":
                return client.send(req, HttpResponse.BodyHandlers.ofString()).body();
            case "async":
                return client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).get().body();
            default:
                return client.send(req, info -> new Own(HttpResponse.BodySubscribers.ofString(
                        java.nio.charset.StandardCharsets.UTF_8))).body();
        }
    }

    /** A body subscriber of the application's own: the JDK does not trust it, and calls its getBody on the executor. */
    static final class Own implements HttpResponse.BodySubscriber<String> {
        private final HttpResponse.BodySubscriber<String> d;

        Own(HttpResponse.BodySubscriber<String> d) {
            this.d = d;
        }

        @Override
        public CompletionStage<String> getBody() {
            return d.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            d.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            d.onNext(items);
        }

        @Override
        public void onError(Throwable t) {
            d.onError(t);
        }

        @Override
        public void onComplete() {
            d.onComplete();
        }
    }
}
