package dev.sluice.it;

import dev.sluice.it.apps.ChaosLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fail open, proved with the agent's test-only fault switch ({@code -Dsluice.test.faults}, see
 * {@code dev.sluice.client.FaultInjection}): every internal step throws on about half of its passes (matching,
 * estimation, usage parsing, the gate's admission and release), and the application's calls must all complete as
 * if Sluice were not there: status 200 and the right body, no exception. Each step's fault is logged once, and the
 * MBeans count every one: the Agent MBean's Faults all of them, the endpoint's those that knew their endpoint (all
 * but matching's). A permit whose release failed is left to the gate's lease, so InFlight ends at that count.
 */
class FailOpenIT {
    static final int CALLS = 300;
    static final String MARK = "fault injected by sluice.test.faults at ";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk", "urlconn", "apache5", "apache5-async", "apache4", "okhttp3", "okhttp5",
            "reactor-netty"})
    void everyStepThrowingLeavesTheApplicationsCallsAlone(String family) throws Exception {
        try (Upstream up = Upstream.start(b -> b.completionTokens(8))) {
            Path cfg = SluiceConfigFile.forUpstream(up).write();
            ChildJvm.Result r = NoLeakIT.child(family).withAgent(cfg)
                    .jvmArg("-Dsluice.test.faults=match,estimate,usage,gate").jvmArg("-Dsluice.test.faults.rate=0.5")
                    .args("client=" + NoLeakIT.client(family), "url=" + up.chatUrl(), "calls=" + CALLS, "mix=clean", "workers=8",
                            "settleMs=500")
                    .run(180);
            Map<String, Long> injected = injected(r);
            long total = injected.get("total");
            System.out.printf(Locale.ROOT, "FIGURES fail-open %s: %d calls, %d faults injected %s; agent Faults %d,"
                            + " endpoint Faults %d, InFlight %d (releases that failed), fault log lines %d%n", family,
                    r.num("calls"), total, injected, r.num("AgentFaults"), r.num("Faults"), r.num("InFlight"),
                    faultLines(r).size());
            assertEquals(0, r.exitCode, r.toString());
            assertEquals(CALLS, r.num("o.READ:ok"), "every call: 200 and the right body\n" + r.result());
            assertEquals(0, r.num("sluiceThrown"), r.toString());
            for (String step : List.of("match", "estimate", "usage", "admit", "release")) {
                assertTrue(injected.get(step) > 0, step + " was exercised: " + injected);
                long lines = faultLines(r).stream().filter(l -> l.contains(MARK + step + ")")).count();
                assertEquals(1, lines, step + "'s fault is logged once\n" + String.join("\n", faultLines(r)));
            }
            assertEquals(5, faultLines(r).size(), "one line per step, nothing else\n" + String.join("\n", faultLines(r)));
            assertEquals(total, r.num("AgentFaults"), "the Agent MBean counts every fault");
            assertEquals(total - injected.get("match"), r.num("Faults"), "the endpoint MBean counts its own");
            assertEquals(injected.get("release"), r.num("InFlight"), "a failed release is left to the lease");
            assertEquals(r.num("Admitted"), r.num("Completed") + r.num("InFlight"), r.result().toString());
        }
    }

    /** Endpoint MBeans that cannot be registered: the calls pass, the Agent MBean counts the fault, logged once. */
    @Test
    void jmxRegistrationFailing() throws Exception {
        try (Upstream up = Upstream.start(b -> b.completionTokens(8))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 60_000).write();
            ChildJvm.Result r = ChildJvm.of(ChaosLoad.class).withAgent(cfg).jvmArg("-Dsluice.test.faults=jmx")
                    .args("client=jdk", "url=" + up.chatUrl(), "calls=50", "mix=clean", "workers=4", "settleMs=0")
                    .run(120);
            System.out.printf(Locale.ROOT, "FIGURES fail-open jmx registration: %d calls ok, agent Faults %d, lines %d%n",
                    r.num("o.READ:ok"), r.num("AgentFaults"), faultLines(r).size());
            assertEquals(50, r.num("o.READ:ok"), r.toString());
            assertEquals(1, r.num("AgentFaults"), r.toString());
            assertEquals(-1, r.num("InFlight"), "no endpoint MBean");
            assertEquals(1, faultLines(r).size(), r.stderr);
            assertTrue(faultLines(r).get(0).contains("jmx registration"), r.stderr);
        }
    }

    /** The endpoint MBean's live figures failing to read: the JMX client gets an error, the calls pass. */
    @Test
    void jmxReadsFailing() throws Exception {
        try (Upstream up = Upstream.start(b -> b.completionTokens(8))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 60_000).write();
            ChildJvm.Result r = ChildJvm.of(ChaosLoad.class).withAgent(cfg).jvmArg("-Dsluice.test.faults=jmx-read")
                    .args("client=jdk", "url=" + up.chatUrl(), "calls=50", "mix=clean", "workers=4", "settleMs=0")
                    .run(120);
            long errors = r.stdout.lines().filter(l -> l.startsWith("JMXERR dev.sluice:type=Endpoint")).count();
            System.out.printf(Locale.ROOT, "FIGURES fail-open jmx reads: %d calls ok, %d attributes failed to read%n",
                    r.num("o.READ:ok"), errors);
            assertEquals(50, r.num("o.READ:ok"), r.toString());
            assertTrue(errors > 0, "the reads did fail: " + r.stdout);
            assertEquals(0, r.num("Faults"), "attributes that do not read the gate still read");
        }
    }

    /** {@code test faults injected: total=N match=N ...}, logged by the agent at exit. */
    static Map<String, Long> injected(ChildJvm.Result r) {
        String line = r.stderr.lines().filter(l -> l.contains("test faults injected:")).findFirst()
                .orElseThrow(() -> new AssertionError("no fault summary\n" + r.stderr));
        Map<String, Long> m = new LinkedHashMap<>();
        for (String kv : line.substring(line.indexOf("injected:") + 9).trim().split(" ")) {
            int i = kv.indexOf('=');
            m.put(kv.substring(0, i), Long.parseLong(kv.substring(i + 1)));
        }
        return m;
    }

    /** The [sluice] lines that report an internal fault. */
    static List<String> faultLines(ChildJvm.Result r) {
        return r.stderr.lines().filter(l -> l.contains("[sluice]") && l.contains("internal error in")).toList();
    }
}
