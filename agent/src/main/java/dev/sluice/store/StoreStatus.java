package dev.sluice.store;

/** What JMX shows of an endpoint's quota store. */
public interface StoreStatus {
    /** {@code local} or {@code redis}. */
    String kind();

    /** {@code local}, or the store's address without user or password ({@code redis://host:6379}). */
    String target();

    /** The quota's name in the store ({@code store.quota}); the endpoint id for a local store. */
    String quota();

    /**
     * {@code local}; or for a shared store {@code connecting} (not reached yet), {@code shared} (admitting from the
     * shared quota) or {@code fallback} (the store is out of reach: admitting from this JVM's share).
     */
    String state();

    /** Last admission round trip to the store, in microseconds (-1 = none yet). */
    long lastRoundTripMicros();

    /** Average admission round trip, in microseconds (0 = none yet). */
    double averageRoundTripMicros();

    /** Times the store fell back to its local share (startup included when the store was out of reach). */
    long fallbacks();

    /** Calls the store did not answer within store.timeout. */
    long timeouts();

    /** JVMs that shared the quota in the last 10 s, this one included (0 = not known). */
    int replicas();

    /** The share of the limits this JVM uses alone in fallback (store.fallback-share, or 1/replicas). */
    double fallbackShare();

    /** Why the store last fell back ("" = never). Never holds a password. */
    String lastProblem();

    StoreStatus LOCAL = new StoreStatus() {
        @Override public String kind() { return "local"; }
        @Override public String target() { return "local"; }
        @Override public String quota() { return ""; }
        @Override public String state() { return "local"; }
        @Override public long lastRoundTripMicros() { return -1; }
        @Override public double averageRoundTripMicros() { return 0; }
        @Override public long fallbacks() { return 0; }
        @Override public long timeouts() { return 0; }
        @Override public int replicas() { return 1; }
        @Override public double fallbackShare() { return 1.0; }
        @Override public String lastProblem() { return ""; }
    };
}
