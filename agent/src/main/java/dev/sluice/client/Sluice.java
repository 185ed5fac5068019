package dev.sluice.client;

/**
 * The one static entry point that instrumentation advice calls. Holds the active {@link SluiceRuntime}
 * (null: Sluice inactive, every call passes untouched).
 */
public final class Sluice {
    private static volatile SluiceRuntime runtime;

    private Sluice() {
    }

    public static void install(SluiceRuntime r) {
        runtime = r;
    }

    public static SluiceRuntime runtime() {
        return runtime;
    }

    /**
     * The governed endpoint for this URL, or null for a call Sluice leaves alone (no match, endpoint off, Sluice
     * inactive). {@code rawPath} may carry the query: the path ends at a {@code ?} or {@code #}. Allocation-free on
     * the unmatched path.
     */
    public static EndpointRuntime match(String scheme, String host, int port, String rawPath) {
        return match(scheme, host, port, rawPath, 0);
    }

    /**
     * As {@link #match(String, String, int, String)}, the path read in place: from {@code pathStart} in
     * {@code text} (-1: none) to its query, fragment or end. For a client whose URL object keeps its whole text.
     */
    public static EndpointRuntime match(String scheme, String host, int port, String text, int pathStart) {
        SluiceRuntime r = runtime;
        if (r == null || host == null) return null;
        try {
            FaultInjection.check(FaultInjection.Step.MATCH);
            EndpointRuntime ep = r.match(scheme, host, port, text, pathStart);
            if (ep == null || ep.mode() == dev.sluice.core.Mode.OFF) return null;
            return ep;
        } catch (Throwable t) {
            Faults.record(null, "endpoint matching", t);
            return null;
        }
    }
}
