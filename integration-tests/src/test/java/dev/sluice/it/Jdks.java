package dev.sluice.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Finds a second JDK (Temurin 25) beside the default one; skips the test where it is absent, except in CI. */
public final class Jdks {
    private Jdks() {
    }

    public static Optional<String> find(int feature) {
        String fromEnv = System.getenv("SLUICE_JDK" + feature + "_HOME");
        if (fromEnv != null && Files.isExecutable(Path.of(fromEnv, "bin", "java"))) return Optional.of(fromEnv);
        File[] dirs = new File("/usr/lib/jvm").listFiles();
        if (dirs == null) return Optional.empty();
        for (File d : dirs) {
            String n = d.getName();
            if ((n.contains("-" + feature + "-") || n.endsWith("-" + feature) || n.contains("jdk-" + feature))
                    && Files.isExecutable(d.toPath().resolve("bin/java"))) {
                return Optional.of(d.getAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** The JDK's home, or the test is skipped with a message (in CI it fails instead: CI must run it). */
    public static String require(int feature) {
        Optional<String> home = find(feature);
        if (home.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("JDK " + feature + " not found under /usr/lib/jvm or SLUICE_JDK" + feature
                    + "_HOME; CI must run this test");
        }
        assumeTrue(home.isPresent(), "JDK " + feature + " not found under /usr/lib/jvm (or SLUICE_JDK" + feature
                + "_HOME); skipping");
        return home.get();
    }
}
