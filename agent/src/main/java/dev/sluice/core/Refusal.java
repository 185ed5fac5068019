package dev.sluice.core;

/**
 * The gate's deliberate "no". Carries no stack trace (it is an answer, not a bug) and no secrets.
 * Client instrumentation turns it into the client's own failure type.
 */
public final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final RefusalReason reason;
    private final long retryAfterNanos;

    public Refusal(String endpoint, RefusalReason reason, long retryAfterNanos, String detail) {
        super(message(endpoint, reason, retryAfterNanos, detail), null, false, false);
        this.endpoint = endpoint;
        this.reason = reason;
        this.retryAfterNanos = Math.max(0, retryAfterNanos);
    }

    private static String message(String endpoint, RefusalReason reason, long retryAfterNanos, String detail) {
        StringBuilder sb = new StringBuilder(96);
        sb.append("Sluice refused the call to endpoint '").append(endpoint).append("': ").append(reason.description());
        if (detail != null && !detail.isEmpty()) sb.append(" (").append(detail).append(')');
        long ms = Math.max(0, retryAfterNanos) / 1_000_000L;
        sb.append("; retry after ").append(ms).append(" ms");
        return sb.toString();
    }

    public String endpoint() {
        return endpoint;
    }

    public RefusalReason reason() {
        return reason;
    }

    /** Best guess of when a retry could be admitted, in nanoseconds from now; 0 if unknown. */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }
}
