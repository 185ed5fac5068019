package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls Sluice must leave alone: other hosts, no configuration, bad configuration, a disabled agent. */
class UntouchedIT {
    @Test
    void callsToAnUnmatchedHostAreUntouched() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(600).burstSeconds(1))) {
            // The endpoint governs another host with a limit the load would exceed 30 times over.
            Path cfg = SluiceConfigFile.empty()
                    .key("sluice.endpoint.other.match", "https://api.example.com/v1")
                    .key("sluice.endpoint.other.rpm", 1)
                    .write();
            ChildJvm.Result with = ChildJvm.of(dev.sluice.it.apps.Exchange.class).withAgent(cfg)
                    .args(up.chatUrl()).run(60);
            ChildJvm.Result without = ChildJvm.of(dev.sluice.it.apps.Exchange.class).args(up.chatUrl()).run(60);
            assertEquals(without.stdout.replaceAll("(?m)^header date: .*$", ""),
                    with.stdout.replaceAll("(?m)^header date: .*$", ""),
                    "same status, headers and body with and without the agent");
            assertTrue(with.stderr.contains("Sluice"), "the agent did start: " + with.stderr);
        }
    }

    @Test
    void noConfigurationLogsOneLineAndDoesNothing() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(6000))) {
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgentArgs("")
                    .args("url=" + up.chatUrl(), "calls=20", "mode=sync").run(60);
            assertEquals(20, r.num("ok"), r.toString());
            long lines = r.stderr.lines().filter(l -> l.contains("[sluice]")).count();
            assertEquals(1, lines, "exactly one line from Sluice:\n" + r.stderr);
            assertTrue(r.stderr.contains("does nothing"), r.stderr);
        }
    }

    @Test
    void badConfigurationIsReportedAndTheApplicationRuns() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(60_000))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("rmp", 100)                       // typo
                    .endpoint("rpm", "lots")                     // not a number
                    .endpoint("queue.max-wait", "soon")          // not a duration
                    .endpoint("queue.overflow", "drop-everyone") // no such policy
                    .endpoint("burst", "-2")
                    .raw("this line is not a key value pair at all")
                    .write();
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=30", "mode=sync").run(60);
            assertEquals(30, r.num("ok"), "the application's calls pass\n" + r);
            for (String key : new String[]{"sluice.endpoint.mock.rmp", "sluice.endpoint.mock.rpm=lots",
                    "sluice.endpoint.mock.queue.max-wait=soon", "drop-everyone", "sluice.endpoint.mock.burst=-2"}) {
                assertTrue(r.stderr.contains(key), "the message names " + key + ":\n" + r.stderr);
            }
            assertTrue(r.stderr.contains("did you mean sluice.endpoint.mock.rpm"), r.stderr);
            assertFalse(r.stderr.contains("sk-test-secret"), "no secret in the log");
        }
    }

    @Test
    void missingConfigurationFileIsReportedAndTheApplicationRuns() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(60_000))) {
            Path missing = ChildJvm.WORK.resolve("no-such-dir/sluice.properties");
            assertFalse(Files.exists(missing));
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(missing)
                    .args("url=" + up.chatUrl(), "calls=10", "mode=sync").run(60);
            assertEquals(10, r.num("ok"), r.toString());
            assertTrue(r.stderr.contains(missing.getFileName().toString()), "names the file:\n" + r.stderr);
        }
    }

    @Test
    void disabledAgentIsANoOp() throws Exception {
        try (Upstream up = Upstream.start(b -> b.rpm(60_000))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 1).write();
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg).env("SLUICE_ENABLED", "false")
                    .args("url=" + up.chatUrl(), "calls=20", "mode=async").run(60);
            assertEquals(20, r.num("ok"), "rpm=1 would have made them wait: the agent is off\n" + r);
        }
    }
}
