package dev.sluice.it.apache;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.Apache4Load;
import dev.sluice.it.apps.Apache5Load;
import dev.sluice.it.urlconn.ClientChecks;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reject=http} through Apache HttpClient: a refused call returns Sluice's synthetic response (here 503 for an
 * open breaker, with {@code x-sluice-reason} and the provider's JSON error shape) where it would have thrown, as a
 * response the application reads like the provider's own. Apache's automatic retries are off so every answer
 * reaches the app (with them on, Apache's retry step would wait the answer's Retry-After and try again).
 */
class ApacheRejectHttpIT {
    @Test
    void apache5ClassicGetsTheSyntheticAnswer() throws Exception {
        answered("Apache 5 classic", Apache5Load.class, "mode=sync", "retries=false");
    }

    @Test
    void apache5AsyncGetsTheSyntheticAnswerThroughItsCallback() throws Exception {
        answered("Apache 5 async", Apache5Load.class, "mode=async", "retries=false");
    }

    @Test
    void apache4ClassicGetsTheSyntheticAnswer() throws Exception {
        answered("Apache 4 classic", Apache4Load.class, "mode=sync", "style=response");
    }

    private static void answered(String label, Class<?> app, String... args) throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("reject", "http")
                    .endpoint("breaker.failures", 3).endpoint("breaker.open-for", "60s")
                    .write();
            int calls = 10;
            java.util.List<Object> all = new java.util.ArrayList<>(java.util.List.of("url=" + up.chatUrl(),
                    "calls=" + calls, "rate=10", "sequential=true"));
            all.addAll(java.util.List.of((Object[]) args));
            ChildJvm.Result r = ChildJvm.of(app).withAgent(cfg).args(all.toArray()).run(60);
            String answer = r.stdout.lines().filter(l -> l.startsWith("ANSWER ")).findFirst().orElse("");
            System.out.printf(Locale.ROOT, "FIGURES %s reject=http: %d x 500 reached upstream, %d synthetic answers, %s%n",
                    label, up.requests(), r.num("answered.breaker-open"), answer);
            assertEquals(3, up.requests(), "breaker.failures calls reach the failing upstream\n" + r);
            assertEquals(calls - 3, r.num("answered.breaker-open"), "the rest are answered by Sluice\n" + r);
            assertEquals(calls, r.num("otherStatus"), "3 x 500 from upstream, then 503s from Sluice\n" + r);
            assertEquals(0, r.num("refused"), "no exception reaches the app\n" + r);
            assertEquals(0, r.num("failed"), r.toString());
            assertTrue(answer.contains("status=503"), answer);
            assertTrue(answer.contains("\"error\":{") && answer.contains("service_unavailable"),
                    "OpenAI's error shape: " + answer);
            assertEquals(0, r.num("inFlight"), "every permit handed back\n" + r);
            assertEquals(calls - 3, ClientChecks.jmx(r, "Rejected"), "each refused call counted once\n" + r);
        }
    }
}
