package dev.sluice.it.ops;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jmx;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application already outrunning its provider (429 after 429), started without Sluice, is attached with
 * {@code java -jar sluice-agent.jar attach}: from then on the provider sees no 429 and no call fails because of
 * the attach. {@code status} prints what the MBean says, {@code set} changes a limit, and the CLI says plainly
 * when the pid is wrong, attach is disabled, or Sluice is not there.
 */
class AttachIT {
    static final int THREADS = 4;

    @Test
    void attachMidRunStopsThe429sAndStatusMatchesTheMBean() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(1200).burstSeconds(1))) {            // 20/s
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rpm", 1200).endpoint("burst", 1.0 / 60)
                    .endpoint("queue.capacity", 50).endpoint("queue.max-wait", "30s")
                    .write();
            // a JVM that forbids attaching (it makes no calls: only the app below talks to the upstream)
            ChildJvm.Started noAttach = ChildJvm.of(Hammer.class).jvmArg("-XX:+DisableAttachMechanism")
                    .args("url=" + up.chatUrl(), Ops.client(), "threads=0", "lingerMs=30000").start();
            ChildJvm.Started app = ChildJvm.of(Hammer.class)
                    .args("url=" + up.chatUrl(), Ops.client(), "threads=" + THREADS, "seconds=14", "pauseOn429Ms=5",
                            "lingerMs=20000").start();
            try {
                Ops.CliRun none = Ops.cli("status", String.valueOf(app.pid()));
                assertEquals(1, none.exit, none.toString());
                assertTrue(none.err.contains("no Sluice agent in pid " + app.pid()), none.toString());
                Ops.CliRun wrong = Ops.cli("attach", "2147483646", "config=" + cfg);
                assertEquals(1, wrong.exit, wrong.toString());
                assertTrue(wrong.err.contains("no process with pid 2147483646"), wrong.toString());
                Ops.CliRun disabled = Ops.cli("attach", String.valueOf(noAttach.pid()), "config=" + cfg);
                assertEquals(1, disabled.exit, disabled.toString());
                assertTrue(disabled.err.contains("-XX:+DisableAttachMechanism"), disabled.toString());

                assertTrue(Ops.await(() -> up.rateLimited() > 200, 15_000), "the app is hammering: " + up);
                long before = up.rateLimited();
                Ops.CliRun attach = Ops.cli("attach", String.valueOf(app.pid()), "config=" + cfg);
                long atAttach = up.rateLimited();
                assertEquals(0, attach.exit, attach.toString());
                assertTrue(attach.out.contains("attached to pid " + app.pid()), attach.toString());
                assertTrue(attach.out.contains("endpoints mock"), attach.toString());

                Ops.CliRun again = Ops.cli("attach", String.valueOf(app.pid()), "config=" + cfg);
                assertEquals(1, again.exit);
                assertTrue(again.err.contains("already active"), again.toString());

                String result = Ops.awaitLine(app, "RESULT ", 30_000);
                long after = up.rateLimited();
                Map<String, Long> r = Ops.result(result);
                System.out.printf("Attach: %d upstream 429s before the attach, %d during it, %d after it; app: %s%n",
                        before, atAttach - before, after - atAttach, result);
                assertTrue(after - atAttach <= THREADS, "no 429 after the attach but calls in flight at that moment: "
                        + (after - atAttach) + "\n" + app.stderrSoFar());
                assertEquals(0, r.get("failed"), result + "\n" + app.stderrSoFar());
                assertEquals(0, r.get("refused"), result);
                assertTrue(r.get("ok") > 100, result);

                // status: what the MBean says (the app is idle now: the figures stand still)
                Ops.CliRun status = Ops.cli("status", String.valueOf(app.pid()));
                assertEquals(0, status.exit, status.toString());
                Map<String, String> rows = Ops.statusRows(status.out);
                ObjectName ep = Jmx.endpoint("mock");
                try (Jmx jmx = Ops.jmx(app)) {
                    for (String attr : List.of("Mode", "Rpm", "Tpm", "MaxConcurrent", "QueueCapacity", "MaxWaitMillis",
                            "BreakerState", "InFlight", "QueueDepth", "Admitted", "Completed", "Rejected",
                            "Upstream429", "Failures", "Congested")) {
                        assertEquals(String.valueOf(jmx.get(ep, attr)), rows.get(attr), attr + " in\n" + status.out);
                    }
                    assertTrue(status.out.contains("(attached)"), status.out);
                    assertEquals(true, jmx.get(new ObjectName("dev.sluice:type=Agent"), "Attached"));

                    Ops.CliRun set = Ops.cli("set", String.valueOf(app.pid()), "mock", "rpm=600", "queue.max-wait=10s");
                    assertEquals(0, set.exit, set.toString());
                    assertTrue(set.out.contains("mock: rpm 1200 -> 600"), set.out);
                    assertEquals(600L, jmx.get(ep, "Rpm"));
                    assertEquals(10_000L, jmx.get(ep, "MaxWaitMillis"));
                    assertArrayEquals(new String[]{"mock.rpm=600 (file: 1200)", "mock.queue.max-wait=10000ms (file: 30000ms)"},
                            (String[]) jmx.get(new ObjectName("dev.sluice:type=Agent"), "Overrides"));
                    Ops.CliRun bad = Ops.cli("set", String.valueOf(app.pid()), "nope", "rpm=1");
                    assertEquals(1, bad.exit);
                    assertTrue(bad.err.contains("no endpoint 'nope'") && bad.err.contains("endpoints: mock"), bad.toString());

                    Ops.CliRun all = Ops.cli("set", String.valueOf(app.pid()), "*", "mode=observe");
                    assertEquals(0, all.exit, all.toString());
                    assertEquals("observe", jmx.get(new ObjectName("dev.sluice:type=Agent"), "Mode"));
                    assertEquals("observe", jmx.get(ep, "Mode"));

                    Ops.CliRun reload = Ops.cli("reload", String.valueOf(app.pid()));
                    assertEquals(0, reload.exit, reload.toString());
                    assertTrue(reload.out.contains("mock: rpm=1200 (was: 600)"), reload.out);
                    assertEquals(1200L, jmx.get(ep, "Rpm"), "the file is the truth again");
                    assertEquals("enforce", jmx.get(ep, "Mode"));
                    assertArrayEquals(new String[0], (String[]) jmx.get(new ObjectName("dev.sluice:type=Agent"), "Overrides"));
                }
            } finally {
                app.process.destroy();
                noAttach.process.destroy();
            }
        }
    }
}
