package dev.sluice.jmx;

import dev.sluice.core.GateLimits;
import dev.sluice.core.Priority;

import java.util.ArrayList;
import java.util.List;

/**
 * The writable limits that differ between the file and the live gate, as {@code rpm=1800 (file: 6000)}, in
 * the configuration's own key names. Computed on demand, so a write that puts a value back to the file's
 * stops being an override, and a reload (which puts the file's limits back) clears them all.
 */
public final class LimitsDiff {
    private LimitsDiff() {
    }

    public static List<String> diff(GateLimits file, GateLimits live) {
        return diff(file, live, "file");
    }

    /** {@code was}: how the first one is named in the output ({@code file}, {@code was}). */
    public static List<String> diff(GateLimits file, GateLimits live, String was) {
        List<String> out = new ArrayList<>();
        if (file == null || live == null) return out;
        add(out, "rpm", file.rpm(), live.rpm(), was);
        add(out, "tpm", file.tpm(), live.tpm(), was);
        if (Double.compare(file.burst(), live.burst()) != 0) out.add("burst=" + live.burst() + " (" + was + ": " + file.burst() + ")");
        add(out, "max-concurrent", file.maxConcurrent(), live.maxConcurrent(), was);
        add(out, "queue.capacity", file.queueCapacity(), live.queueCapacity(), was);
        if (file.maxWaitNanos() != live.maxWaitNanos()) {
            out.add("queue.max-wait=" + millis(live.maxWaitNanos()) + " (" + was + ": " + millis(file.maxWaitNanos()) + ")");
        }
        double fs = file.shedThreshold(Priority.LOW);
        double ls = live.shedThreshold(Priority.LOW);
        if (Double.compare(fs, ls) != 0) out.add("shed.threshold=" + ls + " (" + was + ": " + fs + ")");
        if (file.mode() != live.mode()) out.add("mode=" + live.mode().label() + " (" + was + ": " + file.mode().label() + ")");
        return out;
    }

    private static void add(List<String> out, String key, long file, long live, String was) {
        if (file != live) out.add(key + "=" + live + " (" + was + ": " + file + ")");
    }

    private static String millis(long nanos) {
        return nanos / 1_000_000L + "ms";
    }
}
