package dev.sluice.alert;

/** One alert rule on one endpoint, as it stands (immutable snapshot). */
public final class AlertStatus {
    /** ok: condition false; pending: true, not yet for long enough; firing; recovering: false, not yet long enough. */
    public enum State { OK, PENDING, FIRING, RECOVERING;
        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final String rule;
    private final String endpoint;
    private final String when;
    private final String action;
    private final long forMillis;
    private final State state;
    private final long sinceEpochMillis;
    private final long fired;
    private final String detail;
    private final String cause;

    AlertStatus(String rule, String endpoint, String when, String action, long forMillis, State state,
                long sinceEpochMillis, long fired, String detail, String cause) {
        this.rule = rule;
        this.endpoint = endpoint;
        this.when = when;
        this.action = action;
        this.forMillis = forMillis;
        this.state = state;
        this.sinceEpochMillis = sinceEpochMillis;
        this.fired = fired;
        this.detail = detail;
        this.cause = cause;
    }

    public String rule() { return rule; }
    public String endpoint() { return endpoint; }
    public String when() { return when; }
    public String action() { return action; }
    public long forMillis() { return forMillis; }
    public State state() { return state; }
    /** Firing or recovering (the alert is on until it has recovered). */
    public boolean firing() { return state == State.FIRING || state == State.RECOVERING; }
    public long sinceEpochMillis() { return sinceEpochMillis; }
    /** How many times it fired since the agent started (or the rule was added). */
    public long fired() { return fired; }
    /** The figures the condition names, with their values at the last change: {@code wait.avg=2.3s}. */
    public String detail() { return detail; }
    /** Why the last change happened: {@code condition}, {@code rule removed}, {@code endpoint removed}. */
    public String cause() { return cause; }

    @Override
    public String toString() {
        return rule + "@" + endpoint + " " + state.label() + " (" + when + "; " + detail + ")";
    }
}
