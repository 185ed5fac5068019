package dev.sluice.it.ops;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jmx;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Observe mode at three times the upstream's rate: Sluice blocks and refuses nothing (so the upstream answers
 * 429s), and counts what it would have done. Then an operator switches every endpoint to enforce over JMX.
 */
class ObserveIT {
    @Test
    void observeModeLetsEverythingThroughAndCountsWhatItWouldHaveDone() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(600).burstSeconds(1))) {      // 10/s
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .key("sluice.mode", "observe")
                    .endpoint("rpm", 600).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.capacity", 20).endpoint("queue.max-wait", "2s")
                    .write();
            ChildJvm.Started child = ChildJvm.of(PhasedLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), Ops.client(), "phases=30:5", "lingerMs=30000").start();     // 30/s for 5 s
            ObjectName agent = new ObjectName("dev.sluice:type=Agent");
            ObjectName ep = Jmx.endpoint("mock");
            try (Jmx jmx = Ops.jmx(child)) {
                jmx.await(ep, 10_000);
                assertEquals("observe", jmx.get(agent, "Mode"));
                assertEquals("observe", jmx.get(ep, "Mode"));
                String result = Ops.awaitLine(child, "RESULT ", 30_000);
                java.util.Map<String, Long> r = Ops.result(result);
                assertEquals(150, r.get("calls"));
                assertEquals(0, r.get("refused"), result);
                assertEquals(0, r.get("failed"), result);
                assertEquals(150, r.get("ok") + r.get("status429"), result);
                assertEquals(150, up.requests(), "every call reached the upstream");
                assertTrue(up.rateLimited() >= 50, "the upstream said 429: " + up);

                long would = (Long) jmx.get(ep, "WouldRejected");
                long wouldWait = (Long) jmx.get(ep, "WouldWait");
                TabularData byReason = (TabularData) jmx.get(ep, "WouldRejectByReason");
                System.out.printf("Observe: %d calls, upstream 429s %d, would have refused %d and made %d wait;"
                        + " by reason %s%n", 150, up.rateLimited(), would, wouldWait, reasons(byReason));
                assertTrue(would + wouldWait >= 50, "what Sluice would have done is counted: would refuse " + would
                        + ", would wait " + wouldWait);
                assertEquals(0L, jmx.get(ep, "Rejected"));
                assertEquals(up.rateLimited(), ((Long) jmx.get(ep, "Upstream429")).longValue());

                // the operator switches to enforce, live
                jmx.set(agent, "Mode", "enforce");
                assertEquals("enforce", jmx.get(ep, "Mode"));
                assertEquals("enforce", jmx.get(agent, "Mode"));
                assertArrayEquals(new String[]{"mode=enforce (file: observe)", "mock.mode=enforce (file: observe)"},
                        (String[]) jmx.get(agent, "Overrides"));
            } finally {
                child.process.destroy();
            }
        }
    }

    private static String reasons(TabularData t) {
        StringBuilder sb = new StringBuilder();
        for (Object row : t.values()) {
            CompositeData cd = (CompositeData) row;
            if (((Long) cd.get("value")) > 0) sb.append(cd.get("key")).append('=').append(cd.get("value")).append(' ');
        }
        return sb.toString().trim();
    }
}
