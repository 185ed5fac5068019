package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent, built for Java 17, governs an application running on JDK 25. */
class Jdk25IT {
    @Test
    void rateLimitHoldsOnJdk25() throws Exception {
        String home = Jdks.require(25);
        try (Upstream up = Upstream.start(b -> b.rpm(6000).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rpm", 6000).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.capacity", 1000).endpoint("queue.max-wait", "60s")
                    .write();
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).javaHome(home).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=300", "rate=300", "mode=async").run(120);
            assertEquals(0, up.rateLimited(), r.toString());
            assertEquals(300, r.num("ok"), r.toString());
            assertTrue(r.stderr.contains("jdk-httpclient"), "the JDK client was instrumented:\n" + r.stderr);
            double ideal = (300 - 100) / 100.0;
            assertTrue(r.num("wallMs") / 1000.0 <= ideal * 1.1 + 0.3, r.toString());
        }
    }
}
