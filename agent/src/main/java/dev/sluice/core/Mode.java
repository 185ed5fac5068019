package dev.sluice.core;

/** How an endpoint's gate acts. */
public enum Mode {
    /** Refuse and make callers wait as configured. */
    ENFORCE,
    /** Measure and count what would have been refused or made to wait; never block or refuse. */
    OBSERVE,
    /** No gate at all: calls pass untouched (decided by the client layer before the gate is asked). */
    OFF;

    public static Mode parse(String s) {
        if (s == null) return null;
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "enforce": return ENFORCE;
            case "observe": return OBSERVE;
            case "off": return OFF;
            default: return null;
        }
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
