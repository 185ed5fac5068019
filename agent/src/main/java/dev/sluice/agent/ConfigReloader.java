package dev.sluice.agent;

import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.config.ConfigLoadResult;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.jmx.JmxSupport;
import dev.sluice.log.SluiceLog;

import java.io.File;
import java.util.Map;

/**
 * Re-reads the configuration file when it changes (sluice.reload period; 0 = never) or when asked over JMX.
 * Gates of the endpoint ids that stay are kept, so bucket state survives; new endpoints appear, removed ones go
 * (their in-flight calls finish on the old gate).
 */
final class ConfigReloader {
    private final String path;
    private final Map<String, String> agentArgs;
    private volatile long lastModified;
    private volatile long lastLength;

    ConfigReloader(String path, Map<String, String> agentArgs) {
        this.path = path;
        this.agentArgs = agentArgs;
        stamp();
    }

    void start(SluiceConfig config) {
        long period = config.reloadNanos();
        if (path == null || period <= 0) return;
        long millis = Math.max(100, period / 1_000_000L);
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(millis);
                    File f = new File(path);
                    if (f.lastModified() != lastModified || f.length() != lastLength) reloadNow();
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t2) {
                    SluiceLog.once(SluiceLog.Level.WARN, "reload-loop", "config watch failed", t2);
                }
            }
        }, "sluice-config-watch");
        t.setDaemon(true);
        t.start();
    }

    private void stamp() {
        if (path == null) return;
        File f = new File(path);
        lastModified = f.lastModified();
        lastLength = f.length();
    }

    synchronized String reloadNow() {
        stamp();
        ConfigLoadResult loaded = ConfigLoader.load(path, agentArgs, System.getProperties(), System.getenv());
        for (String problem : loaded.problems()) SluiceLog.warn(problem);
        SluiceConfig config = loaded.config();
        SluiceRuntime next = SluiceRuntime.build(config, Sluice.runtime());
        Sluice.install(next);
        if (config.logLevel() != null) SluiceLog.setLevel(config.logLevel());
        JmxSupport.clearOverrides();
        if (config.jmx()) JmxSupport.syncEndpoints(next);
        String summary = "reloaded " + path + ": " + config.endpoints().size() + " endpoint(s), "
                + loaded.problems().size() + " problem(s)";
        SluiceLog.info(summary);
        return summary;
    }
}
