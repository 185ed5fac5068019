package dev.sluice.it.ops;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jmx;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import org.junit.jupiter.api.Test;

import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's rule "average wait > threshold -> shed low": a slow upstream behind max-concurrent makes callers
 * wait; the alert fires once, low-priority calls are refused from then on, normal and high still wait their
 * turn; when the upstream recovers and the waits shrink, the alert recovers once and low calls pass again.
 */
class AlertIT {
    @Test
    void slowUpstreamFiresShedLowOnceAndRecoversOnce() throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(500))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("max-concurrent", 1)           // 2 calls/s at 500 ms each
                    .endpoint("queue.capacity", 500).endpoint("queue.max-wait", "120s")
                    .endpoint("shed.threshold", 1.0).endpoint("shed.normal", 1.0).endpoint("shed.high", 1.0)
                    .key("sluice.alert.slow.endpoint", "mock")
                    .key("sluice.alert.slow.when", "wait.avg > 700ms")
                    .key("sluice.alert.slow.for", "1s")
                    .key("sluice.alert.slow.action", "shed-low")
                    .write();
            // 4/s offered against 2/s served for 8 s, then a trickle; high goes first, low waits longest
            ChildJvm.Started child = ChildJvm.of(PhasedLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), Ops.client(), "phases=4:8,1:18", "priority=low,normal,high", "lingerMs=3000").start();
            ObjectName ep = Jmx.endpoint("mock");
            Ops.Recorder notes = new Ops.Recorder();
            long firedAt;
            long recoveredAt;
            try (Jmx jmx = Ops.jmx(child)) {
                jmx.await(ep, 10_000);
                jmx.server.addNotificationListener(ep, notes, null, null);
                List<Notification> fired = notes.await("dev.sluice.alert", 1, 25_000);
                assertEquals(1, fired.size(), "the alert fired: " + notes);
                firedAt = fired.get(0).getTimeStamp();
                CompositeData f = (CompositeData) fired.get(0).getUserData();
                assertEquals("firing", f.get("state"));
                assertEquals("shed-low", f.get("action"));
                assertTrue(((String) f.get("detail")).startsWith("wait.avg="), f.toString());
                assertEquals(true, jmx.get(ep, "ShedLowForced"));
                assertEquals(1, ((String[]) jmx.get(ep, "FiringAlerts")).length);
                up.latencyMillis(20);                        // the upstream recovers; the backlog drains
                List<Notification> both = notes.await("dev.sluice.alert", 2, 40_000);
                assertEquals(2, both.size(), "the alert recovered: " + notes);
                recoveredAt = both.get(1).getTimeStamp();
                assertEquals("recovered", ((CompositeData) both.get(1).getUserData()).get("state"));
                assertEquals(false, jmx.get(ep, "ShedLowForced"));
                long shed = ((Number) jmx.get(ep, "Shed")).longValue();
                assertTrue(shed > 0, "low calls were shed");
            }
            ChildJvm.Result r = child.await(90);
            long start = Long.parseLong(Ops.awaitLine(child, "START epochMs=", 1000).split("=")[1].trim());
            assertEquals(2, notes.of("dev.sluice.alert").size(), "exactly one notification each way:\n" + notes);

            List<String> shedBefore = new ArrayList<>();
            List<String> notShedDuring = new ArrayList<>();
            List<String> shedAfter = new ArrayList<>();
            int shedDuring = 0;
            int lowOkAfter = 0;
            for (String line : r.stdout.split("\n")) {
                if (!line.startsWith("CALL ")) continue;
                String[] kv = line.substring(5).split(" ");
                long at = start + Long.parseLong(kv[0].substring(2));
                String p = kv[1].substring(2);
                String o = kv[2].substring(2);
                boolean isShed = o.equals("refused:shed");
                if (!isShed) assertTrue(o.equals("200"), "every call not shed succeeds: " + line + "\n" + r);
                if (at < firedAt - 300 && isShed) shedBefore.add(line);
                if (at > firedAt + 300 && at < recoveredAt - 300) {
                    if (p.equals("low") && !isShed) notShedDuring.add(line);
                    if (!p.equals("low") && isShed) notShedDuring.add(line + " (not low)");
                    if (isShed) shedDuring++;
                }
                if (at > recoveredAt + 300 && isShed) shedAfter.add(line);
                if (at > recoveredAt + 300 && p.equals("low") && !isShed) lowOkAfter++;
            }
            System.out.printf("Alert: fired %d ms after start, recovered %d ms later; %d low calls shed meanwhile%n",
                    firedAt - start, recoveredAt - firedAt, shedDuring);
            assertEquals(List.of(), shedBefore, "nothing shed before the alert");
            assertEquals(List.of(), notShedDuring, "while it held: every low call shed, no other");
            assertTrue(shedDuring >= 3, "low calls were offered and shed while it held: " + shedDuring);
            assertEquals(List.of(), shedAfter, "low calls pass again after the recovery");
            assertTrue(lowOkAfter >= 1, "low calls were offered after the recovery and passed: " + lowOkAfter);
            assertTrue(r.stderr.contains("alert 'slow' on endpoint 'mock' fired"), r.stderr);
            assertTrue(r.stderr.contains("alert 'slow' on endpoint 'mock' recovered"), r.stderr);
        }
    }
}
