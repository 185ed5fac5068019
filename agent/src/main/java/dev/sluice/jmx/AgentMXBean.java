package dev.sluice.jmx;

/** {@code dev.sluice:type=Agent}. */
public interface AgentMXBean {
    String getVersion();

    boolean isEnabled();

    /** Global mode: enforce or observe (from the file), or what an operator set. */
    String getMode();

    /**
     * Sets every endpoint's mode at once: {@code enforce}, {@code observe} (measure, never block) or {@code off}
     * (calls pass untouched). Lasts until the next reload; listed in {@link #getOverrides()} meanwhile.
     */
    void setMode(String mode);

    /** Limits changed over JMX that differ from the file, as {@code openai.rpm=1800 (file: 6000)}; a reload clears them. */
    String[] getOverrides();

    /** Every alert rule on every endpoint it applies to, with its state. */
    java.util.List<AlertView> getAlerts();

    /** Alerts firing now, as {@code name@endpoint}. */
    String[] getFiringAlerts();

    /** What the last reload did (or why it was rejected), with its time. */
    String getLastReload();

    /** The problems that made the last reload be rejected; empty when it was applied. */
    String[] getLastReloadProblems();

    /** True when Sluice was attached to the running JVM (not started with -javaagent). */
    boolean isAttached();

    String getConfigPath();

    String[] getInstrumentedClients();

    String[] getEndpoints();

    /** Internal errors Sluice caught and survived (each logged once). */
    long getFaults();

    /** Re-reads the configuration file now; returns what happened. */
    String reload();
}
