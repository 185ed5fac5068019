package dev.sluice.jmx;

/** {@code dev.sluice:type=Agent}. */
public interface AgentMXBean {
    String getVersion();

    boolean isEnabled();

    /** Global mode: enforce or observe. */
    String getMode();

    String getConfigPath();

    String[] getInstrumentedClients();

    String[] getEndpoints();

    /** Internal errors Sluice caught and survived (each logged once). */
    long getFaults();

    /** Re-reads the configuration file now; returns what happened. */
    String reload();
}
