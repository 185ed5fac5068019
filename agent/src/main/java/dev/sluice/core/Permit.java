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

    private static final AtomicIntegerFieldUpdater<Permit> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Permit.class, "state");
    private static final AtomicIntegerFieldUpdater<Permit> ANSWERED =
            AtomicIntegerFieldUpdater.newUpdater(Permit.class, "answered");

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

    private volatile int state;
    /** 1 once the call's response head (or its end) was seen: it no longer awaits the provider's answer. */
    private volatile int answered;
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
        if (!STATE.compareAndSet(this, ACTIVE, COMPLETED)) return false;
        gate.completed(this, status, chargedTokens);
        return true;
    }

    /**
     * The call's response status and headers arrived (so the provider has counted it). Idempotent; completion implies
     * it. The gate counts calls still awaiting their answer to judge how stale a provider's remaining figure is.
     */
    public void answered() {
        if (ANSWERED.compareAndSet(this, 0, 1)) gate.answered(this);
    }

    public boolean isCompleted() {
        return state != ACTIVE;
    }

    /** Lease expired: the gate takes the permit back. False if it was handed back meanwhile. */
    boolean reclaim() {
        return STATE.compareAndSet(this, ACTIVE, RECLAIMED);
    }

    /** The call never went out (a grant that lost a race with a cancel or interrupt). */
    boolean returnUnused() {
        return STATE.compareAndSet(this, ACTIVE, RETURNED);
    }

    int state() {
        return state;
    }

    @Override
    public String toString() {
        return "Permit{" + gate.name() + ", " + priority.label() + ", tokens=" + reservedTokens + ", seq=" + seq
                + (state == ACTIVE ? "" : state == COMPLETED ? ", completed" : state == RECLAIMED ? ", reclaimed"
                : ", returned") + "}";
    }
}
