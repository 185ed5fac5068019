package dev.sluice.it.ops;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jmx;
import dev.sluice.it.Upstream;
import org.junit.jupiter.api.Test;

import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator edits sluice.properties while the application runs: a new RPM takes effect within the reload
 * period without losing the bucket or failing a call; a new endpoint appears; a broken edit is rejected with
 * the key and why, and the last good configuration keeps running. A JMX write shows as an override until then.
 */
class ReloadIT {
    private static String config(Upstream up, long rpm, String extra) {
        return "sluice.reload=1s\n"
                + "sluice.endpoint.mock.match=" + up.baseUrl() + "/v1\n"
                + "sluice.endpoint.mock.provider=openai\n"
                + "sluice.endpoint.mock.rpm=" + rpm + "\n"
                + "sluice.endpoint.mock.burst=" + (1.0 / 60) + "\n"
                + "sluice.endpoint.mock.queue.capacity=5000\n"
                + "sluice.endpoint.mock.queue.max-wait=120s\n"
                + extra;
    }

    @Test
    void editsApplyWithinTheReloadPeriodAndABrokenEditKeepsTheLastGoodConfig() throws Exception {
        try (Upstream up = Upstream.start()) {
            Files.createDirectories(ChildJvm.WORK);
            Path cfg = Files.createTempFile(ChildJvm.WORK, "reload-", ".properties");
            Files.writeString(cfg, config(up, 600, ""));                 // 10/s
            // 25/s offered for 16 s: the gate decides the pace
            ChildJvm.Started child = ChildJvm.of(PhasedLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), Ops.client(), "phases=25:16", "lingerMs=1000").start();
            ObjectName agent = new ObjectName("dev.sluice:type=Agent");
            ObjectName ep = Jmx.endpoint("mock");
            ObjectName other = Jmx.endpoint("other");
            Ops.Recorder notes = new Ops.Recorder();
            long start;
            long editAt;
            long brokenAt;
            try (Jmx jmx = Ops.jmx(child)) {
                jmx.await(ep, 10_000);
                jmx.server.addNotificationListener(agent, notes, null, null);
                start = Long.parseLong(Ops.awaitLine(child, "START epochMs=", 10_000).split("=")[1].trim());

                // an operator's JMX write is an override until the next reload
                jmx.set(ep, "MaxConcurrent", 50);
                assertArrayEquals(new String[]{"mock.max-concurrent=50 (file: 0)"}, (String[]) jmx.get(agent, "Overrides"));

                // the steps above (attaching JMX among them) can take seconds on a slow machine: each edit comes 5 s
                // after the one before at the earliest, and the rates below are measured around when it really came
                Thread.sleep(Math.max(0, start + 5000 - System.currentTimeMillis()));
                editAt = System.currentTimeMillis();
                Files.writeString(cfg, config(up, 1200, "sluice.endpoint.other.match=http://127.0.0.1:9/v1\n")); // 20/s
                assertTrue(Ops.await(() -> rpm(jmx, ep) == 1200L, 3_000), "new RPM within the 1 s period (+ settle)");
                long applied = System.currentTimeMillis() - editAt;
                jmx.await(other, 2_000);
                assertArrayEquals(new String[0], (String[]) jmx.get(agent, "Overrides"), "the reload cleared the override");
                List<Notification> reloaded = notes.await("dev.sluice.config.reloaded", 1, 2_000);
                assertEquals(1, reloaded.size(), notes.toString());
                String summary = (String) ((CompositeData) reloaded.get(0).getUserData()).get("summary");
                assertTrue(summary.contains("added [other]") && summary.contains("mock: rpm=1200 (was: 600)"), summary);
                System.out.printf("Reload: applied %d ms after the edit (period 1 s)%n", applied);

                Thread.sleep(Math.max(0, editAt + 5000 - System.currentTimeMillis()));
                brokenAt = System.currentTimeMillis();
                Files.writeString(cfg, config(up, 1200, "sluice.endpoint.other.match=http://127.0.0.1:9/v1\n")
                        .replace("rpm=1200", "rpm=3OOO"));                 // a typo: letter O
                List<Notification> rejected = notes.await("dev.sluice.config.rejected", 1, 3_000);
                assertEquals(1, rejected.size(), notes.toString());
                String[] problems = (String[]) ((CompositeData) rejected.get(0).getUserData()).get("problems");
                assertTrue(problems.length == 1 && problems[0].contains("sluice.endpoint.mock.rpm=3OOO"), List.of(problems).toString());
                assertEquals(1200L, rpm(jmx, ep), "the last good config stays");
                assertTrue(((String) jmx.get(agent, "LastReload")).contains("rejected"));
                assertEquals(1, ((String[]) jmx.get(agent, "LastReloadProblems")).length);
            }
            ChildJvm.Result r = child.await(90);
            Map<Integer, Integer> perSecond = admittedPerSecond(r.stdout);
            int editSec = (int) ((editAt - start) / 1000);
            int brokenSec = (int) ((brokenAt - start) / 1000);
            // 25/s offered for 16 s keeps a backlog well past the last window whenever the edits happen
            double before = avg(perSecond, 1, editSec - 1);
            double after = avg(perSecond, editSec + 2, brokenSec - 1);
            double broken = avg(perSecond, brokenSec + 1, brokenSec + 4);
            System.out.printf("Reload: edit at second %d, broken edit at second %d%n", editSec, brokenSec);
            System.out.printf("Reload: admissions %.1f/s at rpm 600, %.1f/s after the edit to 1200, %.1f/s after the"
                    + " broken edit%n", before, after, broken);
            assertEquals(400, r.num("ok"), "every call succeeded:\n" + r);
            assertEquals(0, up.rateLimited());
            String seen = "edits at seconds " + editSec + " and " + brokenSec + ", admitted per second: " + perSecond;
            assertTrue(before >= 8 && before <= 12, "about 10/s before: " + seen);
            assertTrue(after >= 17 && after <= 23, "about 20/s after: " + seen);
            assertTrue(broken >= 17 && broken <= 23, "still about 20/s after the broken edit: " + seen);
            assertTrue(r.stderr.contains("rejected; the running configuration stays"), r.stderr);
            assertTrue(r.stderr.contains("sluice.endpoint.mock.rpm=3OOO"), r.stderr);
            assertFalse(r.stderr.contains("sk-"), "no secrets in the log");
        }
    }

    private static long rpm(Jmx jmx, ObjectName ep) {
        try {
            return (Long) jmx.get(ep, "Rpm");
        } catch (Exception e) {
            return -1;
        }
    }

    /** Successful calls per second of completion (the upstream answers at once: that is the admission rate). */
    static Map<Integer, Integer> admittedPerSecond(String stdout) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String line : stdout.split("\n")) {
            if (!line.startsWith("CALL ")) continue;
            String[] kv = line.substring(5).split(" ");
            if (!kv[2].equals("o=200")) continue;
            int sec = (int) (Long.parseLong(kv[3].substring(2)) / 1000);
            m.merge(sec, 1, Integer::sum);
        }
        return m;
    }

    static double avg(Map<Integer, Integer> m, int from, int to) {
        double s = 0;
        for (int i = from; i <= to; i++) s += m.getOrDefault(i, 0);
        return s / (to - from + 1);
    }
}
