package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An upstream failing every call with 500: the breaker opens, callers get fast refusals, a probe closes it. */
class BreakerIT {
    @Test
    void breakerOpensAfterFailuresThenAProbeClosesIt() throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("breaker.failures", 3).endpoint("breaker.open-for", "2s")
                    .write();
            ChildJvm.Started child = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=100", "rate=20", "mode=sync").start();
            // Once the first call arrives, a second of load (20 calls) meets the failing upstream.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (up.requests() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(1000);
            long reachedWhileFailing = up.requests();
            up.failStatus(0); // the upstream recovers while the breaker is still open
            ChildJvm.Result r = child.await(60);

            assertEquals(3, reachedWhileFailing, "exactly breaker.failures calls reach a failing upstream\n" + r);
            assertEquals(3, up.failed(), "no call reached the upstream while it failed after the breaker opened");
            long refused = r.num("refused.breaker-open");
            assertTrue(refused >= 25, "calls in the open period are refused: " + refused + "\n" + r);
            assertTrue(r.num("refusedMaxMs") < 200, "refusals are fast: " + r.num("refusedMaxMs") + " ms");
            // After open-for a probe goes through, succeeds, and the breaker closes: the rest succeed.
            assertEquals(100 - 3 - refused, r.num("ok"), r.toString());
            assertTrue(r.num("ok") >= 50, r.toString());
            assertEquals(r.num("ok") + 3, up.requests(), "every other call reached the upstream once");
        }
    }
}
