package dev.sluice.config;

import java.util.Map;
import java.util.Properties;

/**
 * Reads sluice.properties, then overrides from system properties ({@code -Dsluice.endpoint.openai.rpm=...}) and
 * environment variables ({@code SLUICE_ENDPOINT_OPENAI_RPM}); validates every value.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** The config file path: agent argument {@code config}, else -Dsluice.config, else SLUICE_CONFIG; null = none. */
    public static String configPath(Map<String, String> agentArgs, Properties system, Map<String, String> env) {
        throw new UnsupportedOperationException("stub");
    }

    /** Never throws. {@code path} null = no file (overrides alone may still define endpoints). */
    public static ConfigLoadResult load(String path, Properties system, Map<String, String> env) {
        throw new UnsupportedOperationException("stub");
    }
}
