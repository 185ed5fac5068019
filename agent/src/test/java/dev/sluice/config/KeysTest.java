package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysTest {
    @Test
    void classifySplitsOwnerAndSuffix() {
        Keys.Parsed p = Keys.classify("sluice.endpoint.my-vllm.queue.max-wait");
        assertEquals(Keys.Kind.ENDPOINT, p.kind);
        assertEquals("my-vllm", p.owner);
        assertEquals("queue.max-wait", p.suffix);
        p = Keys.classify("sluice.endpoint.a.b.rpm");
        assertEquals("a.b", p.owner, "an id with a dot is found, to be reported as a bad id");
        p = Keys.classify("sluice.endpoint.x.priority.threads.urgent");
        assertEquals("priority.threads.urgent", p.suffix, "a bad level is a bad value, not an unknown key");
        assertEquals(Keys.Kind.ALERT, Keys.classify("sluice.alert.slow.when").kind);
        assertEquals("okhttp", Keys.classify("sluice.client.okhttp.enabled").owner);
        assertEquals(Keys.Kind.GLOBAL, Keys.classify("sluice.log.level").kind);
        assertNull(Keys.classify("sluice.endpoint.x.rmp"));
        assertNull(Keys.classify("sluice.client..enabled"));
        assertNull(Keys.classify("sluice.config"));
    }

    @Test
    void environmentNames() {
        assertEquals("SLUICE_ENDPOINT_OPENAI_RPM", Keys.envName("sluice.endpoint.openai.rpm"));
        assertEquals("SLUICE_ENDPOINT_MY_VLLM_QUEUE_MAX_WAIT", Keys.envName("sluice.endpoint.my-vllm.queue.max-wait"));
        List<String> none = List.of();
        assertEquals("sluice.endpoint.openai.rpm", Keys.keyOfEnv("SLUICE_ENDPOINT_OPENAI_RPM", none, none));
        assertEquals("sluice.enabled", Keys.keyOfEnv("SLUICE_ENABLED", none, none));
        assertEquals("sluice.log.level", Keys.keyOfEnv("sluice_log_level", none, none));
        // Unknown id: the part before the first known suffix.
        assertEquals("sluice.endpoint.my_vllm.queue.max-wait",
                Keys.keyOfEnv("SLUICE_ENDPOINT_MY_VLLM_QUEUE_MAX_WAIT", none, none));
        assertEquals("sluice.endpoint.a.shed.high", Keys.keyOfEnv("SLUICE_ENDPOINT_A_SHED_HIGH", none, none));
        assertEquals("sluice.endpoint.x.store.fallback-share",
                Keys.keyOfEnv("SLUICE_ENDPOINT_X_STORE_FALLBACK_SHARE", none, none));
        // Known ids win, the longest first.
        assertEquals("sluice.endpoint.my-vllm.queue.max-wait",
                Keys.keyOfEnv("SLUICE_ENDPOINT_MY_VLLM_QUEUE_MAX_WAIT", Set.of("my", "my-vllm"), none));
        assertEquals("sluice.endpoint.a-mode.rpm", Keys.keyOfEnv("SLUICE_ENDPOINT_A_MODE_RPM", Set.of("a-mode"), none));
        assertEquals("sluice.endpoint.a_mode.rpm", Keys.keyOfEnv("SLUICE_ENDPOINT_A_MODE_RPM", none, none));
        assertEquals("sluice.alert.slow-waits.for", Keys.keyOfEnv("SLUICE_ALERT_SLOW_WAITS_FOR", none, Set.of("slow-waits")));
        assertEquals("sluice.client.okhttp.enabled", Keys.keyOfEnv("SLUICE_CLIENT_OKHTTP_ENABLED", none, none));
        assertNull(Keys.keyOfEnv("SLUICE_ENDPOINT_OPENAI_RMP", Set.of("openai"), none));
        assertNull(Keys.keyOfEnv("SLUICE_HOME", none, none));
    }

    @Test
    void suggestions() {
        List<String> none = List.of();
        assertEquals("sluice.endpoint.mock.rpm", Keys.suggest("sluice.endpoint.mock.rmp", none, none));
        assertEquals("sluice.reload", Keys.suggest("sluice.relaod", none, none));
        assertEquals("sluice.endpoint.mock.queue.overflow", Keys.suggest("sluice.endpoint.mock.overflow", none, none));
        assertNull(Keys.suggest("sluice.endpoint.mock.colour", none, none));
        assertNull(Keys.suggest("this", none, none));
        assertEquals("SLUICE_ENDPOINT_OPENAI_TPM", Keys.suggestEnv("SLUICE_ENDPOINT_OPENAI_TMP", Set.of("openai"), none));
        assertNull(Keys.suggestEnv("SLUICE_HOME", none, none));
    }

    @Test
    void distanceCountsATranspositionOnce() {
        assertEquals(1, Keys.distance("rmp", "rpm"));
        assertEquals(0, Keys.distance("a", "a"));
        assertEquals(3, Keys.distance("", "abc"));
    }

    @Test
    void secretKeysNeverShowTheirValue() {
        assertTrue(Keys.isSecretKey("sluice.endpoint.x.api-key"));
        assertTrue(Keys.isSecretKey("sluice.redis.password"));
        assertTrue(Keys.isSecretKey("sluice.endpoint.x.token"));
        assertTrue(Keys.isSecretKey("sluice.endpoint.x.api_token"));
        assertTrue(Keys.isSecretKey("sluice.endpoint.x.client-secret"));
        assertFalse(Keys.isSecretKey("sluice.endpoint.x.tpm"));
        assertFalse(Keys.isSecretKey("sluice.endpoint.x.store.password-env"), "a variable's name, not the secret");
        assertFalse(Keys.isSecretKey("sluice.endpoint.x.tokens.output-default"));
        assertFalse(Keys.isSecretKey("sluice.endpoint.x.tokens.estimator"));
        assertEquals("****", Keys.display("sluice.endpoint.x.api-key", "sk-live-123"));
        assertEquals("redis://u:****@h:6379", Keys.display("sluice.endpoint.x.store", "redis://u:pw@h:6379"));
        assertEquals("redis://:****@h", Keys.display("sluice.endpoint.x.store", "redis://:pw@h"));
        assertEquals("rediss://****@h", Keys.display("sluice.endpoint.x.store", "rediss://pw@h"));
        assertEquals("https://a.example/v1", Keys.display("sluice.endpoint.x.match", "https://a.example/v1"));
    }
}
