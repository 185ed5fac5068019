package dev.sluice.it.apps;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;

/**
 * An ordinary Spring WebFlux application: {@code WebClient.create()}-style client on its default connector
 * (Reactor Netty, found on the class path), chat-completion calls that return the status whatever it is
 * ({@code exchangeToMono}), blocking ({@code mode=sync|seq}, {@code block()}) or not ({@code mode=async}); see
 * {@link LoadLoop}. {@code stream=true} reads the answer as server-sent events ({@code bodyToFlux}), adding events,
 * streamUsage, firstEventMaxMs and streamMinMs as {@link ReactorNettyLoad} does.
 */
public final class WebClientLoad {
    public static void main(String[] argv) throws Exception {
        LoadLoop d = new LoadLoop(argv);
        String url = d.arg("url", null);
        boolean stream = Boolean.parseBoolean(d.arg("stream", "false"));
        String json = LoadLoop.openAiBody(d.intArg("promptBytes", 40), d.intArg("maxTokens", 20), stream);
        AtomicLong firstEventMax = new AtomicLong();
        AtomicLong streamMin = new AtomicLong(Long.MAX_VALUE);

        WebClient web = WebClient.builder().defaultHeaders(h -> {
            for (String[] c : SluiceProbe.credentialHeaders()) h.set(c[0], c[1]);
        }).build();
        IntFunction<Mono<Integer>> call = i -> {
            WebClient.RequestHeadersSpec<?> req = web.post().uri(url).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(json);
            if (!stream) {
                return req.exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty("")
                        .map(body -> r.statusCode().value()));
            }
            long t0 = System.nanoTime();
            long[] first = {0};
            return req.accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(String.class)
                    .doOnNext(data -> {
                        if (first[0] == 0) first[0] = System.nanoTime();
                        d.add("events", 1L);
                        Matcher m = ReactorNettyLoad.TOTAL.matcher(data);
                        if (m.find()) d.add("streamUsage", Long.parseLong(m.group(1)));
                    })
                    .then(Mono.fromCallable(() -> {
                        long end = System.nanoTime();
                        if (first[0] != 0) {
                            firstEventMax.accumulateAndGet((first[0] - t0) / 1_000_000L, Math::max);
                            streamMin.accumulateAndGet((end - t0) / 1_000_000L, Math::min);
                        }
                        return 200;
                    }));
        };
        d.run(i -> call.apply(i).block(), i -> call.apply(i).toFuture());
        if (stream) {
            d.put("firstEventMaxMs", firstEventMax.get());
            d.put("streamMinMs", streamMin.get() == Long.MAX_VALUE ? -1 : streamMin.get());
        }
        d.print();
        System.exit(0);
    }
}
