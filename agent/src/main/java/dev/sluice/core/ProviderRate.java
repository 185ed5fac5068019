package dev.sluice.core;

/**
 * Learns the refill rate of the provider's bucket from its rate-limit headers, so the local bucket refills no faster
 * when the provider grants less than the configured limit (the account's real tier is lower, or the provider enforces
 * a share of it).
 *
 * <p>Why the level alone is not enough: lowering the local level to the provider's remaining on every response makes
 * the two equal at that instant, but between two responses the local bucket refills at the configured rate. If the
 * provider's is slower, the next call goes out before the provider has the request for it, and is refused. Only the
 * refill rate itself closes that gap.
 *
 * <p>How: a provider's headers describe one continuously refilled bucket by its {@code remaining} count and its
 * {@code reset} time, the time until it is full again. For such a bucket {@code remaining + rate x reset = capacity}
 * at every instant, whatever happened before: every response's pair lies on one line whose slope is the refill rate.
 * So the rate is the least-squares slope of remaining against reset over the last {@value #SAMPLES} responses: no
 * timing enters (responses may arrive late and out of order), only the provider's own figures. {@code remaining} is
 * rounded down to whole units, which makes the slope uncertain by about one unit over the spread of the remaining
 * counts seen; the local rate is lowered only when the estimate is below the configured rate by more than that
 * uncertainty, and then to the low end of it. An estimate that reaches the configured rate restores it (never more),
 * and so does a fit whose points scatter more than rounding explains (reset times read against the local clock, as
 * Anthropic's RFC 3339 instants are, or of coarse resolution): no cap without a clean line.
 *
 * <p>Not seen this way: a neighbour that consumes from the same provider bucket (the bucket still refills at its full
 * rate; the neighbour's use shows as a lower remaining count, which the level sync follows on each response).
 */
final class ProviderRate {
    /** Responses the slope is fitted over. */
    static final int SAMPLES = 64;
    /**
     * Fewest responses, and smallest spread of remaining counts (units), an estimate needs. Small on purpose: the
     * first estimate must come before the provider's bucket runs dry, and its uncertainty (1 / spread) is applied in
     * full, so an early estimate errs on the low side and rises as the spread grows.
     */
    static final int MIN_SAMPLES = 4;
    static final long MIN_SPREAD = 3;
    /** Estimates at or above this share of the configured rate need no cap. */
    static final double RESTORE = 0.98;
    /** Largest root-mean-square scatter (in units) around the fitted line for the fit to count. */
    static final double MAX_SCATTER = 1.0;

    /** {@link #sample} result: change nothing. */
    static final long KEEP = -1;
    /** {@link #sample} result: the configured rate applies. */
    static final long CONFIGURED = 0;

    private final double[] resetSeconds = new double[SAMPLES];
    private final long[] remaining = new long[SAMPLES];
    private int count;
    private int next;
    /** Samples in the window whose remaining count is not a whole number of thousands. */
    private int notThousands;

    /**
     * One response's {@code remaining} count and {@code resetNanos} (time until the provider's bucket is full) for one
     * dimension. Returns the per-minute rate the local bucket should refill at, {@link #CONFIGURED}, or {@link #KEEP}.
     * Called for every answer that carries the provider's figures, twice (requests, tokens): a pass for the spread
     * of the counts, and only when they moved enough, one for the line (its sums taken relative to the newest
     * sample, so they stay of the order of the spread) and one for the scatter about it.
     */
    synchronized long sample(long remainingNow, long resetNanos, long configuredPerMinute) {
        if (remainingNow < 0 || resetNanos < 0 || configuredPerMinute <= 0) return KEEP;
        int slot = next;
        if (count == SAMPLES && remaining[slot] % 1000 != 0) notThousands--; // the oldest leaves the window
        double x0 = resetNanos / 1e9;
        resetSeconds[slot] = x0;
        remaining[slot] = remainingNow;
        if (remainingNow % 1000 != 0) notThousands++;
        next = (slot + 1) % SAMPLES;
        if (count < SAMPLES) count++;
        if (count < MIN_SAMPLES) return KEEP;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, remaining[i]);
            max = Math.max(max, remaining[i]);
        }
        long unit = notThousands == 0 ? 1000 : 1; // Anthropic rounds token counts to thousands: then a unit is 1,000
        long spread = max - min;
        // Far below the provider's limits the counts hardly move: the common answer, decided before any fitting.
        if (spread < MIN_SPREAD * unit) return KEEP;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < count; i++) {
            double dx = resetSeconds[i] - x0;
            double dy = remaining[i] - remainingNow;
            sx += dx;
            sy += dy;
            sxx += dx * dx;
            sxy += dx * dy;
        }
        double n = count;
        double cxx = sxx - sx * sx / n; // the sums about the means
        double cxy = sxy - sx * sy / n;
        if (cxx <= 0) return KEEP;
        double slope = cxy / cxx;
        double perSecond = -slope;
        if (!(perSecond > 0)) return KEEP;
        // Only a clean line is evidence: rounding leaves at most a unit of scatter. Reset times read late against
        // the local clock (Anthropic sends an instant, not a duration) or with second resolution scatter far more,
        // and a noisy fit underestimates the slope: then the configured rate stands. The scatter is summed from the
        // residuals themselves: the shortcut (the spread of the counts less what the line explains) cancels to
        // rounding noise for a clean line through counts in the billions, just where the scatter decides.
        double mx = sx / n;
        double my = sy / n;
        double sse = 0;
        for (int i = 0; i < count; i++) {
            double e = (remaining[i] - remainingNow) - my - slope * (resetSeconds[i] - x0 - mx);
            sse += e * e;
        }
        if (Math.sqrt(sse / count) > MAX_SCATTER * unit) return CONFIGURED;
        double perMinute = perSecond * 60;
        double uncertainty = (double) unit / spread;
        if (perMinute * (1 + uncertainty) >= configuredPerMinute * RESTORE) return CONFIGURED;
        return Math.max(1, (long) (perMinute * (1 - uncertainty)));
    }

    /** Forget the series (limits changed). */
    synchronized void reset() {
        count = 0;
        next = 0;
        notThousands = 0;
    }
}
