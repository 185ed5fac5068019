package dev.sluice.store;

import dev.sluice.config.EndpointConfig;
import dev.sluice.core.GateLimits;
import dev.sluice.log.SluiceLog;

import java.util.Map;

/** Makes an endpoint's quota store from its configuration. */
public final class Stores {
    private Stores() {
    }

    /**
     * The shared store {@code config.store()} names, or null for {@code local}, and null (with one warning) when
     * it cannot be used at all (its password variable is not set): the endpoint then keeps its quota local.
     * Never throws, never connects on the caller's thread.
     */
    public static RedisQuotaStore open(EndpointConfig config, GateLimits limits, Map<String, String> env) {
        if (EndpointConfig.LOCAL_STORE.equals(config.store())) return null;
        RedisTarget target;
        try {
            target = RedisTarget.parse(config.store(), config.storePasswordEnv(), env);
        } catch (IllegalArgumentException e) {
            SluiceLog.warn("endpoint '" + config.id() + "': store " + config.storeForDisplay() + " cannot be used ("
                    + e.getMessage() + "); its RPM/TPM quota stays local to this JVM");
            return null;
        }
        return new RedisQuotaStore(config.id(), target, config.storeQuota(), config.storeTimeoutNanos(),
                config.storeFallbackShare(), limits);
    }
}
