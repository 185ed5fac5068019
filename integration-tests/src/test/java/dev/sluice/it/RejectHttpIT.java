package dev.sluice.it;

import dev.sluice.it.apps.JdkRejectHttp;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reject=http} through the JDK HttpClient: a refused call gets a 429 (or 503 for an open breaker) in the
 * provider's own error shape, with the retry headers, through the application's own body handler (ofString with
 * send, ofLines with sendAsync). It never reaches the upstream and is not counted as an upstream 429.
 */
class RejectHttpIT {
    static List<String> lines(ChildJvm.Result r, String prefix) {
        List<String> out = new ArrayList<>();
        for (String l : r.stdout.split("\n")) if (l.startsWith(prefix)) out.add(l);
        return out;
    }

    static Path config(Upstream up, String provider) throws Exception {
        return SluiceConfigFile.forUpstream(up).endpoint("provider", provider).endpoint("reject", "http")
                .endpoint("rpm", 6).endpoint("burst", 1.0 / 6)              // one call, then one in 10 s
                .endpoint("queue.max-wait", "100ms")                      // so the next ones are refused at once
                .write();
    }

    @Test
    void openAiShapedRefusals() throws Exception {
        try (Upstream up = Upstream.start()) {
            ChildJvm.Result r = ChildJvm.of(JdkRejectHttp.class).withAgent(config(up, "openai"))
                    .args(up.chatUrl(), "chat", 3).run(60);
            List<String> calls = lines(r, "CALL ");
            List<String> bodies = lines(r, "BODY ");
            assertEquals(3, calls.size(), r.toString());
            assertTrue(calls.get(0).contains("status=200"), r.toString());
            for (int i = 1; i < 3; i++) {
                String c = calls.get(i);
                assertTrue(c.contains("status=429") && c.contains("x-sluice-reason=wait-too-long")
                        && c.contains("x-should-retry=true") && c.contains("content-type=application/json"), c);
                assertTrue(c.matches(".* retry-after=[1-9][0-9]* .*") && c.matches(".* retry-after-ms=[1-9][0-9]* .*"), c);
                assertTrue(bodies.get(i).contains("{\"error\":{\"message\":\"Sluice refused the call to endpoint 'mock'")
                        && bodies.get(i).contains("\"type\":\"rate_limit_exceeded\"")
                        && bodies.get(i).contains("\"code\":\"sluice_wait_too_long\""), bodies.get(i));
            }
            assertEquals(1, up.requests(), "the refused calls never reached the upstream");
            assertEquals("0", r.result().get("upstream429"), "not an upstream 429 in Sluice's figures");
            assertEquals("2", r.result().get("rejected"));
        }
    }

    @Test
    void anthropicShapedRefusalsAndAnOpenBreaker() throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = config(up, "anthropic");
            ChildJvm.Result r = ChildJvm.of(JdkRejectHttp.class).withAgent(cfg).args(up.messagesUrl(), "messages", 2).run(60);
            String refused = lines(r, "BODY ").get(1);
            assertTrue(lines(r, "CALL ").get(1).contains("status=429"), r.toString());
            assertTrue(refused.contains("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"), refused);

            ChildJvm.Result b = ChildJvm.of(JdkRejectHttp.class).withAgent(cfg).args(up.messagesUrl(), "messages", 1, true).run(60);
            String call = lines(b, "CALL ").get(0);
            assertTrue(call.contains("status=503") && call.contains("x-sluice-reason=breaker-open"), b.toString());
            assertTrue(lines(b, "BODY ").get(0).contains("\"type\":\"overloaded_error\""), b.toString());
            assertEquals(1, up.requests(), "only the first run's first call went upstream");
        }
    }
}
