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
            // 500 calls issued at once from one thread; 100/s are admitted, so ~350 wait at the 1.5 s sample.
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=500", "rate=0", "mode=async", "sampleThreadsAtMs=1500",
                            "mbean=dev.sluice:type=Endpoint,name=mock")
                    .run(120);
            long waiting = r.num("waitingAtSample");
            long added = r.num("threads") - r.num("threadsBefore");
            System.out.println("async: " + waiting + " calls waiting, threads " + r.num("threadsBefore")
                    + " before the load, +" + added + " while they waited");
            r.toString().lines().filter(l -> l.startsWith("THREADS")).forEach(System.out::println);
            // A thread per waiter would add hundreds. What may grow is the HttpClient's own cached executor, which
            // completes responses (tens of workers on a slow machine, as without Sluice); nothing else may.
            long others = added - r.num("clientWorkers");
            assertTrue(waiting >= 150, "the sample must see hundreds waiting: " + waiting + "\n" + r);
            assertTrue(others <= 5, "threads other than the client's workers added while " + waiting
                    + " waited: " + others + "\n" + r);
            assertTrue(added < waiting / 2, "threads added while " + waiting + " waited: " + added + "\n" + r);
            assertEquals(500, r.num("ok"), r.toString());
            assertEquals(0, up.rateLimited());
        }
    }
}
