package dev.sluice.core;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One admitted call's hold on its gate: a concurrency slot (if capped) and the tokens reserved for it.
 * Handed back exactly once with {@link #complete}; later calls do nothing. A permit never handed back is
 * reclaimed by the gate when its lease runs out, so an abandoned call cannot hold a slot forever.
 *
 * API CONTRACT (implementation owned by the core): fields are final except the completion state (and the links the
 * gate's lease sweeper uses).
 */
public final class Permit {
    /** Status for a call that failed without an HTTP status: connect/IO error, reset, timeout. Counts for the breaker. */
    public static final int IO_ERROR = -1;
    /** Status for a call the application cancelled or abandoned: releases, does not count for the breaker. */
    public static final int CANCELLED = 0;
    /** chargedTokens value meaning "the actual usage is unknown: keep the reservation". */
    public static final long KEEP_RESERVATION = -1;

    static final int ACTIVE = 0;
    static final int COMPLETED = 1;
    static final int RECLAIMED = 2;
    static final int RETURNED = 3;
    /**
     * Set beside the state once the call's answer was seen. Answer and hand-back share one word, so the hand-back
     * learns with its single CAS whether the answer was counted yet (a permit handed back counts as answered).
     */
    private static final int ANSWERED = 4;

    private static final AtomicIntegerFieldUpdater<Permit> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Permit.class, "state");

    private final Gate gate;
    private final Priority priority;
    private final long reservedTokens;
    /** Admission sequence number: how many permits the gate had issued when this one was. */
    final long seq;
    /** Cumulative tokens the gate had reserved, this permit's included, when it was issued. */
    final long tokenMark;
    final long admittedAt;
    /** The circuit breaker's ticket (the state that let the call through); null when not counted. */
    final Object breakerTicket;
    /** Whether a request was taken from the RPM bucket. */
    final boolean tookRequest;
    /** Whether {@link #reservedTokens} were taken from the TPM bucket (so corrections apply to it). */
    final boolean tookTokens;

    /** ACTIVE, COMPLETED, RECLAIMED or RETURNED, plus the ANSWERED bit. */
    private volatile int state;
    /** Link in the gate's list of outstanding permits; owned by the lease sweeper. */
    Permit nextLease;
    /** The gate's lease-table slot holding this permit, -1 when it is in the list; set before it is handed out. */
    int leaseSlot = -1;

    Permit(Gate gate, Priority priority, long reservedTokens, long seq, long tokenMark, long admittedAt,
           Object breakerTicket, boolean tookRequest, boolean tookTokens) {
        this.gate = gate;
        this.priority = priority;
        this.reservedTokens = reservedTokens;
        this.seq = seq;
        this.tokenMark = tokenMark;
        this.admittedAt = admittedAt;
        this.breakerTicket = breakerTicket;
        this.tookRequest = tookRequest;
        this.tookTokens = tookTokens;
    }

    public Gate gate() {
        return gate;
    }

    public Priority priority() {
        return priority;
    }

    /**
     * Tokens reserved for this call at admission: the caller's estimate. They were taken from the TPM bucket when
     * the endpoint has a TPM limit; with none, the figure is still reported (and counted in the monitor's
     * reserved tokens) so reserved and actual usage can be compared.
     */
    public long reservedTokens() {
        return reservedTokens;
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
        if (!settle(COMPLETED)) return false;
        gate.completed(this, status, chargedTokens);
        return true;
    }

    /**
     * The call's response status and headers arrived (so the provider has counted it). Idempotent; completion implies
     * it. The gate counts calls still awaiting their answer to judge how stale a provider's remaining figure is.
     */
    public void answered() {
        // A failed CAS means it was answered meanwhile, or handed back (which counted the answer): nothing to do.
        if (state == ACTIVE && STATE.compareAndSet(this, ACTIVE, ACTIVE | ANSWERED)) gate.answered(this);
    }

    public boolean isCompleted() {
        return state() != ACTIVE;
    }

    /** Lease expired: the gate takes the permit back. False if it was handed back meanwhile. */
    boolean reclaim() {
        return settle(RECLAIMED);
    }

    /** The call never went out (a grant that lost a race with a cancel or interrupt). */
    boolean returnUnused() {
        return settle(RETURNED);
    }

    /** Moves an active permit to {@code to}, counting its answer if that was not seen yet; false when not active. */
    private boolean settle(int to) {
        for (;;) {
            int s = state;
            if ((s & ~ANSWERED) != ACTIVE) return false;
            if (STATE.compareAndSet(this, s, to | ANSWERED)) {
                if (s == ACTIVE) gate.answered(this);
                return true;
            }
        }
    }

    int state() {
        return state & ~ANSWERED;
    }

    @Override
    public String toString() {
        int s = state();
        return "Permit{" + gate.name() + ", " + priority.label() + ", tokens=" + reservedTokens + ", seq=" + seq
                + (s == ACTIVE ? "" : s == COMPLETED ? ", completed" : s == RECLAIMED ? ", reclaimed"
                : ", returned") + "}";
    }
}
