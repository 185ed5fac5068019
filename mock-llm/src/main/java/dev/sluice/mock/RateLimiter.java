package dev.sluice.mock;

/**
 * The provider's quota: a requests bucket and a tokens bucket, each with capacity {@code burstSeconds} x its
 * per-second rate, refilled continuously (System.nanoTime), both starting full. One lock guards both, so a
 * request is admitted (and charged) only when both hold enough, and refused without being charged otherwise.
 *
 * <p>Each dimension has an <em>advertised</em> limit (per minute; what the {@code *-limit} headers report; 0 =
 * unlimited, no bucket, no headers) and an <em>enforced</em> one: by default the same, lower when the quota is
 * shared with another consumer ({@code quotaShare} &lt; 1, or an explicit enforced limit). The bucket runs at the
 * enforced rate, and the {@code *-remaining} / {@code *-reset} headers report that bucket, so a client sees less
 * remaining than the advertised limit suggests, as it would next to a neighbour using the same key.
 */
final class RateLimiter {
    private final Dim requests = new Dim(true);
    private final Dim tokens = new Dim(false);
    private double burstSeconds = 60;
    private double quotaShare = 1.0;

    RateLimiter() {
    }

    /** One dimension of the quota. */
    static final class Dim {
        final boolean requests;
        long advertisedPerMinute;
        long enforcedOverride;   // 0 = derive from the advertised limit x quotaShare
        double perSecond;        // enforced
        double capacity;
        double level;
        long last = System.nanoTime();

        Dim(boolean requests) {
            this.requests = requests;
        }

        boolean limited() {
            return advertisedPerMinute > 0;
        }

        void refill(long now) {
            if (limited() && now > last) level = Math.min(capacity, level + perSecond * (now - last) / 1e9);
            last = now;
        }

        void reconfigure(long now, long advertised, long enforcedOverride, double share, double burst) {
            refill(now);
            boolean wasLimited = limited();
            this.advertisedPerMinute = Math.max(0, advertised);
            this.enforcedOverride = Math.max(0, enforcedOverride);
            if (!limited()) {
                perSecond = 0;
                capacity = 0;
                level = 0;
                return;
            }
            double enforcedPerMinute = this.enforcedOverride > 0
                    ? Math.min(this.enforcedOverride, advertisedPerMinute)
                    : advertisedPerMinute * share;
            perSecond = enforcedPerMinute / 60.0;
            capacity = perSecond * burst;
            if (requests) capacity = Math.max(1.0, capacity);
            level = wasLimited ? Math.min(level, capacity) : capacity;
        }

        /** Nanoseconds until the bucket holds {@code need}; 0 if it does; Long.MAX_VALUE if it never will. */
        long nanosUntil(double need) {
            if (!limited() || level >= need) return 0;
            if (need > capacity + 1e-9 || perSecond <= 0) return Long.MAX_VALUE;
            return (long) Math.ceil((need - level) / perSecond * 1e9);
        }

        View view() {
            if (!limited()) return null;
            long resetNanos = perSecond <= 0 ? 0 : (long) Math.ceil(Math.max(0, capacity - level) / perSecond * 1e9);
            return new View(advertisedPerMinute, (long) Math.floor(Math.max(0, level)), resetNanos,
                    (long) Math.floor(capacity));
        }
    }

    /** What the headers report for one dimension: advertised limit, remaining in the bucket, time until full. */
    static final class View {
        final long limit;
        final long remaining;
        final long resetNanos;
        final long capacity;

        View(long limit, long remaining, long resetNanos, long capacity) {
            this.limit = limit;
            this.remaining = remaining;
            this.resetNanos = resetNanos;
            this.capacity = capacity;
        }
    }

    /** The outcome of one admission attempt, with the bucket views after it (for the headers). */
    static final class Decision {
        final boolean admitted;
        /** "requests" or "tokens" when refused. */
        final String limitedBy;
        /** When refused: nanoseconds until both buckets would hold enough; Long.MAX_VALUE = the request is too large. */
        final long waitNanos;
        final View requests;
        final View tokens;

        Decision(boolean admitted, String limitedBy, long waitNanos, View requests, View tokens) {
            this.admitted = admitted;
            this.limitedBy = limitedBy;
            this.waitNanos = waitNanos;
            this.requests = requests;
            this.tokens = tokens;
        }

        boolean tooLarge() {
            return waitNanos == Long.MAX_VALUE;
        }
    }

    synchronized void configure(long rpm, long tpm, long enforcedRpm, long enforcedTpm, double share, double burst) {
        if (!(burst > 0) || Double.isInfinite(burst)) throw new IllegalArgumentException("burstSeconds must be > 0: " + burst);
        if (!(share > 0) || share > 1) throw new IllegalArgumentException("quotaShare must be in (0, 1]: " + share);
        long now = System.nanoTime();
        this.burstSeconds = burst;
        this.quotaShare = share;
        requests.reconfigure(now, rpm, enforcedRpm, share, burst);
        tokens.reconfigure(now, tpm, enforcedTpm, share, burst);
    }

    /** Admits and charges 1 request and {@code cost} tokens, or refuses without charging anything. */
    synchronized Decision tryAcquire(long cost) {
        long now = System.nanoTime();
        requests.refill(now);
        tokens.refill(now);
        long waitReq = requests.nanosUntil(1);
        long waitTok = tokens.nanosUntil(cost);
        if (waitReq == 0 && waitTok == 0) {
            if (requests.limited()) requests.level -= 1;
            if (tokens.limited()) tokens.level -= cost;
            return new Decision(true, null, 0, requests.view(), tokens.view());
        }
        String by = waitReq > 0 ? "requests" : "tokens";
        if (waitTok == Long.MAX_VALUE) by = "tokens";
        return new Decision(false, by, Math.max(waitReq, waitTok), requests.view(), tokens.view());
    }

    /** Adds {@code delta} tokens back to the bucket (a refund when positive; an extra charge when negative). */
    synchronized void creditTokens(long delta) {
        if (!tokens.limited() || delta == 0) return;
        tokens.refill(System.nanoTime());
        tokens.level = Math.min(tokens.capacity, tokens.level + delta);
    }

    synchronized Decision peek() {
        long now = System.nanoTime();
        requests.refill(now);
        tokens.refill(now);
        return new Decision(true, null, 0, requests.view(), tokens.view());
    }

    /** Fills both buckets. */
    synchronized void fill() {
        long now = System.nanoTime();
        requests.refill(now);
        tokens.refill(now);
        requests.level = requests.capacity;
        tokens.level = tokens.capacity;
    }

    synchronized double availableRequests() {
        requests.refill(System.nanoTime());
        return requests.limited() ? requests.level : Double.POSITIVE_INFINITY;
    }

    synchronized double availableTokens() {
        tokens.refill(System.nanoTime());
        return tokens.limited() ? tokens.level : Double.POSITIVE_INFINITY;
    }

    synchronized double burstSeconds() {
        return burstSeconds;
    }

    synchronized double quotaShare() {
        return quotaShare;
    }
}
