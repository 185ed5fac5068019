package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link GateConcurrencyStress} with many platform threads in this JVM, and with 10,000 virtual threads in a child
 * JVM on JDK 25 (Temurin, found under /usr/lib/jvm or SLUICE_JDK25_HOME; skipped where absent, except in CI, where
 * it must run). A hang in the child is reported with its thread dump (jcmd Thread.print, virtual threads included).
 * Seeded: {@code -Dsluice.seed=}.
 */
class GateConcurrencyStressTest {
    static final long SEED = Long.getLong("sluice.seed", System.nanoTime());

    @Test
    void fourHundredPlatformThreads() throws Exception {
        String r = new GateConcurrencyStress(400, 40, false, 16, SEED).run();
        System.out.println("FIGURES gate stress (platform threads): " + r);
        assertTrue(r.startsWith("RESULT ok=true"), r + " (re-run with -Dsluice.seed=" + SEED + ")");
    }

    @Test
    void tenThousandVirtualThreadsOnJdk25() throws Exception {
        String home = jdk(25);
        String cp = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target/test-classes").toAbsolutePath();
        Path out = Files.createTempFile("gate-stress-", ".out");
        Process p = new ProcessBuilder(Path.of(home, "bin", "java").toString(), "-Xmx512m", "-cp", cp,
                GateConcurrencyStress.class.getName(), "threads=10000", "ops=40", "virtual=true", "slots=32",
                "seed=" + SEED).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            String dump = jcmd(home, p.pid());
            p.destroyForcibly();
            throw new AssertionError("the stress hung (seed " + SEED + "):\n" + Files.readString(out) + "\n" + dump);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        String result = text.lines().filter(l -> l.startsWith("RESULT")).findFirst().orElse("no RESULT");
        System.out.println("FIGURES gate stress (virtual threads, JDK 25): " + result);
        assertEquals(0, p.exitValue(), text.length() > 20_000 ? text.substring(0, 20_000) : text);
        assertTrue(result.startsWith("RESULT ok=true") && result.contains("virtual=true"),
                result + " (re-run with -Dsluice.seed=" + SEED + ")");
    }

    private static String jcmd(String home, long pid) {
        try {
            Process j = new ProcessBuilder(Path.of(home, "bin", "jcmd").toString(), String.valueOf(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            j.waitFor(30, TimeUnit.SECONDS);
            return new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /** A JDK of that feature release, or the test is skipped (in CI it fails: CI must run it). */
    static String jdk(int feature) {
        Optional<String> found = Optional.empty();
        String env = System.getenv("SLUICE_JDK" + feature + "_HOME");
        if (env != null && Files.isExecutable(Path.of(env, "bin", "java"))) found = Optional.of(env);
        File[] dirs = new File("/usr/lib/jvm").listFiles();
        for (File d : found.isPresent() || dirs == null ? new File[0] : dirs) {
            String n = d.getName();
            if ((n.contains("-" + feature + "-") || n.endsWith("-" + feature) || n.contains("jdk-" + feature))
                    && Files.isExecutable(d.toPath().resolve("bin/java"))) {
                found = Optional.of(d.getAbsolutePath());
                break;
            }
        }
        if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("JDK " + feature + " not found; CI must run this test");
        }
        assumeTrue(found.isPresent(), "JDK " + feature + " not found; skipping");
        return found.get();
    }
}
