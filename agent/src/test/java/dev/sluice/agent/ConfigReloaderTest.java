package dev.sluice.agent;

import dev.sluice.alert.Events;
import dev.sluice.alert.Watcher;
import dev.sluice.config.ConfigLoadResult;
import dev.sluice.config.ConfigLoader;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.core.Gate;
import dev.sluice.jmx.JmxSupport;
import dev.sluice.log.SluiceLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reload paths that keep the running configuration (they never touch a gate). */
class ConfigReloaderTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        SluiceLog.setOut(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void release() {
        SluiceLog.setOut(null);
        Sluice.install(null);
        JmxSupport.syncEndpoints(null);
    }

    private ConfigReloader started(Path file) {
        ConfigReloader r = new ConfigReloader(file.toString(), Map.of(), new Watcher(Events.NONE),
                Properties::new, Map::of);
        ConfigLoadResult first = ConfigLoader.load(file.toString(), Map.of(), new Properties(), Map.of());
        r.started(first.config(), null, first.problems());
        return r;
    }

    private static final String GOOD = "sluice.endpoint.a.match=http://127.0.0.1:9/v1\nsluice.endpoint.a.rpm=600\n";

    @Test
    void aMissingFileIsRejectedAndSaysSo() throws Exception {
        Path f = dir.resolve("sluice.properties");
        Files.writeString(f, GOOD);
        ConfigReloader r = started(f);
        Files.delete(f);
        String s = r.reloadNow("test");
        assertTrue(s.contains("rejected") && s.contains("cannot be read"), s);
        assertTrue(r.lastReload().contains("rejected"), r.lastReload());
        assertTrue(r.lastProblems().get(0).contains("cannot be read"), r.lastProblems().toString());
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("WARN reload of " + f + " (test) rejected"));
    }

    @Test
    void anEmptyFileIsRejected() throws Exception {
        Path f = dir.resolve("sluice.properties");
        Files.writeString(f, GOOD);
        ConfigReloader r = started(f);
        Files.writeString(f, "");
        assertTrue(r.reloadNow("test").contains("is empty"));
    }

    @Test
    void aNewBadValueIsRejectedWithTheKeyAndWhy() throws Exception {
        Path f = dir.resolve("sluice.properties");
        Files.writeString(f, GOOD);
        ConfigReloader r = started(f);
        Files.writeString(f, GOOD.replace("rpm=600", "rpm=6OO"));
        String s = r.reloadNow("test");
        assertTrue(s.contains("rejected") && s.contains("sluice.endpoint.a.rpm=6OO"), s);
        Files.writeString(f, GOOD + "sluice.endpoint.a.rmp=5\n");
        s = r.reloadNow("test");
        assertTrue(s.contains("sluice.endpoint.a.rmp"), "an unknown key (a typo) is a new problem: " + s);
        Files.writeString(f, GOOD + "sluice.alert.x.when=queue.dept > 3\n");
        s = r.reloadNow("test");
        assertTrue(s.contains("sluice.alert.x.when") && s.contains("unknown figure 'queue.dept'"), s);
        assertEquals(1, r.lastProblems().size(), r.lastProblems().toString());
    }

    /** Started as the agent starts: the runtime installed, the reloader told. */
    private ConfigReloader running(Path file, Watcher watcher) {
        ConfigReloader r = new ConfigReloader(file.toString(), Map.of(), watcher, Properties::new, Map::of);
        ConfigLoadResult first = ConfigLoader.load(file.toString(), Map.of(), new Properties(), Map.of());
        SluiceRuntime rt = SluiceRuntime.build(first.config(), null);
        Sluice.install(rt);
        r.started(first.config(), rt, first.problems());
        return r;
    }

    @Test
    void aGoodEditKeepsTheGatesOfTheIdsThatStayAddsAndRemoves() throws Exception {
        Path f = dir.resolve("sluice.properties");
        Files.writeString(f, GOOD + "sluice.endpoint.b.match=http://127.0.0.1:8/v1\n");
        ConfigReloader r = running(f, new Watcher(Events.NONE));
        Gate a = Sluice.runtime().endpoint("a").gate();
        Files.writeString(f, GOOD.replace("rpm=600", "rpm=1200") + "sluice.endpoint.c.match=http://127.0.0.1:7/v1\n");
        String s = r.reloadNow("test");
        assertTrue(s.contains("added [c]") && s.contains("removed [b]") && s.contains("a: rpm=1200 (was: 600)"), s);
        SluiceRuntime now = Sluice.runtime();
        assertTrue(now.endpoint("a").gate() == a, "same gate: bucket, breaker and waiters kept");
        assertEquals(1200, a.limits().rpm());
        assertEquals(null, now.endpoint("b"));
        assertTrue(now.endpoint("c") != null);
        assertEquals(List.of(), r.lastProblems());
    }

    @Test
    void disablingAndReEnablingByReloadKeepsTheGates() throws Exception {
        Path f = dir.resolve("sluice.properties");
        Files.writeString(f, GOOD);
        ConfigReloader r = running(f, new Watcher(Events.NONE));
        Gate a = Sluice.runtime().endpoint("a").gate();
        Files.writeString(f, GOOD + "sluice.enabled=false\n");
        assertTrue(r.reloadNow("test").contains("every call passes untouched"));
        assertEquals(null, Sluice.runtime(), "no runtime: every call passes untouched");
        Files.writeString(f, GOOD);
        r.reloadNow("test");
        EndpointRuntime back = Sluice.runtime().endpoint("a");
        assertTrue(back.gate() == a, "the gate from before comes back");
    }

    @Test
    void alertsFollowTheReload() throws Exception {
        Path f = dir.resolve("sluice.properties");
        Files.writeString(f, GOOD);
        Watcher w = new Watcher(Events.NONE);
        ConfigReloader r = running(f, w);
        Files.writeString(f, GOOD + "sluice.alert.deep.when=queue.depth > 10\nsluice.alert.deep.action=notify\n");
        r.reloadNow("test");
        assertEquals(1, w.rules().size());
        assertEquals("deep", w.rules().get(0).name());
    }

    @Test
    void aProblemTheRunningConfigAlreadyHadIsNotNewEvenOnAnotherLine() {
        assertEquals("sluice.endpoint.a.rpm=x is not a number; using 0",
                ConfigReloader.withoutPlace("sluice.endpoint.a.rpm=x is not a number; using 0 [line 3 of s.properties]"));
        assertEquals(List.of("no place"), List.of(ConfigReloader.withoutPlace("no place")));
    }
}
