package dev.sluice.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The -javaagent argument string: {@code config=/path/sluice.properties[,key=value...]}. A bare path (no '=')
 * is taken as {@code config}.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class AgentArgs {
    /** The argument that names the configuration file. */
    public static final String CONFIG = "config";

    private AgentArgs() {
    }

    /**
     * Never null, never throws; unknown or malformed parts are kept as they are for the loader to report.
     * Parts are separated by ',' (so the path holds no comma) and trimmed; empty parts are skipped. A part
     * without '=' is the config path when none was given yet, else it is kept as a key with an empty value.
     * In order of appearance; a key given twice keeps its last value.
     */
    public static Map<String, String> parse(String args) {
        if (args == null || args.isBlank()) return Collections.emptyMap();
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : args.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq < 0) {
                if (!out.containsKey(CONFIG)) out.put(CONFIG, p);
                else out.put(p, "");
            } else {
                out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
