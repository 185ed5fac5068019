package dev.sluice.it.ops;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application that outruns its provider: {@code threads} threads each send blocking chat calls in a loop for
 * {@code seconds} ({@code client=jdk|urlconn}, see {@link Call}), pausing only {@code pauseOn429Ms} after a 429
 * (a naive retry loop). It knows nothing of Sluice.
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
        Call client = new Call(a.getOrDefault("client", "jdk"));
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
                    String o = client.blocking(url, "none");
                    if (o.equals("200")) ok.incrementAndGet();
                    else if (o.equals("429")) {
                        s429.incrementAndGet();
                        try {
                            Thread.sleep(pauseOn429);
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else if (o.startsWith("refused:")) refused.incrementAndGet();
                    else if (o.startsWith("error:")) {
                        failed.incrementAndGet();
                        errors.computeIfAbsent(o, k -> new AtomicInteger()).incrementAndGet();
                    } else other.incrementAndGet();
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
