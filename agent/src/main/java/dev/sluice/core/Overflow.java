package dev.sluice.core;

/** What the waiting room does when a caller arrives and it is full. */
public enum Overflow {
    /** Refuse the newcomer (QUEUE_FULL). */
    REJECT_NEW("reject-new"),
    /** Refuse the longest waiter (DROPPED) and queue the newcomer. */
    DROP_OLDEST("drop-oldest"),
    /** Refuse a random waiter (DROPPED) and queue the newcomer. */
    DROP_RANDOM("drop-random"),
    /** Refuse the newest waiter of the lowest priority present, if it is lower than the newcomer's; else refuse the newcomer. */
    DROP_LOWEST_PRIORITY("drop-lowest-priority");

    private final String label;

    Overflow(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Overflow parse(String s) {
        if (s == null) return null;
        String t = s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        for (Overflow o : values()) if (o.label.equals(t)) return o;
        return null;
    }
}
