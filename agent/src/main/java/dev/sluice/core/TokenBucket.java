package dev.sluice.core;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A token bucket with continuous refill, in exact integer arithmetic and lock-free.
 *
 * <h2>Representation</h2>
 * Instead of a level and a refill remainder (two values that would need one CAS together), the bucket keeps two
 * monotone-ish quantities in the same unit, "tokens since the beginning":
 * <ul>
 *   <li>{@code S(t)}, the <em>supply</em>: every token the refill has produced up to time {@code t}. It is a pure
 *       function of time, {@code S(t) = base + floor(((t - origin) * perMinute + offset) / NANOS_PER_MINUTE)}.
 *       Being a floor of an exact product it never drifts: whatever the odd rate (one token per 8.57 s, one per
 *       7.000000007 ns), after any number of steps the bucket has received exactly the tokens elapsed time
 *       owes it. No remainder is ever rounded away, because none is ever stored: it is implicit in the
 *       product.</li>
 *   <li>{@code C}, the <em>consumption</em> (one atomic long, padded away from what calls only read): every token
 *       taken, plus those the capacity clamp threw away while the bucket was full.</li>
 * </ul>
 * The level is {@code S(now) - max(C, S(now) - capacity)}: the {@code max} is the capacity clamp, applied lazily.
 * Every operation is: read the rate, compute {@code S(now)}, read {@code C}, CAS {@code C}. No allocation, no lock
 * (the same shape as a GCRA "theoretical arrival time", but counted in tokens so fractional emission intervals
 * stay exact).
 *
 * <p>The rate (perMinute, capacity, origin, base, offset) is an immutable object behind an
 * {@link AtomicReference}. It changes on {@link #setLimits} and, rarely, when {@code t - origin} grows so large
 * that {@code (t - origin) * perMinute} would no longer fit in a long: then it is re-based to a later origin with
 * an identical supply function (the fraction carried in {@code offset}), so the fast 64-bit path keeps being
 * used. The slow path (128-bit product, exact) covers the gap meanwhile.
 *
 * <h2>Ranges</h2>
 * Rates from 1 to {@link #MAX_RATE} per minute, capacities from 1 to {@link #MAX_CAPACITY}. Debt (a negative
 * level, from {@link #forceConsume}) is bounded at {@link #MAX_DEBT}. Intermediate products use 128 bits, so
 * no input in range overflows.
 *
 * <h2>Oversized requests</h2>
 * A request for more tokens than the capacity could never be served if it had to wait for that many tokens to
 * be present at once. So a request larger than the capacity is admitted when the bucket is <em>full</em> and
 * takes the bucket into debt for the excess: later requests wait until the refill has paid the debt back, so
 * the long-run rate is still respected.
 */
public final class TokenBucket {
    static final long NANOS_PER_MINUTE = 60_000_000_000L;
    /** Highest rate accepted: 10^11 per minute (keeps {@code S(t)} in 63 bits for over a century of uptime). */
    public static final long MAX_RATE = 100_000_000_000L;
    /** Highest capacity accepted. */
    public static final long MAX_CAPACITY = 1L << 50;
    /** Deepest debt the bucket records. */
    public static final long MAX_DEBT = 1L << 58;
    /** Largest single amount an operation takes or gives back; larger ones are clamped. */
    private static final long MAX_AMOUNT = 1L << 59;

    private static final class Rate {
        final long perMinute;
        final long capacity;
        final long origin;
        /** Supply at {@code origin}. */
        final long base;
        /** Fraction of a token (in 1/NANOS_PER_MINUTE units, {@code < NANOS_PER_MINUTE}) already owed at origin. */
        final long offset;
        /** Largest {@code t - origin} for which {@code (t - origin) * perMinute + offset} fits in a long. */
        final long maxSimple;

        Rate(long perMinute, long capacity, long origin, long base, long offset) {
            this.perMinute = perMinute;
            this.capacity = capacity;
            this.origin = origin;
            this.base = base;
            this.offset = offset;
            this.maxSimple = perMinute == 0 ? Long.MAX_VALUE : (Long.MAX_VALUE - NANOS_PER_MINUTE) / perMinute;
        }
    }

    private final NanoClock clock;
    private final AtomicReference<Rate> rate;
    /**
     * C: element {@link #at} of an array of counters on cache lines of their own ({@link CacheLines}). Every call
     * writes it and reads {@link #rate}; a gate keeps it on one line with the other counters each call writes.
     */
    private final AtomicLongArray consumed;
    private final int at;

    /** A bucket that starts full. {@code perMinute} 0 means no refill at all. */
    public TokenBucket(long perMinute, long capacity, NanoClock clock) {
        this(perMinute, capacity, clock, CacheLines.counters(1), CacheLines.FIRST);
    }

    /** As {@link #TokenBucket(long, long, NanoClock)}, keeping C at {@code counters[index]}, which it then owns. */
    TokenBucket(long perMinute, long capacity, NanoClock clock, AtomicLongArray counters, int index) {
        check(perMinute, capacity);
        this.clock = clock == null ? NanoClock.SYSTEM : clock;
        long now = this.clock.nanoTime();
        this.rate = new AtomicReference<>(new Rate(perMinute, capacity, now, 0, 0));
        this.consumed = counters;
        this.at = index;
        consumed.set(at, -capacity);
    }

    public TokenBucket(long perMinute, long capacity) {
        this(perMinute, capacity, NanoClock.SYSTEM);
    }

    private static void check(long perMinute, long capacity) {
        if (perMinute < 0 || perMinute > MAX_RATE) {
            throw new IllegalArgumentException("rate must be 0.." + MAX_RATE + " per minute, was " + perMinute);
        }
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ", was " + capacity);
        }
    }

    public long perMinute() {
        return rate.get().perMinute;
    }

    public long capacity() {
        return rate.get().capacity;
    }

    /** Tokens now; negative while in debt. */
    public long available() {
        long now = clock.nanoTime();
        Rate r = rate.get();
        long s = supply(r, now);
        return s - Math.max(consumed.get(at), s - r.capacity);
    }

    /**
     * Takes {@code n} tokens if they are there. A request larger than the capacity is taken when the bucket is
     * full, into debt (see the class comment).
     */
    public boolean tryConsume(long n) {
        return n <= 0 || tryConsume(n, clock.nanoTime());
    }

    /**
     * As {@link #tryConsume(long)}, at {@code now} (this bucket's clock time, read by the caller a moment ago): a
     * caller that asks several buckets in a row reads the clock once.
     */
    public boolean tryConsume(long n, long now) {
        if (n <= 0) return true;
        n = Math.min(n, MAX_AMOUNT);
        for (;;) {
            Rate r = rate.get();
            long s = supply(r, now);
            long c = consumed.get(at);
            long floor = Math.max(c, s - r.capacity);
            if (s - floor < Math.min(n, r.capacity)) return false;
            if (consumed.compareAndSet(at, c, floor + n)) return true;
        }
    }

    /** Takes {@code n} tokens whatever the level: the level may go negative (debt), down to {@link #MAX_DEBT}. */
    public void forceConsume(long n) {
        if (n <= 0) return;
        n = Math.min(n, MAX_AMOUNT);
        long now = clock.nanoTime();
        for (;;) {
            Rate r = rate.get();
            long s = supply(r, now);
            long c = consumed.get(at);
            long next = Math.min(Math.max(c, s - r.capacity) + n, s + MAX_DEBT);
            if (next <= c || consumed.compareAndSet(at, c, next)) return;
        }
    }

    /** Gives {@code n} tokens back; the level never rises above the capacity. */
    public void refund(long n) {
        if (n > 0) refund(n, clock.nanoTime());
    }

    /**
     * As {@link #refund(long)}, for a caller that knows a clock time {@code t} no later than now (when its tokens
     * were taken, say) and so need not read the clock. The result is the same as at now: the capacity clamp is
     * applied again whenever the level is read, {@code max(C, S(t') - capacity)} with {@code S} non-decreasing, so
     * clamping at an earlier (smaller) supply changes nothing a later read sees; the earlier clamp only keeps
     * {@code C} from drifting down without bound under repeated refunds to a full bucket.
     */
    public void refund(long n, long t) {
        if (n <= 0) return;
        n = Math.min(n, MAX_AMOUNT);
        long now = t;
        for (;;) {
            Rate r = rate.get();
            long s = supply(r, now);
            long c = consumed.get(at);
            long next = Math.max(Math.max(c, s - r.capacity) - n, s - r.capacity);
            if (next >= c || consumed.compareAndSet(at, c, next)) return;
        }
    }

    /** Lowers the level to {@code level} if it holds more; never raises it. */
    public void lowerTo(long level) {
        level = Math.max(level, -MAX_DEBT);
        long now = clock.nanoTime();
        for (;;) {
            Rate r = rate.get();
            long s = supply(r, now);
            long c = consumed.get(at);
            long avail = s - Math.max(c, s - r.capacity);
            if (avail <= level) return;
            if (consumed.compareAndSet(at, c, s - level)) return;
        }
    }

    /** Fills the bucket to its capacity (pays any debt). */
    public void fill() {
        long now = clock.nanoTime();
        for (;;) {
            Rate r = rate.get();
            long s = supply(r, now);
            long c = consumed.get(at);
            if (c == s - r.capacity || consumed.compareAndSet(at, c, s - r.capacity)) return;
        }
    }

    /**
     * Nanoseconds until {@code n} tokens would be available: 0 if they are now, {@link Long#MAX_VALUE} if never
     * (no refill). A request larger than the capacity needs a full bucket (see the class comment).
     */
    public long nanosUntil(long n) {
        return waitFor(n, true);
    }

    /**
     * Nanoseconds until the refill has produced enough for {@code n} tokens to be taken in total, counting what
     * is there now, regardless of the capacity: the time a queue of callers needing {@code n} tokens between
     * them takes to be served (each one takes its share as it refills). 0 if {@code n} are there now.
     */
    public long nanosToServe(long n) {
        return waitFor(n, false);
    }

    private long waitFor(long n, boolean capAtCapacity) {
        if (n <= 0) return 0;
        n = Math.min(n, MAX_AMOUNT);
        long now = clock.nanoTime();
        Rate r = rate.get();
        long s = supply(r, now);
        long floor = Math.max(consumed.get(at), s - r.capacity);
        long need = capAtCapacity ? Math.min(n, r.capacity) : n;
        if (s - floor >= need) return 0;
        if (r.perMinute == 0) return Long.MAX_VALUE;
        // Smallest dt with floor((dt * perMinute + offset) / NPM) >= target, i.e.
        // dt = ceil((target * NPM - offset) / perMinute) = floor(((target - 1) * NPM + (NPM - offset) + perMinute - 1) / perMinute)
        long target = floor + need - r.base; // >= 1 since the supply now falls short
        long hi = Math.multiplyHigh(target - 1, NANOS_PER_MINUTE);
        long lo = (target - 1) * NANOS_PER_MINUTE;
        long add = NANOS_PER_MINUTE - r.offset + r.perMinute - 1;
        long lo2 = lo + add;
        if (Long.compareUnsigned(lo2, lo) < 0) hi++;
        long dt = div128(hi, lo2, r.perMinute);
        if (dt == Long.MAX_VALUE) return Long.MAX_VALUE;
        long wait = dt - (now - r.origin);
        return wait < 1 ? 1 : wait;
    }

    /** Tokens the refill produces in {@code nanos} at the current rate (floor; no capacity applied). */
    public long refillOver(long nanos) {
        return refill(rate.get().perMinute, nanos);
    }

    /** Tokens a refill of {@code perMinute} (at most {@link #MAX_RATE}) produces in {@code nanos} (floor). */
    public static long refill(long perMinute, long nanos) {
        if (nanos <= 0 || perMinute <= 0) return 0;
        long p = Math.min(perMinute, MAX_RATE);
        return div128(Math.multiplyHigh(nanos, p), nanos * p, NANOS_PER_MINUTE);
    }

    /**
     * Changes rate and capacity, keeping the level (clamped to the new capacity) and the fraction of a token
     * already accrued. Concurrent operations that read the old rate a moment before the swap account at most that
     * moment at the old rate.
     */
    public void setLimits(long perMinute, long capacity) {
        check(perMinute, capacity);
        long now = clock.nanoTime();
        for (;;) {
            Rate r = rate.get();
            long t = Math.max(now, r.origin);
            long s = supply(r, t);
            // Apply the old capacity clamp now, so a larger capacity does not resurrect tokens the old one dropped.
            long c = consumed.get(at);
            if (c < s - r.capacity && !consumed.compareAndSet(at, c, s - r.capacity)) continue;
            Rate next = new Rate(perMinute, capacity, t, s, fraction(r, t));
            if (rate.compareAndSet(r, next)) return;
        }
    }

    // ---- supply function

    private long supply(Rate r, long now) {
        long dt = now - r.origin;
        if (dt <= 0 || r.perMinute == 0) return r.base;
        if (dt <= r.maxSimple) {
            if (dt > (r.maxSimple >>> 1)) rebase(r, now);
            return r.base + (dt * r.perMinute + r.offset) / NANOS_PER_MINUTE;
        }
        long hi = Math.multiplyHigh(dt, r.perMinute);
        long lo = dt * r.perMinute;
        long lo2 = lo + r.offset;
        if (Long.compareUnsigned(lo2, lo) < 0) hi++;
        long q = div128(hi, lo2, NANOS_PER_MINUTE);
        rebase(r, now);
        return q == Long.MAX_VALUE ? Long.MAX_VALUE : r.base + q;
    }

    /** The fraction of a token (in 1/NPM units) accrued at {@code t >= r.origin} beyond the whole tokens. */
    private static long fraction(Rate r, long t) {
        long dt = t - r.origin;
        if (dt <= 0 || r.perMinute == 0) return r.offset;
        long hi = Math.multiplyHigh(dt, r.perMinute);
        long lo = dt * r.perMinute;
        long lo2 = lo + r.offset;
        if (Long.compareUnsigned(lo2, lo) < 0) hi++;
        long q = div128(hi, lo2, NANOS_PER_MINUTE);
        return lo2 - q * NANOS_PER_MINUTE; // numerator mod 2^64 minus q*d: the exact remainder (< d)
    }

    /** Same supply function, later origin: exact, since the fraction at the new origin moves into the offset. */
    private void rebase(Rate r, long now) {
        long s = supply0(r, now);
        if (s == Long.MAX_VALUE) return;
        rate.compareAndSet(r, new Rate(r.perMinute, r.capacity, now, s, fraction(r, now)));
    }

    private static long supply0(Rate r, long now) {
        long dt = now - r.origin;
        if (dt <= 0 || r.perMinute == 0) return r.base;
        long hi = Math.multiplyHigh(dt, r.perMinute);
        long lo = dt * r.perMinute;
        long lo2 = lo + r.offset;
        if (Long.compareUnsigned(lo2, lo) < 0) hi++;
        long q = div128(hi, lo2, NANOS_PER_MINUTE);
        return q == Long.MAX_VALUE ? Long.MAX_VALUE : r.base + q;
    }

    /**
     * {@code floor((hi * 2^64 + lo) / d)} for an unsigned 128-bit numerator and {@code 0 < d < 2^40};
     * {@link Long#MAX_VALUE} when the quotient does not fit in 63 bits. Long division in base 2^20: the running
     * remainder stays below {@code d < 2^40}, so {@code rem << 20} never overflows.
     */
    static long div128(long hi, long lo, long d) {
        if (hi < 0 || hi >= d) return Long.MAX_VALUE;
        long rem = hi;
        long cur = (rem << 4) | (lo >>> 60);
        long q = cur / d;
        rem = cur - q * d;
        for (int shift = 40; shift >= 0; shift -= 20) {
            cur = (rem << 20) | ((lo >>> shift) & 0xFFFFF);
            long qd = cur / d;
            rem = cur - qd * d;
            q = (q << 20) | qd;
        }
        return q < 0 ? Long.MAX_VALUE : q;
    }

    @Override
    public String toString() {
        Rate r = rate.get();
        return "TokenBucket{" + available() + "/" + r.capacity + ", " + r.perMinute + "/min}";
    }
}
