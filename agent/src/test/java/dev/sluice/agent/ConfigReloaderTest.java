package dev.sluice.agent;

import dev.sluice.alert.Events;
import dev.sluice.alert.Watcher;
import dev.sluice.config.ConfigLoadResult;
import dev.sluice.config.ConfigLoader;
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

    @Test
    void aProblemTheRunningConfigAlreadyHadIsNotNewEvenOnAnotherLine() {
        assertEquals("sluice.endpoint.a.rpm=x is not a number; using 0",
                ConfigReloader.withoutPlace("sluice.endpoint.a.rpm=x is not a number; using 0 [line 3 of s.properties]"));
        assertEquals(List.of("no place"), List.of(ConfigReloader.withoutPlace("no place")));
    }
}
