package dev.sluice.bench.apps;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Startup probe: prints how long the JVM took to reach main, how long Sluice's premain took (between the
 * {@link Stamp} agents, when present), and how long the first chat call took (the JDK HttpClient's classes are
 * loaded, and instrumented when the agent is there, on that first call), then exits.
 */
public final class StartApp {
    public static void main(String[] args) throws Exception {
        long mainAt = System.nanoTime();
        long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        String before = System.getProperty("bench.stamp.before");
        String after = System.getProperty("bench.stamp.after");
        long premainNs = before != null && after != null ? Long.parseLong(after) - Long.parseLong(before) : -1;
        long firstCallNs = -1;
        int status = -1;
        if (args.length > 0) {
            long s = System.nanoTime();
            HttpClient c = HttpClient.newHttpClient();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(args[0]))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":10,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            firstCallNs = System.nanoTime() - s;
        }
        System.out.println("RESULT uptimeAtMainMs=" + uptimeMs + " premainNs=" + premainNs + " firstCallNs=" + firstCallNs
                + " status=" + status + " mainNs=" + (System.nanoTime() - mainAt));
        System.out.flush();
        System.exit(0);
    }
}
