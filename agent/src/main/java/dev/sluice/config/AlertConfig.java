package dev.sluice.config;

/**
 * One alert rule: {@code sluice.alert.<name>.endpoint / .when / .for / .action}.
 *
 * API CONTRACT (implementation owned by config; evaluation belongs to the monitor).
 */
public final class AlertConfig {
    private final String name;
    private final String endpoint;
    private final String when;
    private final long forNanos;
    private final String action;

    public AlertConfig(String name, String endpoint, String when, long forNanos, String action) {
        this.name = name;
        this.endpoint = endpoint;
        this.when = when;
        this.forNanos = forNanos;
        this.action = action;
    }

    public String name() { return name; }
    /** Endpoint id, or {@code *} for every endpoint. */
    public String endpoint() { return endpoint; }
    /** The condition as written, e.g. {@code queue.depth > 100}. */
    public String when() { return when; }
    public long forNanos() { return forNanos; }
    /** log, notify or shed-low. */
    public String action() { return action; }
}
