package dev.sluice.it.isolation;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application that carries and uses its own Byte Buddy (1.17, older than the agent's), SLF4J 2 with logback and
 * its own logback.xml, Jackson 2.17 and OkHttp 5 runs unchanged with the agent: everything it logs is the same, line
 * for line, with and without it; its stderr gains nothing but Sluice's own lines; and its calls are governed (the
 * endpoint lets one call in at a time: without the agent the upstream sees them overlap, with it never). Its main
 * method returns without System.exit: the JVM still ends, so the agent leaves no non-daemon thread behind.
 */
class OwnDependenciesIT {
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(ints = {17, 25})
    void runsUnchangedAndGoverned(int jdk) throws Exception {
        String home = IsolationApps.javaHome(jdk);
        ChildJvm.Result without;
        int overlapWithout;
        try (Upstream up = Upstream.start(b -> b.latencyMillis(150))) {
            without = app(home, up).run(120);
            overlapWithout = up.maxConcurrent();
        }
        ChildJvm.Result with;
        int overlapWith;
        try (Upstream up = Upstream.start(b -> b.latencyMillis(150))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("max-concurrent", 1).write();
            with = app(home, up).withAgent(cfg).run(120);
            overlapWith = up.maxConcurrent();
        }
        System.out.printf("FIGURES own-deps JDK %d: without agent %d ok, upstream overlap %d; with agent %d ok,"
                + " upstream overlap %d%n", jdk, without.num("ok"), overlapWithout, with.num("ok"), overlapWith);

        assertEquals(8, without.num("ok"), without.toString());
        List<String> expected = IsolationApps.appLines(without.stdout);
        assertTrue(expected.contains("APP INFO  OwnDepsApp - ByteBuddy from byte-buddy-1.17.8.jar"), without.toString());
        assertTrue(expected.contains("APP INFO  OwnDepsApp - generated dev.sluice.isolation.owndeps.GeneratedGreeter"
                + " says HELLO, SLUICE!"), without.toString());
        assertEquals(expected, IsolationApps.appLines(with.stdout), "the app's own output, with the agent\n" + with);
        assertEquals(IsolationApps.ownStderr(without.stderr), IsolationApps.ownStderr(with.stderr),
                "the app's stderr gains nothing but Sluice's lines\n" + with);
        assertTrue(with.stderr.contains("okhttp") && with.stderr.contains("jdk-httpclient"),
                "both clients instrumented\n" + with.stderr);

        assertTrue(overlapWithout > 1, "without the agent the app's calls overlap: " + overlapWithout);
        assertEquals(1, overlapWith, "with the agent one call at a time reaches the upstream\n" + with);
    }

    static ChildJvm app(String home, Upstream up) {
        return ChildJvm.ofClassPath(IsolationApps.OWN_DEPS_MAIN, IsolationApps.ownDepsClassPath()).javaHome(home)
                .args("baseUrl=" + up.baseUrl() + "/v1", "calls=4");
    }
}
