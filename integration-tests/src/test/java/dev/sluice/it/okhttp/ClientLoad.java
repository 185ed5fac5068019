package dev.sluice.it.okhttp;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every client test of this package checks, in one place: the 3x-load run (zero upstream 429s, every call
 * succeeds, wall time within 1.1x the ideal + 0.3 s, every permit back) and the refusal run (the client's own
 * failure carries Sluice's refusal); the Reactor Netty tests share it. The figures are printed as one FIGURES line per run for the report.
 */
public final class ClientLoad {
    /** Upstream quota: 100 calls/s with one second of burst; Sluice is told the same. */
    public static final int RPM = 6000;
    public static final double BURST = 1.0 / 60;
    /**
     * 3x the quota for 1.5 s: 450 calls at 300/s, ideal 3.5 s, which leaves room for a scheduling hiccup above the
     * gate's fixed ~0.25 s start-up cost (as the other clients' rate runs do).
     */
    public static final int CALLS = 450;
    public static final int RATE = 300;

    private ClientLoad() {
    }

    public static Upstream rateLimitedUpstream() throws IOException {
        return Upstream.start(b -> b.rpm(RPM).burstSeconds(1));
    }

    public static SluiceConfigFile rateConfig(Upstream up, String provider) {
        return SluiceConfigFile.forUpstream(up).endpoint("provider", provider)
                .endpoint("rpm", RPM).endpoint("burst", BURST)
                .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s");
    }

    /**
     * One breaker failure opens it for a minute: the app's warm-up call meets the failing upstream, every call after
     * it is refused.
     */
    public static Path breakerConfig(Upstream up, String provider) throws IOException {
        return SluiceConfigFile.forUpstream(up).endpoint("provider", provider)
                .endpoint("breaker.failures", 1).endpoint("breaker.open-for", "60s").write();
    }

    /** Runs the child; {@code warmup} calls made before the clock starts count against both buckets. */
    public static ChildJvm.Result assertRateBound(String label, Upstream up, ChildJvm child, int warmup) throws Exception {
        return assertRateBound(label, up, child, warmup, 1.1);
    }

    /**
     * As above with a wall-time bound of {@code slack} x ideal + 0.3 s. Streams hold each call open while its
     * events arrive, so their runs get a little more room (issue 5 bounds 429s, successes and tokens, not time).
     */
    public static ChildJvm.Result assertRateBound(String label, Upstream up, ChildJvm child, int warmup, double slack)
            throws Exception {
        ChildJvm.Result r = child.run(180);
        long rateLimited = up.rateLimited();
        double ideal = (CALLS + warmup - RPM * BURST) / (RPM / 60.0);
        double wall = r.num("wallMs") / 1000.0;
        System.out.printf("FIGURES %s: %d calls (+%d warm-up), %d reached the upstream, %d x 429, ok %d, wall %.2f s,"
                        + " ideal %.2f s, ratio %.3f, inFlight %d%n", label, CALLS, warmup, up.requests(), rateLimited,
                r.num("ok"), wall, ideal, wall / ideal, r.num("inFlight"));
        assertEquals(0, rateLimited, "upstream 429s\n" + r);
        assertEquals(CALLS, r.num("ok"), "every call succeeds\n" + r);
        assertTrue(wall <= ideal * slack + 0.3, "wall " + wall + " s vs ideal " + ideal + " s\n" + r);
        assertPermitsBack(r);
        return r;
    }

    public static void assertPermitsBack(ChildJvm.Result r) {
        assertEquals(0, r.num("inFlight"), "every permit back\n" + r);
        assertEquals(0, r.num("queueDepth"), "nobody left waiting\n" + r);
        assertEquals(0, r.num("reclaimed"), "no permit had to be reclaimed by its lease\n" + r);
        assertEquals(0, r.num("faults"), "no internal error\n" + r);
    }

    /**
     * The refusal the application saw: {@code outer} is the class it caught, {@code sluiceMessageInOuter} whether
     * that exception's own message carries Sluice's, {@code message} Sluice's message.
     */
    public static Map<String, String> refusal(ChildJvm.Result r) {
        for (String line : r.stdout.split("\n")) {
            if (line.startsWith("REFUSAL ")) {
                int m = line.indexOf(" message=");
                String[] head = line.substring(8, m).split(" ");
                Map<String, String> out = new java.util.HashMap<>();
                for (String kv : head) out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                out.put("message", line.substring(m + 9));
                return out;
            }
        }
        throw new AssertionError("no refusal seen\n" + r);
    }

    /**
     * Asserts the refusal run (with {@code warmup=1}): only the warm-up call reached the failing upstream; every
     * counted call ended with Sluice's refusal inside the {@code outerType} the application caught (retries on: the
     * SDK's retries were refused too, and it gave up with the same kind of failure).
     */
    public static Map<String, String> assertRefused(String label, Upstream up, ChildJvm.Result r, String outerType) {
        Map<String, String> refusal = refusal(r);
        System.out.printf("FIGURES %s refusal: %s, message \"%s\", in its own message %s%n", label,
                refusal.get("outer"), refusal.get("message"), refusal.get("sluiceMessageInOuter"));
        assertEquals(1, up.requests(), "only the call that opened the breaker reached the upstream\n" + r);
        assertEquals(r.num("calls"), r.num("refused.breaker-open"), "refused while the breaker is open\n" + r);
        assertEquals(outerType, refusal.get("outer"), r.toString());
        assertFalse(refusal.get("message").isBlank(), r.toString());
        assertTrue(r.num("refusedMaxMs") < 5000, r.toString());
        assertPermitsBack(r);
        return refusal;
    }
}
