package dev.sluice.core;

public enum BreakerState {
    CLOSED, OPEN, HALF_OPEN;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
