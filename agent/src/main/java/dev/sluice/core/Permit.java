package dev.sluice.core;

/**
 * One admitted call's hold on its gate: a concurrency slot (if capped) and the tokens reserved for it.
 * Handed back exactly once with {@link #complete}; later calls do nothing. A permit never handed back is
 * reclaimed by the gate when its lease runs out, so an abandoned call cannot hold a slot forever.
 *
 * API CONTRACT (implementation owned by the core): fields are final except the completion flag.
 */
public final class Permit {
    /** Status for a call that failed without an HTTP status: connect/IO error, reset, timeout. Counts for the breaker. */
    public static final int IO_ERROR = -1;
    /** Status for a call the application cancelled or abandoned: releases, does not count for the breaker. */
    public static final int CANCELLED = 0;
    /** chargedTokens value meaning "the actual usage is unknown: keep the reservation". */
    public static final long KEEP_RESERVATION = -1;

    Permit() {
        throw new UnsupportedOperationException("stub");
    }

    public Gate gate() {
        throw new UnsupportedOperationException("stub");
    }

    public Priority priority() {
        throw new UnsupportedOperationException("stub");
    }

    /** Tokens taken from the TPM bucket at admission. */
    public long reservedTokens() {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Hands the permit back. {@code status}: the HTTP status, {@link #IO_ERROR} or {@link #CANCELLED}; failures
     * for the breaker are IO_ERROR, 5xx and 529; 4xx and 429 are not. {@code chargedTokens}: what the TPM bucket
     * should finally be charged for this call (the provider profile decides: actual usage, or the reservation);
     * the difference to {@link #reservedTokens()} is refunded or charged; {@link #KEEP_RESERVATION} keeps it.
     *
     * @return true the first time, false when already completed (or reclaimed)
     */
    public boolean complete(int status, long chargedTokens) {
        throw new UnsupportedOperationException("stub");
    }

    public boolean isCompleted() {
        throw new UnsupportedOperationException("stub");
    }
}
