package dev.sluice.core;

/**
 * Every limit of one endpoint's gate, immutable. A live change (JMX, reload) builds a new one with
 * {@link #toBuilder()} and hands it to {@link Gate#setLimits}; the gate swaps it in without losing state.
 * Derived integers (bucket capacities, watermarks) are computed once here, never on the call path.
 */
public final class GateLimits {
    public static final long UNLIMITED = 0;

    public static final double DEFAULT_BURST = 1.0;
    public static final long DEFAULT_BURST_MARGIN_NANOS = 250_000_000L;
    public static final int DEFAULT_QUEUE_CAPACITY = 100;
    public static final long DEFAULT_MAX_WAIT_NANOS = 30_000_000_000L;
    public static final double DEFAULT_SHED_LOW = 0.90;
    public static final double DEFAULT_SHED_NORMAL = 0.95;
    public static final double DEFAULT_SHED_HIGH = 0.98;
    public static final int DEFAULT_BREAKER_FAILURES = 5;
    public static final int DEFAULT_BREAKER_WINDOW = 20;
    public static final long DEFAULT_BREAKER_OPEN_NANOS = 30_000_000_000L;
    public static final int DEFAULT_HALF_OPEN_CALLS = 1;
    public static final long DEFAULT_LEASE_NANOS = 15L * 60 * 1_000_000_000L;

    private final Mode mode;
    private final long rpm;
    private final long tpm;
    private final double burst;
    private final long burstMarginNanos;
    private final int maxConcurrent;
    private final int queueCapacity;
    private final int highWater;
    private final int lowWater;
    private final long maxWaitNanos;
    private final Overflow overflow;
    private final double shedLow;
    private final double shedNormal;
    private final double shedHigh;
    private final int breakerFailures;
    private final int breakerFailureRatePercent;
    private final int breakerWindow;
    private final long breakerOpenNanos;
    private final int breakerHalfOpenCalls;
    private final long leaseNanos;

    // derived
    private final long requestCapacity;
    private final long tokenCapacity;

    private GateLimits(Builder b) {
        this.mode = b.mode;
        this.rpm = b.rpm;
        this.tpm = b.tpm;
        this.burst = b.burst;
        this.burstMarginNanos = b.burstMarginNanos;
        this.maxConcurrent = b.maxConcurrent;
        this.queueCapacity = b.queueCapacity;
        this.highWater = b.highWater >= 0 ? Math.min(b.highWater, b.queueCapacity)
                : (int) Math.ceil(b.queueCapacity * 0.8);
        this.lowWater = b.lowWater >= 0 ? Math.min(b.lowWater, this.highWater)
                : Math.min(this.highWater, (int) Math.floor(b.queueCapacity * 0.2));
        this.maxWaitNanos = b.maxWaitNanos;
        this.overflow = b.overflow;
        this.shedLow = b.shedLow;
        this.shedNormal = b.shedNormal;
        this.shedHigh = b.shedHigh;
        this.breakerFailures = b.breakerFailures;
        this.breakerFailureRatePercent = b.breakerFailureRatePercent;
        this.breakerWindow = b.breakerWindow;
        this.breakerOpenNanos = b.breakerOpenNanos;
        this.breakerHalfOpenCalls = b.breakerHalfOpenCalls;
        this.leaseNanos = b.leaseNanos;
        this.requestCapacity = capacity(rpm, burst, burstMarginNanos);
        this.tokenCapacity = capacity(tpm, burst, burstMarginNanos);
    }

    /**
     * Bucket capacity: burst x one minute's quota, less the refill of {@code burst-margin}. The margin absorbs
     * the jitter between the moment Sluice admits a call and the moment it reaches the provider: with it, the
     * provider's bucket (same rate, capacity = burst x quota) never sees more than its own capacity in any
     * window, so arrival jitter up to the margin causes no 429. The steady rate is untouched.
     */
    static long capacity(long perMinute, double burst, long marginNanos) {
        if (perMinute <= 0) return UNLIMITED;
        long full = Math.max(1, Math.round(perMinute * burst));
        long margin = (long) ((double) perMinute * marginNanos / 60_000_000_000.0);
        return Math.max(1, full - margin);
    }

