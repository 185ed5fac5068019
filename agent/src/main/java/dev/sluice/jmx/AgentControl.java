package dev.sluice.jmx;

import java.util.List;

/** What the Agent MBean needs from the running agent. */
public interface AgentControl {
    String version();

    String configPath();

    List<String> instrumentedClients();

    /** Re-reads the configuration file; returns a one-line summary. */
    String reload();

    /** The last reload's outcome, for the Agent MBean. */
    String lastReload();

    /** Why the last reload was rejected; empty when it was applied. */
    List<String> lastReloadProblems();

    boolean attached();
}
