package dev.sluice.config;

import java.util.Map;

/**
 * The -javaagent argument string: {@code config=/path/sluice.properties[,key=value...]}. A bare path (no '=')
 * is taken as {@code config}.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class AgentArgs {
    private AgentArgs() {
    }

    /** Never null, never throws; unknown or malformed parts are kept as they are for the loader to report. */
    public static Map<String, String> parse(String args) {
        throw new UnsupportedOperationException("stub");
    }
}
