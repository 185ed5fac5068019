package dev.sluice.core;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One admitted call's hold on its gate: a concurrency slot (if capped) and the tokens reserved for it.
 * Handed back exactly once with {@link #complete}; later calls do nothing. A permit never handed back is
 * reclaimed by the gate when its lease runs out, so an abandoned call cannot hold a slot forever.
 *
 * <p>A caller that admits call after call may hand its own permit back to {@link Gate#acquire(Priority, long, long,
 * Permit)} once it is done with it (its {@code complete} has returned, or it was reclaimed): the gate re-arms that
 * object instead of allocating one, so admission allocates nothing. Only the permit's owner re-arms it, so a second
 * {@code complete} on one arming still does nothing; the lease sweeper tells armings apart by a generation kept in
 * the state word, so a reclaim can never hit the next arming.
 *
 * API CONTRACT (implementation owned by the core): fields are written when the gate arms the permit and not again
 * until its owner hands it back for reuse; the completion state (and the links the gate's lease sweeper uses) change
 * while it is armed.
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
    private static final int STATE = 3;
    /**
     * Set beside the state once the call's answer was seen. Answer and hand-back share one word, so the hand-back
     * learns with its single CAS whether the answer was counted yet (a permit handed back counts as answered).
     */
    private static final int ANSWERED = 4;
    /** The bits above count armings: a state word seen once is never seen again on a later arming. */
    private static final int ARMING = 8;

    private static final AtomicIntegerFieldUpdater<Permit> STATE_WORD =
            AtomicIntegerFieldUpdater.newUpdater(Permit.class, "state");

    private Gate gate;
    private Priority priority;
    private long reservedTokens;
    /** Admission sequence number: how many permits the gate had issued when this one was. */
    long seq;
    /** Cumulative tokens the gate had reserved, this permit's included, when it was issued. */
    long tokenMark;
    long admittedAt;
    /** The circuit breaker's ticket (the state that let the call through); null when not counted. */
    Object breakerTicket;
    /** Whether a request was taken from the RPM bucket. */
    boolean tookRequest;
    /** Whether {@link #reservedTokens} were taken from the TPM bucket (so corrections apply to it). */
    boolean tookTokens;

    /** ACTIVE, COMPLETED, RECLAIMED or RETURNED, plus the ANSWERED bit, plus the arming count above them. */
    private volatile int state = RETURNED;
    /** Link in the gate's list of outstanding permits; owned by the lease sweeper. */
    Permit nextLease;
    /** Whether the permit is linked in that list (not reusable until the sweeper has unlinked it). */
    volatile boolean listed;
    /** The gate's lease-table slot holding this permit, -1 when it is in the list; set before it is handed out. */
    int leaseSlot = -1;

    Permit() {
    }

    /**
     * Arms the permit for one admitted call. The fields are written before the state word (a volatile write), so a
     * thread that reads the word as this arming's ACTIVE sees them. Only on a new permit, or one that is
     * {@link #reusable()} and handed in by its owner.
     */
    void arm(Gate gate, Priority priority, long reservedTokens, long seq, long tokenMark, long admittedAt,
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
        this.nextLease = null;
        this.leaseSlot = -1;
        state = (state & ~(ARMING - 1)) + ARMING; // next arming, ACTIVE, not answered
    }

    /** Handed back (or reclaimed) and out of the gate's lease list: the gate may arm it again. */
    boolean reusable() {
        return (state & STATE) != ACTIVE && !listed;
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
        int s = state;
        if ((s & (STATE | ANSWERED)) == ACTIVE && STATE_WORD.compareAndSet(this, s, s | ANSWERED)) {
            gate.answered(reservedTokens);
        }
    }

    public boolean isCompleted() {
        return state() != ACTIVE;
    }

    /**
     * Lease expired: the gate takes the permit back, if it is still the arming whose state word the sweeper read
     * ({@code seen}). False if that arming was handed back meanwhile.
     */
    boolean reclaim(int seen) {
        return settle(RECLAIMED, seen);
    }

    /** The call never went out (a grant that lost a race with a cancel or interrupt). */
    boolean returnUnused() {
        return settle(RETURNED);
    }

    private boolean settle(int to) {
        return settle(to, -1);
    }

    /**
     * Moves an active permit to {@code to}, counting its answer if that was not seen yet; false when not active (or,
     * with {@code seen} not -1, no longer the arming of that state word). What the answer's count needs is read
     * before the CAS: once it wins, the owner may re-arm the permit at any moment.
     */
    private boolean settle(int to, int seen) {
        for (;;) {
            int s = state;
            if ((s & STATE) != ACTIVE) return false;
            if (seen != -1 && (s | ANSWERED) != (seen | ANSWERED)) return false;
            Gate g = gate;
            long tokens = reservedTokens;
            if (STATE_WORD.compareAndSet(this, s, (s & ~STATE) | to | ANSWERED)) {
                if ((s & ANSWERED) == 0) g.answered(tokens);
                return true;
            }
        }
    }

    /** The state word, for the lease sweeper: {@link #isActive(int)}, then {@link #reclaim(int)} with it. */
    int stateWord() {
        return state;
    }

    static boolean isActive(int stateWord) {
        return (stateWord & STATE) == ACTIVE;
    }

    int state() {
        return state & STATE;
    }

    @Override
    public String toString() {
        int s = state();
        return "Permit{" + gate.name() + ", " + priority.label() + ", tokens=" + reservedTokens + ", seq=" + seq
                + (s == ACTIVE ? "" : s == COMPLETED ? ", completed" : s == RECLAIMED ? ", reclaimed"
                : ", returned") + "}";
    }
}
