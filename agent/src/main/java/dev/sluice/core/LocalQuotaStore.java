package dev.sluice.core;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The quota in this JVM: two {@link TokenBucket}s, lock-free and allocation-free. The gate's default store, and a
 * shared store's stand-in while its remote quota is out of reach.
 */
public final class LocalQuotaStore implements QuotaStore {
    private final TokenBucket requests;
    private final TokenBucket tokens;
    private volatile GateLimits limits;

    public LocalQuotaStore(GateLimits limits, NanoClock clock) {
        this(limits, clock, CacheLines.counters(2), CacheLines.FIRST);
    }

    /**
     * The two buckets' consumption counters at {@code counters[at]} and {@code [at + 1]}: on the line that holds the
     * other counters every admission writes, so an admission moves one cache line between cores, not three.
     */
    LocalQuotaStore(GateLimits limits, NanoClock clock, AtomicLongArray counters, int at) {
        this.limits = limits;
        this.requests = new TokenBucket(rate(limits.rpm()), capacity(limits.requestCapacity()), clock, counters, at);
        this.tokens = new TokenBucket(rate(limits.tpm()), capacity(limits.tokenCapacity()), clock, counters, at + 1);
    }

    static long rate(long perMinute) {
        return Math.min(Math.max(0, perMinute), TokenBucket.MAX_RATE);
    }

    static long capacity(long c) {
        return Math.min(Math.max(1, c), TokenBucket.MAX_CAPACITY);
    }

    /** Levels and accrued fractions are kept; a dimension that becomes limited starts full. */
    @Override
    public synchronized void setLimits(GateLimits next) {
        GateLimits prev = limits;
        limits = next;
        if (next.rpm() > 0) {
            requests.setLimits(rate(next.rpm()), capacity(next.requestCapacity()));
            if (prev.rpm() <= 0) requests.fill();
        }
        if (next.tpm() > 0) {
            tokens.setLimits(rate(next.tpm()), capacity(next.tokenCapacity()));
            if (prev.tpm() <= 0) tokens.fill();
        }
    }

    @Override
    public boolean tryTake(long r, long t, long now) {
        if (r > 0 && !requests.tryConsume(r, now)) return false;
        if (t > 0 && !tokens.tryConsume(t, now)) {
            if (r > 0) requests.refund(r, now);
            return false;
        }
        return true;
    }

    /** As {@link #tryTake(long, long, long)}, reading the clock. */
    public boolean tryTake(long r, long t) {
        if (r > 0 && !requests.tryConsume(r)) return false;
        if (t > 0 && !tokens.tryConsume(t)) {
            if (r > 0) requests.refund(r);
            return false;
        }
        return true;
    }

    @Override
    public void force(long r, long t) {
        if (r > 0) requests.forceConsume(r);
        if (t > 0) tokens.forceConsume(t);
    }

    @Override
    public void refund(long r, long t, long at) {
        if (r > 0) requests.refund(r, at);
        if (t > 0) tokens.refund(t, at);
    }

    /** As {@link #refund(long, long, long)}, reading the clock. */
    public void refund(long r, long t) {
        if (r > 0) requests.refund(r);
        if (t > 0) tokens.refund(t);
    }

    @Override
    public void refillAt(long rpm, long tpm) {
        GateLimits l = limits;
        if (rpm > 0 && l.rpm() > 0) requests.setLimits(rate(rpm), capacity(l.requestCapacity()));
        if (tpm > 0 && l.tpm() > 0) tokens.setLimits(rate(tpm), capacity(l.tokenCapacity()));
    }

    @Override
    public void lowerTo(long r, long t) {
        if (r >= 0) requests.lowerTo(r);
        if (t >= 0) tokens.lowerTo(t);
    }

    @Override
    public long nanosUntil(long r, long t) {
        long w = r > 0 ? requests.nanosUntil(r) : 0;
        return t > 0 ? Math.max(w, tokens.nanosUntil(t)) : w;
    }

    @Override
    public long nanosToServe(long r, long t) {
        long w = r > 0 ? requests.nanosToServe(r) : 0;
        return t > 0 ? Math.max(w, tokens.nanosToServe(t)) : w;
    }

    @Override
    public long availableRequests() {
        return requests.available();
    }

    @Override
    public long availableTokens() {
        return tokens.available();
    }

    /** Fills both buckets, then lowers them to these levels (-1: leave full): a stand-in seeded from a last view. */
    public void reset(long requestsLevel, long tokensLevel) {
        requests.fill();
        tokens.fill();
        lowerTo(requestsLevel, tokensLevel);
    }

    @Override
    public String toString() {
        return "LocalQuotaStore{" + requests + ", " + tokens + "}";
    }
}
