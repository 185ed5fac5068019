package dev.sluice.agent;

import dev.sluice.alert.AlertRule;
import dev.sluice.alert.Watcher;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.config.ConfigLoadResult;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.EndpointConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.GateLimits;
import dev.sluice.jmx.JmxSupport;
import dev.sluice.jmx.LimitsDiff;
import dev.sluice.log.SluiceLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * Re-reads the configuration file when it changes (checked every {@code sluice.reload}; 0 = never) or when
 * asked over JMX, and applies it without a restart. Gates of the endpoint ids that stay are kept, so bucket
 * levels, the breaker and the waiters survive; new endpoints appear, removed ones go (their in-flight calls
 * finish on the old gate). Alert rules that stay keep their state.
 *
 * <p><b>When a reload is rejected.</b> At start Sluice must run with whatever it is given (a bad value falls
 * back to its default). A reload has something better: the configuration already running. So an edit is
 * rejected as a whole, and the running configuration stays, when the file
 * <ul>
 *   <li>cannot be read (missing, no permission) or is empty (an editor caught mid-save), or</li>
 *   <li>has a problem the running configuration did not have: a bad value ({@code rpm=5OO} would otherwise
 *       fall back to "unlimited"), an unknown key (a typo means the intended change would silently not
 *       happen), a bad alert rule.</li>
 * </ul>
 * Each reason is logged (WARN), the Agent MBean shows it ({@code LastReload}, {@code LastReloadProblems}) and
 * a {@code dev.sluice.config.rejected} notification is sent. Problems that were already there when the running
 * configuration was applied (for example a bad environment variable) do not block later reloads. Fix the file
 * and save it again; the next check picks it up.
 *
 * <p>A file change is applied once it has stopped changing for a moment (so a half-written file is not read),
 * and only if its content changed ({@code touch} alone does nothing).
 */
final class ConfigReloader {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final long SETTLE_MILLIS = 150;

    private final String path;
    private final Map<String, String> agentArgs;
    private final Watcher watcher;
    private final Supplier<Properties> system;
    private final Supplier<Map<String, String>> env;
    private volatile long periodNanos;
    private volatile Thread thread;
    // file state last seen by the watch
    private long seenModified;
    private long seenLength;
    private long seenCrc = -1;
    // what is running
    private Set<String> acceptedProblems = Set.of();
    private SluiceRuntime lastRuntime;
    private volatile String lastReload = "none yet";
    private volatile List<String> lastProblems = List.of();

    ConfigReloader(String path, Map<String, String> agentArgs, Watcher watcher) {
        this(path, agentArgs, watcher, System::getProperties, System::getenv);
    }

    ConfigReloader(String path, Map<String, String> agentArgs, Watcher watcher, Supplier<Properties> system,
                   Supplier<Map<String, String>> env) {
        this.path = path;
        this.agentArgs = agentArgs;
        this.watcher = watcher;
        this.system = system;
        this.env = env;
    }

    /** The configuration Sluice started with is running: remember it as the last good one. */
    synchronized void started(SluiceConfig config, SluiceRuntime runtime, List<String> problems) {
        this.lastRuntime = runtime;
        this.acceptedProblems = withoutPlaces(problems);
        this.periodNanos = config.reloadNanos();
        stamp();
        lastReload = "started " + now() + " with " + describe(runtime) + (problems.isEmpty() ? ""
                : ", " + problems.size() + " problem(s) (defaults used)");
    }

