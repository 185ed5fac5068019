package dev.sluice.it;

import dev.sluice.it.apps.TimeoutProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client's own request timeout is honoured while its call waits in Sluice's queue, and the wait counts toward
 * it. The upstream answers in 900 ms and the endpoint lets one call in at a time, so each probe waits behind a
 * "blocker" call that started earlier (see {@link TimeoutProbe}):
 * <ol>
 *   <li>a 500 ms timeout, 50 ms after the blocker: it would wait ~850 ms, so it is refused when its 500 ms are
 *       up, reason {@code timeout}, with a message that says its own timeout elapsed while waiting;</li>
 *   <li>a 1 s timeout, 600 ms after the blocker: it waits ~300 ms, then meets the 900 ms upstream; 300 + 900 ms
 *       is past its timeout, so it fails with the client's own timeout exception at ~1 s (had the wait not
 *       counted, it would have succeeded in ~1.2 s);</li>
 *   <li>a 1.5 s timeout, 600 ms after the blocker: 300 + 900 ms fits, it succeeds.</li>
 * </ol>
 */
class TimeoutsIT {
    static final long LATENCY_MS = 900;

    @ParameterizedTest
    @ValueSource(strings = {"jdk-sync", "jdk-async"})
    void clientTimeoutFiresInTheQueueAndTheWaitCounts(String client) throws Exception {
        run(client, null);
    }

    /** OkHttp's callTimeout, on the test class path's OkHttp 4 and on the OkHttp 3 and 5 library sets. */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"okhttp-sync,", "okhttp-async,", "okhttp-sync,okhttp3", "okhttp-async,okhttp5"})
    void okHttpCallTimeoutFiresInTheQueueAndTheWaitCounts(String client, String libs) throws Exception {
        run(client, libs);
    }

    /**
     * Apache HttpClient 5 has no timeout for a whole call: its RequestConfig response timeout (a per-read timeout)
     * bounds the wait, as HttpURLConnection's read timeout does, and is not shortened afterwards (it would cut every
     * read of a streamed body short). So the first probe is refused at 500 ms as for the other clients, and the
     * second, whose answer comes 900 ms after admission, well within its 1 s per-read timeout, succeeds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"apache5-sync", "apache5-async"})
    void apache5ResponseTimeoutBoundsTheWait(String client) throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(LATENCY_MS))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("max-concurrent", 1).write();
            ChildJvm.Result r = ChildJvm.of(TimeoutProbe.class).withAgent(cfg).args("url=" + up.chatUrl(),
                    "client=" + client, "probe=50:500", "probe=600:1000").run(120);
            Map<String, String> refused = probe(r, 0);
            assertEquals("refused", refused.get("outcome"), r.toString());
            assertEquals("timeout", refused.get("reason"), r.toString());
            long refusedAt = Long.parseLong(refused.get("elapsedMs"));
            assertTrue(refusedAt >= 450 && refusedAt < 1000, "refused at its 500 ms response timeout: " + refusedAt
                    + "\n" + r);
            assertTrue(message(r, 0).contains("client timeout reached while waiting"), r.toString());
            assertEquals("ok", probe(r, 1).get("outcome"), "the per-read timeout is not shortened\n" + r);
        }
    }

    /** The same on JDK 25. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk-async", "okhttp-sync"})
    void onJdk25(String client) throws Exception {
        run(client, null, Jdks.require(25));
    }

    static void run(String client, String libs) throws Exception {
        run(client, libs, System.getProperty("java.home"));
    }

    static void run(String client, String libs, String javaHome) throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(LATENCY_MS))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("max-concurrent", 1).endpoint("queue.max-wait", "30s")
                    .write();
            ChildJvm child = ChildJvm.of(TimeoutProbe.class).javaHome(javaHome).withAgent(cfg);
            if (libs != null) child.libs(libs);
            ChildJvm.Result r = child.args("url=" + up.chatUrl(), "client=" + client,
                    "probe=50:500", "probe=600:1000", "probe=600:1500").run(120);
            assertEquals(0, r.exitCode, r.toString());

            Map<String, String> refused = probe(r, 0);
            assertEquals("refused", refused.get("outcome"), r.toString());
            assertEquals("timeout", refused.get("reason"), r.toString());
            assertEquals("dev.sluice.SluiceRejectedException", refused.get("type"), r.toString());
            long refusedAt = Long.parseLong(refused.get("elapsedMs"));
            assertTrue(refusedAt >= 450 && refusedAt < 1000, "refused at its own 500 ms timeout, not later: " + refusedAt
                    + "\n" + r);
            String message = message(r, 0);
            assertTrue(message.contains("client timeout reached while waiting"), message);

            Map<String, String> counted = probe(r, 1);
            assertEquals("timeout", counted.get("outcome"), "the wait counted toward the timeout\n" + r);
            long timedOutAt = Long.parseLong(counted.get("elapsedMs"));
            assertTrue(timedOutAt >= 900 && timedOutAt < 1400, "the client's timeout fired at ~1 s from the call: "
                    + timedOutAt + "\n" + r);

            Map<String, String> fits = probe(r, 2);
            assertEquals("ok", fits.get("outcome"), r.toString());
            long okAt = Long.parseLong(fits.get("elapsedMs"));
            assertTrue(okAt >= 1000, "it waited for the blocker, then the upstream: " + okAt + "\n" + r);
            assertTrue(r.stderr.lines().noneMatch(l -> l.contains("ERROR")), r.stderr);
        }
    }

    static Map<String, String> probe(ChildJvm.Result r, int i) {
        for (String line : r.stdout.split("\n")) {
            if (line.startsWith("PROBE i=" + i + " ")) {
                Map<String, String> m = new HashMap<>();
                for (String kv : line.substring(6).trim().split(" ")) {
                    int e = kv.indexOf('=');
                    if (e > 0) m.put(kv.substring(0, e), kv.substring(e + 1));
                }
                return m;
            }
        }
        throw new AssertionError("no PROBE " + i + "\n" + r);
    }

    static String message(ChildJvm.Result r, int i) {
        for (String line : r.stdout.split("\n")) {
            if (line.startsWith("MESSAGE i=" + i + " ")) return line.substring(("MESSAGE i=" + i + " ").length());
        }
        throw new AssertionError("no MESSAGE " + i + "\n" + r);
    }
}
