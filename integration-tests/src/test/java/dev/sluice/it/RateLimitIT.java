package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offered load 3x the upstream's quota, the agent configured with the upstream's own limits: the upstream must
 * answer zero 429s, every call must succeed, and the run must take no more than ~1.1x the time the quota allows.
 */
class RateLimitIT {
    /** The upstream's bucket holds one second of quota, as the test's burst; Sluice is told the same. */
    static final int RPM = 6000;              // 100 calls/s
    static final double BURST = 1.0 / 60;     // capacity = 1 s of quota

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void requestBoundLoadGetsNo429(String mode) throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(RPM).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rpm", RPM).endpoint("burst", BURST)
                    .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s")
                    .write();
            int calls = 900;
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=" + calls, "rate=300", "mode=" + mode).run(120);

            assertEquals(0, up.rateLimited(), "upstream 429s\n" + r);
            assertEquals(calls, r.num("ok"), "every call succeeds\n" + r);
            double ideal = (calls - RPM * BURST) / (RPM / 60.0); // seconds the upstream's bucket needs
            double wall = r.num("wallMs") / 1000.0;
            System.out.printf("RPM-bound %s: %d calls, 0 x 429, wall %.2f s, ideal %.2f s, ratio %.3f%n",
                    mode, calls, wall, ideal, wall / ideal);
            assertTrue(wall <= ideal * 1.1 + 0.3, "wall " + wall + " s vs ideal " + ideal + " s");
        }
    }

    @Test
    void tokenBoundLoadGetsNo429() throws Exception {
        int tpm = 60_000;                   // 1,000 tokens/s
        int promptBytes = 40, maxTokens = 40;
        int perCall = promptBytes / 4 + maxTokens;   // 50 tokens: what the upstream charges at arrival
        try (Upstream up = Upstream.start(b -> b.tpm(tpm).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("tpm", tpm).endpoint("burst", BURST)
                    .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s")
                    .write();
            int calls = 150;                 // offered at 60/s = 3x the 20 calls/s the quota allows
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=" + calls, "rate=60", "mode=sync",
                            "promptBytes=" + promptBytes, "maxTokens=" + maxTokens).run(120);

            assertEquals(0, up.rateLimited(), "upstream 429s\n" + r);
            assertEquals(calls, r.num("ok"), "every call succeeds\n" + r);
            assertEquals((long) calls * perCall, up.tokensCharged(), "upstream charged what Sluice reserved");
            double ideal = ((double) calls * perCall - tpm / 60.0) / (tpm / 60.0);
            double wall = r.num("wallMs") / 1000.0;
            System.out.printf("TPM-bound: %d calls, 0 x 429, wall %.2f s, ideal %.2f s, ratio %.3f%n",
                    calls, wall, ideal, wall / ideal);
            assertTrue(wall <= ideal * 1.1 + 0.3, "wall " + wall + " s vs ideal " + ideal + " s");
        }
    }

    @Test
    void withoutTheAgentTheSameLoadMeets429s() throws Exception {
        // The control: proves the load above really exceeds the quota.
        try (Upstream up = Upstream.start(b -> b.rpm(RPM).burstSeconds(1))) {
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class)
                    .args("url=" + up.chatUrl(), "calls=600", "rate=300", "mode=async").run(120);
            assertTrue(up.rateLimited() > 100, "without Sluice the upstream refuses many: " + up.rateLimited() + "\n" + r);
        }
    }
}
