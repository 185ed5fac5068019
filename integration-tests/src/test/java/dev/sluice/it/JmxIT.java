package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An operator lowers RPM over a real JMX connection while the application runs; admissions follow. */
class JmxIT {
    @Test
    void loweringRpmOverJmxSlowsAdmissions() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(12_000).burstSeconds(1))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rpm", 6000).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.capacity", 5000).endpoint("queue.max-wait", "60s")
                    .write();
            // Offered 100/s for 9 s, just what 6,000 RPM admits. The rates are measured from the MBean's own
            // Admitted counter over the JMX connection, so the child's start-up time does not matter.
            ChildJvm.Started child = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=900", "rate=100", "mode=async").start();
            ObjectName ep = Jmx.endpoint("mock");
            double before;
            double after;
            try (Jmx jmx = Jmx.connect(child.pid())) {
                jmx.await(ep, 10_000);
                assertEquals(6000L, jmx.get(ep, "Rpm"));
                while ((Long) jmx.get(ep, "Admitted") < 50) Thread.sleep(20); // the load is under way
                before = admissionRate(jmx, ep, 2000);
                jmx.set(ep, "Rpm", 1800L);             // 30/s from now on
                assertEquals(1800L, jmx.get(ep, "Rpm"), "the write reads back");
                Thread.sleep(1000);                    // the bucket's burst (1 s of the old rate's room) passes
                after = admissionRate(jmx, ep, 3000);
                jmx.set(ep, "Rpm", 12_000L);           // drain the backlog at the upstream's own limit
                assertEquals(0L, jmx.get(ep, "Upstream429"));
            }
            ChildJvm.Result r = child.await(120);
            System.out.printf("JMX: admissions %.0f/s before, %.0f/s after lowering RPM to 1,800%n", before, after);
            assertTrue(before >= 80 && before <= 120, "about 100/s before: " + before);
            assertTrue(after >= 20 && after <= 40, "about 30/s after: " + after);
            assertEquals(900, r.num("ok"), r.toString());
            assertEquals(0, up.rateLimited());
        }
    }

    /** Admissions per second over {@code millis}, from the endpoint MBean's Admitted counter. */
    static double admissionRate(Jmx jmx, ObjectName ep, long millis) throws Exception {
        long a0 = (Long) jmx.get(ep, "Admitted");
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long a1 = (Long) jmx.get(ep, "Admitted");
        return (a1 - a0) / ((System.nanoTime() - t0) / 1e9);
    }

    static Map<Integer, Integer> ticks(String stdout) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String line : stdout.split("\n")) {
            if (!line.startsWith("TICK ")) continue;
            String[] p = line.split(" ");
            m.put(Integer.parseInt(p[1].substring(4)), Integer.parseInt(p[2].substring(3)));
        }
        return m;
    }

    static double avg(Map<Integer, Integer> m, int from, int to) {
        double s = 0;
        for (int i = from; i <= to; i++) s += m.getOrDefault(i, 0);
        return s / (to - from + 1);
    }
}
