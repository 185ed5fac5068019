package dev.sluice.it.urlconn;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks every client unit passes, run against one of the load apps (UrlConnectionLoad, Apache5Load,
 * Apache4Load): the rate-limit acceptance of RateLimitIT at 3x the upstream's RPM, and a breaker refusal that
 * must look like the client's own failure with Sluice's message.
 */
public final class ClientChecks {
    /** Upstream and Sluice: 100 calls/s; the upstream's bucket holds one second, Sluice's the same. */
    static final int RPM = 6000;
    static final double BURST = 1.0 / 60;

    private ClientChecks() {
    }

    /**
     * 450 calls offered at 300/s against 100/s (ideal 3.5 s: the gate's fixed ~0.25 s start-up cost, seen by the JDK
     * client's RateLimitIT too, then leaves room for a scheduling hiccup on a 2-core machine): zero 429s, all succeed, wall within 1.1x ideal + 0.3 s, InFlight
     * 0 at the end. Returns the RESULT for extra checks.
     */
    public static ChildJvm.Result rateLimited(String label, Class<?> app, String... args) throws Exception {
        warmMockServer();
        try (Upstream up = Upstream.start(b -> b.rpm(RPM).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rpm", RPM).endpoint("burst", BURST)
                    .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s")
                    .write();
            int calls = 450;
            List<Object> all = new ArrayList<>(List.of("url=" + up.chatUrl(), "calls=" + calls, "rate=300",
                    "warmup=1"));
            all.addAll(List.of((Object[]) args));
            ChildJvm.Result r = ChildJvm.of(app).withAgent(cfg).args(all.toArray()).run(120);

            double ideal = (calls - RPM * BURST) / (RPM / 60.0);
            double wall = r.num("wallMs") / 1000.0;
            System.out.printf(Locale.ROOT, "FIGURES %s: %d calls, %d x 429 upstream, ok %d, wall %.2f s, ideal %.2f s,"
                            + " ratio %.3f, InFlight at end %d%n", label, calls, up.rateLimited(), r.num("ok"), wall,
                    ideal, wall / ideal, r.num("inFlight"));
            assertEquals(0, up.rateLimited(), "upstream 429s\n" + r);
            assertEquals(calls, r.num("ok"), "every call succeeds\n" + r);
            assertEquals(calls + 1, up.requests(), "each call (and the warm-up) reached the upstream once\n" + r);
            assertTrue(wall <= ideal * 1.1 + 0.3, "wall " + wall + " s vs ideal " + ideal + " s\n" + r);
            assertEquals(0, r.num("inFlight"), "every permit handed back\n" + r);
            return r;
        }
    }

    private static boolean warmed;

    /**
     * Once per test JVM: a few hundred calls at an unlimited mock, so the first measured run does not also time
     * the mock server's own warm-up (it runs in this JVM; the timings are about the child's gate).
     */
    static synchronized void warmMockServer() throws Exception {
        if (warmed) return;
        warmed = true;
        try (Upstream up = Upstream.start()) {
            java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(up.chatUrl()))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build();
            java.util.List<java.util.concurrent.CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                all.add(c.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.discarding()));
                if (all.size() % 50 == 0) java.util.concurrent.CompletableFuture.allOf(
                        all.toArray(new java.util.concurrent.CompletableFuture<?>[0])).join();
            }
            java.util.concurrent.CompletableFuture.allOf(all.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .join();
        }
    }

    /**
     * An upstream failing with 500: after breaker.failures calls the breaker opens, and the following calls
     * are refused with SluiceRejectedException (an IOException: the client's own failure type) whose message
     * is Sluice's. Returns the RESULT.
     */
    public static ChildJvm.Result breakerRefusal(String label, Class<?> app, String... args) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("breaker.failures", 3).endpoint("breaker.open-for", "60s")
                    .write();
            int calls = 10;
            // One call at a time (async ones too: each waits for its callback), so the breaker has seen every earlier
            // result when the next call asks for admission.
            List<Object> all = new ArrayList<>(List.of("url=" + up.chatUrl(), "calls=" + calls, "rate=10",
                    "sequential=true"));
            all.addAll(List.of((Object[]) args));
            ChildJvm.Result r = ChildJvm.of(app).withAgent(cfg).args(all.toArray()).run(60);

            String refusal = r.stdout.lines().filter(l -> l.startsWith("REFUSAL ")).findFirst().orElse("");
            System.out.printf(Locale.ROOT, "FIGURES %s refusal: %d x 500 reached upstream, %d refused, %s%n",
                    label, up.requests(), r.num("refused"), refusal);
            assertEquals(3, up.requests(), "breaker.failures calls reach the failing upstream\n" + r);
            assertEquals(3, r.num("otherStatus"), "the 500s reach the app as 500s\n" + r);
            assertEquals(calls - 3, r.num("refused.breaker-open"), "the rest are refused\n" + r);
            assertEquals(0, r.num("failed"), r.toString());
            assertTrue(refusal.contains("class=dev.sluice.SluiceRejectedException"), refusal);
            assertTrue(refusal.contains("ioException=true"), "an IOException, the client's own failure type: " + refusal);
            String message = refusal.substring(refusal.indexOf("message=") + 8).toLowerCase(Locale.ROOT);
            assertTrue(message.contains("mock") && message.contains("breaker"), "Sluice's message: " + refusal);
            assertTrue(r.num("refusedMaxMs") < 200, "refusals are fast: " + r.num("refusedMaxMs") + " ms");
            assertEquals(0, r.num("inFlight"), "every permit handed back\n" + r);
            assertEquals(calls - 3, jmx(r, "Rejected"), "each refused call counted once by the gate\n" + r);
            return r;
        }
    }

    /** An attribute of the endpoint MBean as the app dumped it at the end (-1 when absent). */
    public static long jmx(ChildJvm.Result r, String attribute) {
        String prefix = "JMX dev.sluice:type=Endpoint,name=mock " + attribute + "=";
        return r.stdout.lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .findFirst().orElse(-1);
    }
}
