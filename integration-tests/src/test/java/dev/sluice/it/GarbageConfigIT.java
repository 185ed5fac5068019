package dev.sluice.it;

import dev.sluice.it.apps.ChaosLoad;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A configuration file full of garbage still lets the application run and its calls pass: every key of the
 * endpoint set to a bad value (one message per key, the defaults used, the endpoint still governed), and a file of
 * random bytes (Sluice says so and governs nothing). The unit side, every key against fifty garbage values, is
 * GarbageValuesTest.
 */
class GarbageConfigIT {
    /** A bad value for each endpoint key, and for the global ones (which keep the agent working). */
    static final String[][] BAD = {
            {"provider", "openai-ish"}, {"mode", "enforcing"}, {"rpm", "-5"}, {"tpm", "lots"}, {"burst", "0"},
            {"max-concurrent", "1e3"}, {"queue.capacity", "NaN"}, {"queue.high-water", "150%"},
            {"queue.low-water", "-1"}, {"queue.max-wait", "soon"}, {"queue.overflow", "drop-everything"},
            {"shed.threshold", "2"}, {"shed.normal", "x"}, {"shed.high", "-0.5"}, {"priority.header", "X Bad Header"},
            {"priority.default", "urgent"}, {"priority.threads.high", "(unclosed"}, {"breaker.failures", "0"},
            {"breaker.failure-rate", "120%"}, {"breaker.window", "99999999"}, {"breaker.open-for", "forever"},
            {"breaker.half-open-calls", "-2"}, {"tokens.estimator", "magic"}, {"tokens.output-default", "-512"},
            {"reject", "maybe"}, {"store", "memcached://x"}, {"store.fallback-share", "3/2"}, {"max-pause", "0"},
    };

    @Test
    void everyEndpointKeyGarbledTheCallsStillPass() throws Exception {
        try (Upstream up = Upstream.start(b -> b.completionTokens(8))) {
            SluiceConfigFile f = SluiceConfigFile.forUpstream(up);
            for (String[] kv : BAD) f.endpoint(kv[0], kv[1]);
            f.key("sluice.jmx", "perhaps").key("sluice.log.level", "loud").key("sluice.enabled", "yes!")
                    .key("sluice.mode", "strict").raw("this line is not a key").raw("sluice.endpoint.mock.rmp=5");
            ChildJvm.Result r = ChildJvm.of(ChaosLoad.class).withAgent(f.write())
                    .args("client=jdk", "url=" + up.chatUrl(), "calls=40", "mix=clean", "workers=4", "settleMs=2000")
                    .run(120);
            List<String> lines = r.stderr.lines().filter(l -> l.contains("[sluice]")).toList();
            System.out.printf(Locale.ROOT, "FIGURES garbage config: %d bad keys, %d calls ok, %d [sluice] lines%n",
                    BAD.length + 4, r.num("o.READ:ok"), lines.size());
            assertEquals(40, r.num("o.READ:ok"), r.toString());
            assertEquals(0, r.num("InFlight"), r.toString());
            assertTrue(r.num("Admitted") >= 40, "the endpoint is still governed\n" + r.result());
            for (String[] kv : BAD) {
                String key = "sluice.endpoint.mock." + kv[0];
                long n = lines.stream().filter(l -> l.contains(key + "=")).count();
                assertEquals(1, n, key + " is reported once\n" + String.join("\n", lines));
            }
            for (String g : new String[] {"sluice.jmx=", "sluice.log.level=", "sluice.enabled=", "sluice.mode="}) {
                assertEquals(1, lines.stream().filter(l -> l.contains(g)).count(), g + "\n" + String.join("\n", lines));
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains("did you mean sluice.endpoint.mock.rpm")), r.stderr);
            assertTrue(lines.stream().anyMatch(l -> l.contains(" active")), "Sluice started\n" + r.stderr);
        }
    }

    @Test
    void aFileOfRandomBytes() throws Exception {
        try (Upstream up = Upstream.start(b -> b.completionTokens(8))) {
            byte[] junk = new byte[64 * 1024];
            new Random(42).nextBytes(junk);
            Files.createDirectories(ChildJvm.WORK);
            Path cfg = Files.createTempFile(ChildJvm.WORK, "junk-", ".properties");
            Files.write(cfg, junk);
            ChildJvm.Result r = ChildJvm.of(ChaosLoad.class).withAgent(cfg)
                    .args("client=urlconn", "url=" + up.chatUrl(), "calls=20", "mix=clean", "workers=2", "settleMs=0")
                    .run(120);
            System.out.printf(Locale.ROOT, "FIGURES random-bytes config: %d calls ok, %d [sluice] lines%n",
                    r.num("o.READ:ok"), r.stderr.lines().filter(l -> l.contains("[sluice]")).count());
            assertEquals(20, r.num("o.READ:ok"), r.toString());
            assertTrue(r.stderr.contains("not valid UTF-8"), r.stderr);
            assertTrue(r.stderr.lines().filter(l -> l.contains("[sluice]")).allMatch(l -> l.length() < 1000),
                    "every message stays readable");
            assertTrue(new String(Files.readAllBytes(cfg), StandardCharsets.ISO_8859_1).length() > 0);
        }
    }
}