    /** Starts the file watch when there is a file and a period (idempotent; a reload may switch it on later). */
    synchronized void watch() {
        if (path == null || periodNanos <= 0 || thread != null) return;
        Thread t = new Thread(this::loop, "sluice-config-watch");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop() {
        while (true) {
            long period = periodNanos;
            try {
                Thread.sleep(Math.max(100, (period <= 0 ? 1_000_000_000L : period) / 1_000_000L));
                if (period <= 0) continue; // switched off by a reload; reload() over JMX still works
                if (changed()) reloadNow("file changed");
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t2) {
                SluiceLog.once(SluiceLog.Level.WARN, "reload-loop", "config watch failed (logged once)", t2);
            }
        }
    }

    /** True when the file's content changed and has settled. */
    private boolean changed() throws InterruptedException {
        Path p = Path.of(path);
        long m = modified(p);
        long len = length(p);
        synchronized (this) {
            if (m == seenModified && len == seenLength) return false;
        }
        // wait until the writer is done: same stamp twice in a row
        while (true) {
            Thread.sleep(SETTLE_MILLIS);
            long m2 = modified(p);
            long len2 = length(p);
            if (m2 == m && len2 == len) break;
            m = m2;
            len = len2;
        }
        long crc = crc(p);
        synchronized (this) {
            seenModified = m;
            seenLength = len;
            if (crc == seenCrc && crc != -1) return false; // touched, not changed
            return true;
        }
    }

    private synchronized void stamp() {
        if (path == null) return;
        Path p = Path.of(path);
        seenModified = modified(p);
        seenLength = length(p);
        seenCrc = crc(p);
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long length(Path p) {
        try {
            return Files.size(p);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long crc(Path p) {
        try {
            CRC32 c = new CRC32();
            c.update(Files.readAllBytes(p));
            return c.getValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    String lastReload() {
        return lastReload;
    }

    List<String> lastProblems() {
        return lastProblems;
    }

    /** Reads the file and applies it, or rejects it and keeps the running configuration. Returns what happened. */
    synchronized String reloadNow(String trigger) {
        if (path == null) {
            String s = "nothing to reload: Sluice was started without a configuration file";
            lastReload = now() + " " + s;
            return s;
        }
        stamp();
        ConfigLoadResult loaded = ConfigLoader.load(path, agentArgs, system.get(), env.get());
        SluiceConfig config = loaded.config();
        List<String> reasons = new ArrayList<>();
        List<String> problems = new ArrayList<>(loaded.problems());
        AlertRule.Compiled alerts = null;
        if (!loaded.fileRead()) {
            reasons.add(path + " cannot be read (missing or not readable)");
            for (String p : loaded.problems()) if (!reasons.contains(p)) reasons.add(p);
        } else if (seenLength == 0) {
            reasons.add(path + " is empty");
        } else {
            alerts = AlertRule.compile(config.alerts(), ids(config));
            problems.addAll(alerts.problems());
            for (String p : problems) if (!acceptedProblems.contains(withoutPlace(p))) reasons.add(p);
        }
        if (!reasons.isEmpty()) return reject(trigger, reasons);
        return apply(trigger, config, alerts, problems);
    }

    private String reject(String trigger, List<String> reasons) {
        String summary = "reload of " + path + " (" + trigger + ") rejected; the running configuration stays: "
                + String.join("; ", reasons);
        SluiceLog.warn("reload of " + path + " (" + trigger + ") rejected; the running configuration stays."
                + " Fix the file and save it again:");
        for (String r : reasons) SluiceLog.warn("  " + r);
        lastReload = now() + " " + summary;
        lastProblems = List.copyOf(reasons);
        JmxSupport.configReloaded(path, false, summary, ids(Sluice.runtime()), reasons);
        return summary;
    }

    private String apply(String trigger, SluiceConfig config, AlertRule.Compiled alerts, List<String> problems) {
        SluiceRuntime current = Sluice.runtime();
        SluiceRuntime previous = current != null ? current : lastRuntime;
        Map<String, GateLimits> before = new HashMap<>();
        if (previous != null) for (EndpointRuntime ep : previous.endpoints()) before.put(ep.id(), ep.gate().limits());

        if (config.logLevel() != null) SluiceLog.setLevel(config.logLevel());
        String summary;
        List<String> endpointIds;
        if (!config.enabled()) {
            Sluice.install(null);
            JmxSupport.syncEndpoints(null);
            watcher.update(List.of(), List.of());
            lastRuntime = previous;
            endpointIds = List.of();
            summary = "reloaded " + path + " (" + trigger + "): sluice.enabled=false, every call passes untouched";
        } else {
            SluiceRuntime next = SluiceRuntime.build(config, previous);
            Sluice.install(next);
            lastRuntime = next;
            JmxSupport.reloaded();
            if (config.jmx()) JmxSupport.syncEndpoints(next);
            watcher.update(SluiceAgent.watched(next), alerts.rules());
            endpointIds = ids(next);
            summary = "reloaded " + path + " (" + trigger + "): " + changes(before, next)
                    + (problems.isEmpty() ? "" : "; " + problems.size() + " known problem(s) unchanged");
        }
        acceptedProblems = withoutPlaces(problems);
        periodNanos = config.reloadNanos();
        watch();
        SluiceLog.info(summary);
        lastReload = now() + " " + summary;
        lastProblems = List.of();
        JmxSupport.configReloaded(path, true, summary, endpointIds, problems);
        return summary;
    }

    /** {@code endpoints [a, b]; added c; removed d; a: rpm=1200 (was: 6000)}. */
    private static String changes(Map<String, GateLimits> before, SluiceRuntime next) {
        StringBuilder sb = new StringBuilder("endpoints ").append(ids(next));
        Set<String> added = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>(before.keySet());
        List<String> changed = new ArrayList<>();
        for (EndpointRuntime ep : next.endpoints()) {
            removed.remove(ep.id());
            GateLimits was = before.get(ep.id());
            if (was == null) {
                added.add(ep.id());
                continue;
            }
            List<String> d = LimitsDiff.diff(was, ep.gate().limits(), "was");
            if (!d.isEmpty()) changed.add(ep.id() + ": " + String.join(", ", d));
        }
        if (!added.isEmpty()) sb.append("; added ").append(added);
        if (!removed.isEmpty()) sb.append("; removed ").append(removed).append(" (calls in flight finish)");
        if (!changed.isEmpty()) sb.append("; ").append(String.join("; ", changed));
        if (added.isEmpty() && removed.isEmpty() && changed.isEmpty()) sb.append("; no limit changed");
        return sb.toString();
    }

    /**
     * A problem without its trailing {@code [line 12 of sluice.properties]}: a known problem that moved because
     * lines were added above it is still the known problem.
     */
    static String withoutPlace(String problem) {
        if (problem.endsWith("]")) {
            int i = problem.lastIndexOf(" [");
            if (i > 0) return problem.substring(0, i);
        }
        return problem;
    }

    private static Set<String> withoutPlaces(List<String> problems) {
        Set<String> out = new HashSet<>();
        for (String p : problems) out.add(withoutPlace(p));
        return out;
    }

    static Set<String> ids(SluiceConfig config) {
        Set<String> ids = new LinkedHashSet<>();
        for (EndpointConfig ec : config.endpoints()) ids.add(ec.id());
        return ids;
    }

    static List<String> ids(SluiceRuntime runtime) {
        if (runtime == null) return Collections.emptyList();
        List<String> ids = new ArrayList<>();
        for (EndpointRuntime ep : runtime.endpoints()) ids.add(ep.id());
        return ids;
    }

    private static String describe(SluiceRuntime runtime) {
        return "endpoints " + ids(runtime);
    }

    private static String now() {
        return LocalTime.now().format(TIME);
    }
}
