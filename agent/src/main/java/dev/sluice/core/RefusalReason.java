package dev.sluice.core;

/** Why the gate refused a call. Each has a stable label used in messages, JMX keys and the x-sluice-reason header. */
public enum RefusalReason {
    /** The circuit breaker is open (or half-open with its probes taken). */
    BREAKER_OPEN("breaker-open", "circuit breaker open"),
    /** Refused by priority: utilization at or over the priority's shed threshold, or the endpoint is congested. */
    SHED("shed", "shed by priority"),
    /** The waiting room is full and the overflow policy refused the newcomer. */
    QUEUE_FULL("queue-full", "waiting room full"),
    /** A waiter pushed out of the waiting room by the overflow policy (drop-oldest, drop-random, drop-lowest-priority). */
    DROPPED("dropped", "dropped from the waiting room"),
    /** The expected wait exceeds queue.max-wait (refused at once), or the caller waited max-wait without admission. */
    WAIT_TOO_LONG("wait-too-long", "expected wait longer than max-wait"),
    /** The caller's own deadline (its client timeout) ends before it could be admitted. */
    TIMEOUT("timeout", "client timeout reached while waiting");

    private static final RefusalReason[] VALUES = values();

    private final String label;
    private final String description;

    RefusalReason(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public static RefusalReason ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }

    /** Short stable label: {@code breaker-open}, {@code shed}, ... */
    public String label() {
        return label;
    }

    /** Human words for messages. */
    public String description() {
        return description;
    }
}
