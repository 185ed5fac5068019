package dev.sluice.config;

import java.util.List;

/**
 * What loading produced: a config that is always usable (defaults where a value was bad) and the problems found,
 * one message each naming the key, the bad value and what is used instead.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class ConfigLoadResult {
    private final SluiceConfig config;
    private final List<String> problems;
    private final boolean fileRead;

    public ConfigLoadResult(SluiceConfig config, List<String> problems, boolean fileRead) {
        this.config = config;
        this.problems = List.copyOf(problems);
        this.fileRead = fileRead;
    }

    public SluiceConfig config() {
        return config;
    }

    public List<String> problems() {
        return problems;
    }

    /** False when the named file was missing or unreadable (a reload then keeps the last good config). */
    public boolean fileRead() {
        return fileRead;
    }
}
