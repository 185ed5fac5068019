package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hundreds of sendAsync callers waiting for admission hold no thread each. */
class AsyncWaitersIT {
    @Test
    void fiveHundredAsyncWaitersHoldNoThreads() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(6000).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rpm", 6000).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.capacity", 1000).endpoint("queue.max-wait", "60s")
                    .write();
            // 500 calls issued at once from one thread; 100/s are admitted, so ~400 wait at the 1 s sample.
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=500", "rate=0", "mode=async", "sampleThreadsAtMs=1500")
                    .run(120);
            long threads = r.num("threads");
            System.out.println("async: threads while ~350 calls waited: " + threads);
            assertTrue(threads > 0 && threads < 60, "threads while hundreds wait: " + threads + "\n" + r);
            assertEquals(500, r.num("ok"), r.toString());
            assertEquals(0, up.rateLimited());
        }
    }
}