    public static GateLimits defaults() {
        return new Builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.rpm = rpm;
        b.tpm = tpm;
        b.burst = burst;
        b.burstMarginNanos = burstMarginNanos;
        b.maxConcurrent = maxConcurrent;
        b.queueCapacity = queueCapacity;
        b.highWater = highWater;
        b.lowWater = lowWater;
        b.maxWaitNanos = maxWaitNanos;
        b.overflow = overflow;
        b.shedLow = shedLow;
        b.shedNormal = shedNormal;
        b.shedHigh = shedHigh;
        b.breakerFailures = breakerFailures;
        b.breakerFailureRatePercent = breakerFailureRatePercent;
        b.breakerWindow = breakerWindow;
        b.breakerOpenNanos = breakerOpenNanos;
        b.breakerHalfOpenCalls = breakerHalfOpenCalls;
        b.leaseNanos = leaseNanos;
        return b;
    }

    public Mode mode() { return mode; }
    /** Requests per minute; 0 = unlimited. */
    public long rpm() { return rpm; }
    /** Tokens per minute; 0 = unlimited. */
    public long tpm() { return tpm; }
    public double burst() { return burst; }
    public long burstMarginNanos() { return burstMarginNanos; }
    /** 0 = unlimited. */
    public int maxConcurrent() { return maxConcurrent; }
    public int queueCapacity() { return queueCapacity; }
    /** Waiters at which the endpoint becomes congested. */
    public int highWater() { return highWater; }
    /** Waiters at which a congested endpoint stops being congested. */
    public int lowWater() { return lowWater; }
    public long maxWaitNanos() { return maxWaitNanos; }
    public Overflow overflow() { return overflow; }
    /** Utilization (0..1) at which a priority is shed; 1.0 or more never sheds it. */
    public double shedThreshold(Priority p) {
        switch (p) {
            case LOW: return shedLow;
            case NORMAL: return shedNormal;
            default: return shedHigh;
        }
    }
    public int breakerFailures() { return breakerFailures; }
    /** 0 = off. */
    public int breakerFailureRatePercent() { return breakerFailureRatePercent; }
    public int breakerWindow() { return breakerWindow; }
    public long breakerOpenNanos() { return breakerOpenNanos; }
    public int breakerHalfOpenCalls() { return breakerHalfOpenCalls; }
    /** How long an admitted call may hold its permit without reporting back before the gate reclaims it. */
    public long leaseNanos() { return leaseNanos; }
    /** RPM bucket capacity in requests (burst x rpm less the margin); 0 = unlimited. */
    public long requestCapacity() { return requestCapacity; }
    /** TPM bucket capacity in tokens; 0 = unlimited. */
    public long tokenCapacity() { return tokenCapacity; }

    @Override
    public String toString() {
        return "GateLimits{mode=" + mode.label() + ", rpm=" + rpm + ", tpm=" + tpm + ", burst=" + burst
                + ", maxConcurrent=" + maxConcurrent + ", queueCapacity=" + queueCapacity
                + ", water=" + lowWater + ".." + highWater + ", maxWaitMs=" + maxWaitNanos / 1_000_000
                + ", overflow=" + overflow.label() + ", shed=" + shedLow + "/" + shedNormal + "/" + shedHigh
                + ", breaker=" + breakerFailures + "@" + breakerOpenNanos / 1_000_000 + "ms}";
    }

