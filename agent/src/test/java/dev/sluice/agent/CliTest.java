package dev.sluice.agent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpAndUsageErrors() {
        assertEquals(0, run("help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("attach <pid> config=<file>"));
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"));
        assertEquals(2, run("status"));
        assertEquals(2, run("status", "12x"));
        assertTrue(err().contains("'12x' is not a process id"));
        assertEquals(2, run("attach", "1"));
    }

    @Test
    void aWrongPidIsSaidPlainly() {
        assertEquals(1, run("status", "2147483646"));
        assertTrue(err().contains("no process with pid 2147483646"), err());
        assertEquals(1, run("status", String.valueOf(ProcessHandle.current().pid())));
        assertTrue(err().contains("is this command itself"), err());
    }

    @Test
    void attachChecksTheConfigFileFirst() {
        assertEquals(1, run("attach", "2147483646", "config=/no/such/sluice.properties"));
        assertTrue(err().contains("config file /no/such/sluice.properties does not exist"), err());
    }

    @Test
    void setValuesAreCheckedBeforeConnecting() throws Exception {
        assertEquals(2, run("set", "1", "openai", "rmp=5"));
        assertTrue(err().contains("unknown key 'rmp'"), err());
        assertEquals(2, run("set", "1", "openai", "queue.max-wait=30"));
        assertTrue(err().contains("not a duration"), err());
        assertEquals(30_000L, Cli.value("queue.max-wait", "30s"));
        assertEquals(250L, Cli.value("queue.max-wait", "250ms"));
        assertEquals(120_000L, Cli.value("queue.max-wait", "2m"));
        assertEquals(0.8, Cli.value("shed.threshold", "80%"));
        assertEquals(0.8, Cli.value("shed.threshold", "0.8"));
        assertThrows(Cli.Failure.class, () -> Cli.value("shed.threshold", "80"));
        assertEquals(1800L, Cli.value("rpm", "1800"));
        assertEquals(4, Cli.value("max-concurrent", "4"));
        assertEquals("observe", Cli.value("mode", "OBSERVE"));
        assertThrows(Cli.Failure.class, () -> Cli.value("mode", "watch"));
        assertThrows(Cli.Failure.class, () -> Cli.value("tpm", "lots"));
    }

    @Test
    void statusTableHasOneColumnPerEndpointAndAttributeNamedRows() {
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("Version", "0.1.0");
        agent.put("Mode", "enforce");
        agent.put("ConfigPath", "/etc/sluice.properties");
        agent.put("Attached", true);
        agent.put("InstrumentedClients", new String[]{"jdk-httpclient"});
        agent.put("Faults", 0L);
        agent.put("LastReload", "none yet");
        agent.put("Overrides", new String[]{"openai.rpm=1800 (file: 6000)"});
        Map<String, Map<String, Object>> eps = new LinkedHashMap<>();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("Rpm", 1800L);
        a.put("BreakerState", "closed");
        a.put("Utilization", 0.25);
        a.put("RejectedByReason", new LinkedHashMap<>(Map.of("shed", 3L)));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("Rpm", 0L);
        b.put("BreakerState", "half-open");
        b.put("Utilization", 1.0);
        eps.put("openai", a);
        eps.put("vllm", b);
        String t = StatusTable.render(42, agent, eps, List.of(Map.of("name", "slow", "endpoint", "openai",
                "state", "firing", "when", "wait.avg > 10s", "action", "shed-low", "detail", "wait.avg=12s")));
        assertTrue(t.startsWith("Sluice 0.1.0 in pid 42 (attached): mode enforce, config /etc/sluice.properties\n"), t);
        assertTrue(t.contains("\nRpm                       1800    0          (0 = unlimited)\n"), t);
        assertTrue(t.contains("\nBreakerState              closed  half-open\n"), t);
        assertTrue(t.contains("\nUtilization               0.25    1\n"), t);
        assertTrue(t.contains("\nRejectedByReason          shed=3  -\n"), t);
        assertTrue(t.contains("\n                          openai  vllm\n-- limits\n"), t);
        assertTrue(t.contains("  openai.rpm=1800 (file: 6000)\n"), t);
        assertTrue(t.contains("  slow@openai  firing  when wait.avg > 10s  -> shed-low  (wait.avg=12s)\n"), t);
    }
}
