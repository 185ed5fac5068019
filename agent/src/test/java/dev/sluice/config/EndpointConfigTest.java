package dev.sluice.config;

import dev.sluice.core.Priority;
import org.junit.jupiter.api.Test;

import java.util.regex.PatternSyntaxException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointConfigTest {
    @Test
    void threadRulesAreTriedHighToLowAndMatchTheWholeName() {
        EndpointConfig e = EndpointConfig.builder("x").match("https://x.example")
                .priorityThreads(Priority.LOW, "worker-.*")
                .priorityThreads(Priority.HIGH, "worker-api-.*")
                .build();
        assertEquals(Priority.HIGH, e.priorityForThread("worker-api-1"));
        assertEquals(Priority.LOW, e.priorityForThread("worker-batch-1"));
        assertNull(e.priorityForThread("my-worker-1"), "the whole name must match");
        assertNull(e.priorityForThread(null));
        assertEquals("worker-.*", e.priorityThreads(Priority.LOW));
        assertNull(e.priorityThreads(Priority.NORMAL));
    }

    @Test
    void theThreadNameCacheStaysBounded() {
        EndpointConfig e = EndpointConfig.builder("x").match("https://x.example")
                .priorityThreads(Priority.HIGH, "api-.*").build();
        for (int i = 0; i < 10 * EndpointConfig.THREAD_CACHE_LIMIT; i++) {
            assertEquals(i % 2 == 0 ? Priority.HIGH : null, e.priorityForThread((i % 2 == 0 ? "api-" : "other-") + i));
            assertTrue(e.threadCacheSize() <= EndpointConfig.THREAD_CACHE_LIMIT);
        }
    }

    @Test
    void theBuilderRefusesBadValues() {
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.builder("a.b"));
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.builder("x").build(), "no match");
        EndpointConfig.Builder b = EndpointConfig.builder("x");
        assertThrows(IllegalArgumentException.class, () -> b.match("nope"));
        assertThrows(PatternSyntaxException.class, () -> b.priorityThreads(Priority.HIGH, "("));
        assertThrows(IllegalArgumentException.class, () -> b.store("memcached://x"));
        assertThrows(IllegalArgumentException.class, () -> b.storeFallbackShare(1.5));
        assertThrows(IllegalArgumentException.class, () -> b.storeFallbackShare(-0.5));
        b.storeFallbackShare(EndpointConfig.FALLBACK_SHARE_AUTO);
        assertThrows(IllegalArgumentException.class, () -> b.storeQuota("with space"));
        assertThrows(IllegalArgumentException.class, () -> b.storeQuota("{tag}"));
        assertThrows(IllegalArgumentException.class, () -> b.storeQuota("x".repeat(101)));
        assertThrows(IllegalArgumentException.class, () -> b.storeTimeoutNanos(0));
        assertThrows(IllegalArgumentException.class, () -> b.storePasswordEnv("1ABC"));
        assertThrows(IllegalArgumentException.class, () -> b.store("redis://h:6379/db"));
        b.store("redis://h:6379/2").store("rediss://:pw@h").storeQuota("a.b:c-d_e").storePasswordEnv("PW");
        assertThrows(IllegalArgumentException.class, () -> b.maxPauseNanos(0));
        assertThrows(IllegalArgumentException.class, () -> b.priorityHeader("bad header"));
        assertThrows(IllegalArgumentException.class, () -> b.outputDefaultTokens(-1));
    }

    @Test
    void sluiceConfigBuilder() {
        SluiceConfig c = SluiceConfig.builder().clientEnabled("OkHttp", false)
                .endpoint(EndpointConfig.builder("x").match("https://x.example").build()).build();
        assertEquals(false, c.clientEnabled("okhttp"));
        assertEquals("x", c.endpoint("x").id());
        assertNull(c.endpoint("y"));
        assertThrows(IllegalArgumentException.class, () -> SluiceConfig.builder().mode(dev.sluice.core.Mode.OFF));
    }
}