    /** Checks each value as it is set: a JMX write of a bad value fails with a clear message and changes nothing. */
    public static final class Builder {
        private Mode mode = Mode.ENFORCE;
        private long rpm = UNLIMITED;
        private long tpm = UNLIMITED;
        private double burst = DEFAULT_BURST;
        private long burstMarginNanos = DEFAULT_BURST_MARGIN_NANOS;
        private int maxConcurrent = 0;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int highWater = -1;
        private int lowWater = -1;
        private long maxWaitNanos = DEFAULT_MAX_WAIT_NANOS;
        private Overflow overflow = Overflow.REJECT_NEW;
        private double shedLow = DEFAULT_SHED_LOW;
        private double shedNormal = DEFAULT_SHED_NORMAL;
        private double shedHigh = DEFAULT_SHED_HIGH;
        private int breakerFailures = DEFAULT_BREAKER_FAILURES;
        private int breakerFailureRatePercent = 0;
        private int breakerWindow = DEFAULT_BREAKER_WINDOW;
        private long breakerOpenNanos = DEFAULT_BREAKER_OPEN_NANOS;
        private int breakerHalfOpenCalls = DEFAULT_HALF_OPEN_CALLS;
        private long leaseNanos = DEFAULT_LEASE_NANOS;

        private Builder() {
        }

        private static void check(boolean ok, String what) {
            if (!ok) throw new IllegalArgumentException(what);
        }

        public Builder mode(Mode v) { check(v != null, "mode must be enforce, observe or off"); mode = v; return this; }
        public Builder rpm(long v) { check(v >= 0, "rpm must be >= 0 (0 = unlimited), was " + v); rpm = v; return this; }
        public Builder tpm(long v) { check(v >= 0, "tpm must be >= 0 (0 = unlimited), was " + v); tpm = v; return this; }
        public Builder burst(double v) { check(v > 0 && v <= 1000 && !Double.isNaN(v), "burst must be > 0 and <= 1000, was " + v); burst = v; return this; }
        public Builder burstMarginNanos(long v) { check(v >= 0, "burst-margin must be >= 0"); burstMarginNanos = v; return this; }
        public Builder maxConcurrent(int v) { check(v >= 0, "max-concurrent must be >= 0 (0 = unlimited), was " + v); maxConcurrent = v; return this; }
        /** Also resets the watermarks to 80% / 20% of the new capacity unless they are set after. */
        public Builder queueCapacity(int v) { check(v >= 0, "queue.capacity must be >= 0, was " + v); queueCapacity = v; highWater = -1; lowWater = -1; return this; }
        public Builder highWater(int v) { check(v >= 0, "queue.high-water must be >= 0, was " + v); highWater = v; return this; }
        public Builder lowWater(int v) { check(v >= 0, "queue.low-water must be >= 0, was " + v); lowWater = v; return this; }
        public Builder maxWaitNanos(long v) { check(v >= 0, "queue.max-wait must be >= 0, was " + v); maxWaitNanos = v; return this; }
        public Builder overflow(Overflow v) { check(v != null, "queue.overflow must be set"); overflow = v; return this; }
        public Builder shedLow(double v) { check(v >= 0 && !Double.isNaN(v), "shed threshold must be >= 0"); shedLow = v; return this; }
        public Builder shedNormal(double v) { check(v >= 0 && !Double.isNaN(v), "shed threshold must be >= 0"); shedNormal = v; return this; }
        public Builder shedHigh(double v) { check(v >= 0 && !Double.isNaN(v), "shed threshold must be >= 0"); shedHigh = v; return this; }
        public Builder breakerFailures(int v) { check(v >= 1, "breaker.failures must be >= 1, was " + v); breakerFailures = v; return this; }
        public Builder breakerFailureRatePercent(int v) { check(v >= 0 && v <= 100, "breaker.failure-rate must be 0..100, was " + v); breakerFailureRatePercent = v; return this; }
        public Builder breakerWindow(int v) { check(v >= 1 && v <= 10_000, "breaker.window must be 1..10000, was " + v); breakerWindow = v; return this; }
        public Builder breakerOpenNanos(long v) { check(v >= 0, "breaker.open-for must be >= 0"); breakerOpenNanos = v; return this; }
        public Builder breakerHalfOpenCalls(int v) { check(v >= 1, "breaker.half-open-calls must be >= 1, was " + v); breakerHalfOpenCalls = v; return this; }
        public Builder leaseNanos(long v) { check(v > 0, "permit lease must be > 0"); leaseNanos = v; return this; }

        public GateLimits build() {
            return new GateLimits(this);
        }
    }
}
