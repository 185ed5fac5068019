package dev.sluice.it.apps;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ordinary Reactor Netty application: chat-completion calls with {@code HttpClient.create()} (its default
 * connection pool), {@code mode=sync|seq} blocking on each call ({@code block()}, the refusal unwrapped with
 * Reactor's {@code Exceptions.unwrap} as a Reactor application does) or {@code mode=async} (the Mono subscribed,
 * nothing blocks); see {@link LoadLoop} for the load arguments and the RESULT line. Also: url, maxTokens,
 * promptBytes, stream (an SSE answer read as it arrives: adds events, streamUsage (the total_tokens the stream
 * reported), firstEventMaxMs, streamMinMs), timeoutMs (Reactor's {@code timeout()} on each call: the application
 * gives up on it and the subscription is cancelled, not on warm-up calls, while waiting for admission or in the middle of the body).
 */
public final class ReactorNettyLoad {
    static final Pattern TOTAL = Pattern.compile("\"total_tokens\":(\\d+)");

    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        String url = d.arg("url", null);
        boolean stream = Boolean.parseBoolean(d.arg("stream", "false"));
        String json = LoadLoop.openAiBody(d.intArg("promptBytes", 40), d.intArg("maxTokens", 20), stream);
        String chaos = d.arg("chaos", null);
        AtomicLong firstEventMax = new AtomicLong();
        AtomicLong streamMin = new AtomicLong(Long.MAX_VALUE);

        HttpClient client = HttpClient.create()
                .responseTimeout(Duration.ofSeconds(60))
                .headers(h -> {
                    for (String[] c : SluiceProbe.credentialHeaders()) h.set(c[0], c[1]);
                    h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    if (chaos != null) h.set("x-mock-chaos", chaos); // the mock misbehaves as told
                });
        long timeoutMs = d.intArg("timeoutMs", 0);
        IntFunction<Mono<Integer>> exchange = i -> {
            HttpClient.ResponseReceiver<?> req = client.post().uri(url).send(ByteBufFlux.fromString(Mono.just(json)));
            if (!stream) {
                return req.responseSingle((resp, body) -> body.asString().defaultIfEmpty("")
                        .map(s -> resp.status().code()));
            }
            long t0 = System.nanoTime();
            long[] first = {0};
            StringBuilder text = new StringBuilder();
            return req.response((resp, body) -> body.asString()
                    .doOnNext(chunk -> {
                        if (first[0] == 0 && chunk.contains("data:")) first[0] = System.nanoTime();
                        text.append(chunk);
                    })
                    .then(Mono.fromCallable(() -> {
                        long end = System.nanoTime();
                        String all = text.toString();
                        int events = 0;
                        for (int at = all.indexOf("data:"); at >= 0; at = all.indexOf("data:", at + 5)) events++;
                        d.add("events", events);
                        Matcher m = TOTAL.matcher(all);
                        while (m.find()) d.add("streamUsage", Long.parseLong(m.group(1)));
                        if (first[0] != 0) {
                            firstEventMax.accumulateAndGet((first[0] - t0) / 1_000_000L, Math::max);
                            streamMin.accumulateAndGet((end - t0) / 1_000_000L, Math::min);
                        }
                        return resp.status().code();
                    }))).single();
        };
        IntFunction<Mono<Integer>> call = timeoutMs <= 0 ? exchange // warm-up calls (i < 0) run without it
                : i -> i < 0 ? exchange.apply(i) : exchange.apply(i).timeout(Duration.ofMillis(timeoutMs));
        // sampleThreadsAtMs: the JVM's threads when the first counted call starts and that long after, with the
        // callers waiting in Sluice's queue then (a waiting call must hold no thread).
        int sampleAt = d.intArg("sampleThreadsAtMs", 0);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        if (sampleAt > 0) {
            Thread sampler = new Thread(() -> {
                try {
                    started.await();
                    Thread.sleep(sampleAt);
                } catch (InterruptedException e) {
                    return;
                }
                d.put("waitingAtSample", SluiceProbe.num("mock", "QueueDepth"));
                d.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
            }, "sampler");
            sampler.setDaemon(true);
            sampler.start();
        }
        IntFunction<Mono<Integer>> run = i -> {
            if (i == 0 && sampleAt > 0) {
                d.put("threadsBefore", ManagementFactory.getThreadMXBean().getThreadCount());
                started.countDown();
            }
            return call.apply(i);
        };
        d.run(i -> {
            try {
                return run.apply(i).block();
            } catch (RuntimeException e) {
                Throwable t = Exceptions.unwrap(e); // block() wraps a checked exception (the IOException refusal)
                if (t instanceof Exception) throw (Exception) t;
                throw e;
            }
        }, i -> run.apply(i).toFuture());
        String jar = String.valueOf(HttpClient.class.getProtectionDomain().getCodeSource().getLocation());
        d.put("reactorNettyJar", jar.substring(jar.lastIndexOf('/') + 1)); // which line ran
        if (stream) {
            d.put("firstEventMaxMs", firstEventMax.get());
            d.put("streamMinMs", streamMin.get() == Long.MAX_VALUE ? -1 : streamMin.get());
        }
        d.print();
        System.exit(0);
    }
}
