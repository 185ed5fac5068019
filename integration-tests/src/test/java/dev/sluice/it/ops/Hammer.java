package dev.sluice.it.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application that outruns its provider: {@code threads} threads each send blocking chat calls in a loop for
 * {@code seconds}, pausing only {@code pauseOn429Ms} after a 429 (a naive retry loop). It knows nothing of Sluice.
 * Prints {@code RESULT ok= status429= refused= failed= other=}, then stays alive {@code lingerMs}.
 */
public final class Hammer {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        int threads = Integer.parseInt(a.getOrDefault("threads", "4"));
        long seconds = Long.parseLong(a.getOrDefault("seconds", "10"));
        long pauseOn429 = Long.parseLong(a.getOrDefault("pauseOn429Ms", "10"));
        long lingerMs = Long.parseLong(a.getOrDefault("lingerMs", "0"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger s429 = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    try {
                        int sc = client.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
                        if (sc == 200) ok.incrementAndGet();
                        else if (sc == 429) {
                            s429.incrementAndGet();
                            Thread.sleep(pauseOn429);
                        } else other.incrementAndGet();
                    } catch (Exception e) {
                        if (e.getClass().getName().equals("dev.sluice.SluiceRejectedException")) refused.incrementAndGet();
                        else {
                            failed.incrementAndGet();
                            errors.computeIfAbsent(e.toString(), k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }
            }, "hammer-" + t);
            workers[t].start();
        }
        for (Thread w : workers) w.join();
        errors.forEach((k, v) -> System.err.println("ERROR x" + v + " " + k));
        System.out.println("RESULT ok=" + ok + " status429=" + s429 + " refused=" + refused + " failed=" + failed
                + " other=" + other);
        System.out.flush();
        if (lingerMs > 0) Thread.sleep(lingerMs);
        System.exit(0);
    }
}
