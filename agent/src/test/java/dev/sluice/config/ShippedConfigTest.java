package dev.sluice.config;

import dev.sluice.core.GateLimits;
import dev.sluice.provider.ProviderKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config/sluice.properties, the documented example of every key, is itself a valid configuration. */
class ShippedConfigTest {
    @Test
    void theShippedExampleLoadsWithoutProblems() {
        Path shipped = Path.of("../config/sluice.properties");
        assertTrue(Files.isRegularFile(shipped), shipped.toAbsolutePath() + " exists");
        ConfigLoadResult r = ConfigLoader.load(shipped.toString(), new Properties(), Map.of());
        assertEquals(List.of(), r.problems());
        assertTrue(r.fileRead());
        SluiceConfig c = r.config();
        assertEquals(List.of("openai", "anthropic"), c.endpoints().stream().map(EndpointConfig::id).toList());
        assertEquals(List.of("https://api.openai.com/v1"), c.endpoint("openai").match());
        assertEquals(List.of("https://api.anthropic.com/v1"), c.endpoint("anthropic").match());
        assertEquals(ProviderKind.ANTHROPIC, c.endpoint("anthropic").provider());
        assertEquals(2, c.alerts().size());
        assertEquals("queue.depth > 100", c.alerts().get(0).when());
        assertEquals("log", c.alerts().get(0).action());
        assertEquals("wait.avg > 10s", c.alerts().get(1).when());
        assertEquals("shed-low", c.alerts().get(1).action());
        // The openai block documents every endpoint key at its default.
        GateLimits l = c.endpoint("openai").limits();
        GateLimits d = GateLimits.defaults();
        assertEquals(d.toString(), l.toString());
        assertEquals(d.breakerFailureRatePercent(), l.breakerFailureRatePercent());
        assertEquals(d.breakerWindow(), l.breakerWindow());
        assertEquals(d.breakerHalfOpenCalls(), l.breakerHalfOpenCalls());
    }

    @Test
    void theShippedExampleDocumentsEveryKey() throws IOException {
        String text = Files.readString(Path.of("../config/sluice.properties"));
        for (String k : Keys.GLOBAL) assertTrue(text.contains(k + "="), k);
        for (String s : Keys.ENDPOINT_SUFFIXES) {
            assertTrue(text.contains("sluice.endpoint.openai." + s.replace("threads.normal", "threads.high") + "="), s);
        }
        for (String s : Keys.ALERT_SUFFIXES) assertTrue(text.contains("sluice.alert.deep-queue." + s + "="), s);
        assertTrue(text.contains("sluice.client."));
    }
}
