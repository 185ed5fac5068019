package dev.sluice.client;

import dev.sluice.config.EndpointConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.GateLimits;
import dev.sluice.core.LocalQuotaStore;
import dev.sluice.store.RedisQuotaStore;
import dev.sluice.store.StoreStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** An endpoint's quota store follows its configuration: made, kept across reloads, swapped, let go of. */
class EndpointStoreTest {
    static String redis() {
        String url = System.getenv("SLUICE_TEST_REDIS");
        if (url == null || url.isBlank()) {
            String msg = "needs a real Redis: SLUICE_TEST_REDIS is not set (.ci/run starts one)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg + " (CI=true: these tests must run)");
            Assumptions.abort(msg);
        }
        return url.trim();
    }

    static SluiceConfig config(String store, String quota) {
        EndpointConfig.Builder b = EndpointConfig.builder("ep").match("https://api.example.com/v1")
                .limits(GateLimits.builder().rpm(600).build());
        if (store != null) b.store(store);
        if (quota != null) b.storeQuota(quota);
        return SluiceConfig.builder().endpoint(b.build()).build();
    }

    @Test
    void aLocalEndpointKeepsItsQuotaInItsGate() {
        SluiceRuntime rt = SluiceRuntime.build(config(null, null), null);
        EndpointRuntime ep = rt.endpoint("ep");
        assertSame(StoreStatus.LOCAL, ep.storeStatus());
        assertTrue(ep.gate().quotaStore() instanceof LocalQuotaStore);
    }

    @Test
    void aRedisStoreIsMadeKeptReplacedAndLetGoOf() throws Exception {
        String url = redis();
        String quota = "ep-" + UUID.randomUUID();
        SluiceRuntime rt = SluiceRuntime.build(config(url, quota), null);
        EndpointRuntime ep = rt.endpoint("ep");
        RedisQuotaStore first = (RedisQuotaStore) ep.storeStatus();
        assertSame(first, ep.gate().quotaStore());
        assertEquals("redis", first.kind());
        assertEquals(quota, first.quota());
        waitShared(first);

        SluiceRuntime same = SluiceRuntime.build(config(url, quota), rt);
        assertSame(first, same.endpoint("ep").storeStatus(), "an unchanged store survives a reload");

        SluiceRuntime other = SluiceRuntime.build(config(url, quota + "-b"), same);
        RedisQuotaStore second = (RedisQuotaStore) other.endpoint("ep").storeStatus();
        assertNotSame(first, second);
        assertEquals("closed", first.state(), "the store left behind lets go of Redis");
        assertSame(second, ep.gate().quotaStore());

        SluiceRuntime local = SluiceRuntime.build(config(null, null), other);
        assertSame(StoreStatus.LOCAL, local.endpoint("ep").storeStatus());
        assertEquals("closed", second.state());
        assertTrue(ep.gate().quotaStore() instanceof LocalQuotaStore);

        SluiceRuntime again = SluiceRuntime.build(config(url, quota), local);
        RedisQuotaStore third = (RedisQuotaStore) again.endpoint("ep").storeStatus();
        SluiceRuntime.build(SluiceConfig.builder().build(), again); // the endpoint is removed
        assertEquals("closed", third.state());
    }

    @Test
    void aStoreThatCannotBeUsedLeavesTheQuotaLocal() {
        EndpointConfig ec = EndpointConfig.builder("ep").match("https://api.example.com/v1")
                .store("redis://127.0.0.1:1").storePasswordEnv("SLUICE_NO_SUCH_VARIABLE_" + UUID.randomUUID().toString()
                        .replace('-', '_')).build();
        SluiceRuntime rt = SluiceRuntime.build(SluiceConfig.builder().endpoint(ec).build(), null);
        assertSame(StoreStatus.LOCAL, rt.endpoint("ep").storeStatus());
    }

    private static void waitShared(RedisQuotaStore s) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!s.state().equals("shared")) {
            if (System.nanoTime() > end) throw new AssertionError("not shared: " + s.lastProblem());
            Thread.sleep(10);
        }
    }
}
