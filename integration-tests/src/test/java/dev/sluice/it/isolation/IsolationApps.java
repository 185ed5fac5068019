package dev.sluice.it.isolation;

import dev.sluice.it.Jdks;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where the build (module isolation-apps) leaves the real applications and the other agent these tests run, and
 * what the JVM itself may add to an application's stderr once any agent is on the bootstrap path.
 */
final class IsolationApps {
    static final Path APPS = Path.of(System.getProperty("sluice.it.apps", "../isolation-apps"));
    /** Spring Boot executable jar: openai-java and Spring nested under BOOT-INF/lib. */
    static final Path BOOT_JAR = APPS.resolve("boot-openai/target/boot-openai-app.jar");
    static final String OWN_DEPS_MAIN = "dev.sluice.isolation.owndeps.OwnDepsApp";
    /** The OpenTelemetry Java agent, as published. */
    static final Path OTEL_AGENT = APPS.resolve("otel-agent/target/opentelemetry-javaagent.jar");

    private IsolationApps() {
    }

    /** The own-dependencies app's class path: its jar and its lib folder, nothing else. */
    static String ownDepsClassPath() {
        Path target = APPS.resolve("own-deps/target");
        return target.resolve("own-deps-app.jar").toAbsolutePath() + File.pathSeparator
                + target.resolve("lib").toAbsolutePath() + File.separator + "*";
    }

    /** The JDK to run on: 17 is the one running the tests; 25 is found or the test is skipped (never in CI). */
    static String javaHome(int feature) {
        if (feature == Runtime.version().feature()) return System.getProperty("java.home");
        return Jdks.require(feature);
    }

    /**
     * The lines of an application's stderr that are its own: without Sluice's {@code [sluice]} lines and the one
     * warning the JVM prints for any agent that appends to the bootstrap class path (class data sharing then covers
     * the boot loader only).
     */
    static List<String> ownStderr(String stderr) {
        return stderr.lines()
                .filter(l -> !l.contains(" [sluice] "))
                .filter(l -> !l.contains("Sharing is only supported for boot loader classes because bootstrap classpath has been appended"))
                .collect(Collectors.toList());
    }

    /** The lines the own-dependencies app logs through its logback configuration. */
    static List<String> appLines(String stdout) {
        return stdout.lines().filter(l -> l.startsWith("APP ")).collect(Collectors.toList());
    }
}
