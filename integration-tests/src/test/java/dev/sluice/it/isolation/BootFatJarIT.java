package dev.sluice.it.isolation;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spring Boot 3.5 executable jar (spring-boot-maven-plugin repackage: Spring, openai-java, OkHttp, Kotlin and
 * Jackson nested under BOOT-INF/lib, loaded by Boot's LaunchedClassLoader), started as its users start it,
 * {@code java -javaagent:sluice-agent.jar=... -jar app.jar}: the limits apply to the SDK's calls.
 */
class BootFatJarIT {
    /**
     * The upstream's quota: 100 calls/s, and Sluice is told the same, with one second of burst. The upstream lets
     * two seconds' worth through at once: 3x the quota for 1.5 s (450 calls) still far outruns it (it would
     * answer ~100 of them 429 without Sluice), while a machine loaded by other builds, whose scheduling stalls were
     * seen to let calls bunch up well past the bucket's 250 ms margin, cannot turn a stall into a 429. The point here
     * is that the limits apply inside a Boot fat jar; the client tests check the margin itself.
     */
    static final int RPM = 6000;
    static final double BURST = 1.0 / 60;
    static final int CALLS = 450;
    static final int RATE = 300;

    /** 3x the upstream's quota for 1.5 s: not one 429 reaches the app, every call succeeds, at the quota's pace. */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(ints = {17, 25})
    void threeTimesTheQuotaMeetsNo429(int jdk) throws Exception {
        String home = IsolationApps.javaHome(jdk);
        try (Upstream up = Upstream.start(b -> b.rpm(RPM).burstSeconds(2))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", RPM).endpoint("burst", BURST)
                    .endpoint("queue.capacity", 2000).endpoint("queue.max-wait", "60s").write();
            ChildJvm.Result r = ChildJvm.ofJar(IsolationApps.BOOT_JAR).javaHome(home).withAgent(cfg)
                    .args("--baseUrl=" + up.baseUrl() + "/v1", "--calls=" + CALLS, "--rate=" + RATE,
                            "--maxRetries=0", "--warmup=1")
                    .run(180);
            double ideal = (CALLS + 1 - RPM * BURST) / (RPM / 60.0);
            double wall = r.num("wallMs") / 1000.0;
            System.out.printf("FIGURES boot fat jar JDK %d: %d calls (+1 warm-up), %d reached the upstream, %d x 429,"
                    + " ok %d, wall %.2f s, ideal %.2f s, OkHttp loaded by %s%n", jdk, CALLS, up.requests(),
                    up.rateLimited(), r.num("ok"), wall, ideal, r.result().get("loader"));
            assertEquals("org.springframework.boot.loader.launch.LaunchedClassLoader", r.result().get("loader"),
                    "OkHttp came from the nested jars\n" + r);
            assertTrue(r.stderr.contains("okhttp"), "the OkHttp unit is installed\n" + r.stderr);
            assertEquals(0, up.rateLimited(), "upstream 429s\n" + r);
            assertEquals(CALLS, r.num("ok"), "every call succeeds\n" + r);
            // Not held back far beyond what the quota needs. The plain-client tests check the pace closely; here a
            // cold Spring app and SDK, on JDK 25 too, get a wide margin: the point is that the limits apply.
            assertTrue(wall <= ideal * 1.5 + 0.5, "wall " + wall + " s vs ideal " + ideal + " s\n" + r);
            assertEquals(0, r.exitCode, r.toString());
            assertTrue(IsolationApps.ownStderr(r.stderr).stream().noneMatch(l -> l.contains("ERROR") || l.contains("WARN")),
                    r.stderr);
        }
    }

    /** A breaker refusal reaches the application as the SDK's own I/O failure, Sluice's exception its cause. */
    @Test
    void aBreakerRefusalSurfacesThroughTheSdk() throws Exception {
        try (Upstream up = Upstream.start(b -> b.failStatus(500))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("breaker.failures", 1)
                    .endpoint("breaker.open-for", "60s").write();
            ChildJvm.Result r = ChildJvm.ofJar(IsolationApps.BOOT_JAR).withAgent(cfg)
                    .args("--baseUrl=" + up.baseUrl() + "/v1", "--calls=5", "--maxRetries=0", "--warmup=1")
                    .run(120);
            assertEquals(1, up.requests(), "only the warm-up call reached the failing upstream\n" + r);
            assertEquals(5, r.num("refused.breaker-open"), r.toString());
            String refusal = r.stdout.lines().filter(l -> l.startsWith("REFUSAL ")).findFirst().orElseThrow();
            assertTrue(refusal.startsWith("REFUSAL outer=com.openai.errors.OpenAIIoException "), refusal);
            assertTrue(refusal.contains("circuit breaker open"), refusal);
        }
    }
}
