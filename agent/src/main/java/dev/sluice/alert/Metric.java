package dev.sluice.alert;

import dev.sluice.core.RefusalReason;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A figure an alert condition may name ({@code queue.depth}, {@code wait.avg}, ...), with its kind (which
 * decides the units its values are written in) and how to read it from {@link Figures}. Durations are read in
 * nanoseconds, rates per second, ratios as 0..1, booleans as 0/1, the breaker as its ordinal.
 */
public final class Metric {
    /** What a metric measures; decides which values and operators it accepts. */
    public enum Kind {
        COUNT("a number, e.g. 100"),
        RATIO("a fraction 0..1 or a percentage, e.g. 0.9 or 90%"),
        DURATION("a duration, e.g. 10s, 250ms or 2m"),
        RATE("a rate, e.g. 5/s or 120/m"),
        BOOLEAN("true or false"),
        BREAKER("closed, open or half-open");

        final String values;

        Kind(String values) {
            this.values = values;
        }
    }

    private static final Map<String, Metric> ALL;

    static {
        Map<String, Metric> m = new LinkedHashMap<>();
        add(m, "queue.depth", Kind.COUNT, "callers waiting in the waiting room now", f -> f.queueDepth);
        add(m, "queue.fill", Kind.RATIO, "queue.depth / queue.capacity",
                f -> f.queueCapacity <= 0 ? 0 : (double) f.queueDepth / f.queueCapacity);
        add(m, "inflight", Kind.COUNT, "calls admitted and not yet completed", f -> f.inFlight);
        add(m, "utilization", Kind.RATIO, "what shedding compares with (waiting-room fill, slot use)",
                f -> f.utilization);
        add(m, "congested", Kind.BOOLEAN, "between the high- and low-water marks", f -> f.congested ? 1 : 0);
        add(m, "breaker", Kind.BREAKER, "circuit breaker state", f -> f.breaker.ordinal());
        add(m, "paused", Kind.BOOLEAN, "buckets paused by a provider's retry time", f -> f.paused ? 1 : 0);
        add(m, "available.requests", Kind.COUNT, "RPM bucket now (unlimited never compares below)",
                f -> f.availableRequests < 0 ? Double.POSITIVE_INFINITY : f.availableRequests);
        add(m, "available.tokens", Kind.COUNT, "TPM bucket now (unlimited never compares below)",
                f -> f.availableTokens < 0 ? Double.POSITIVE_INFINITY : f.availableTokens);
        add(m, "wait.avg", Kind.DURATION, "average wait of callers that left the waiting room in the window",
                f -> f.avgWaitNanos);
        add(m, "wait.max", Kind.DURATION, "longest wait that ended in the window", f -> f.maxWaitNanos);
        add(m, "wait.avg.total", Kind.DURATION, "average wait since the last reset", f -> f.avgWaitTotalNanos);
        add(m, "wait.max.total", Kind.DURATION, "longest wait since the last reset", f -> f.maxWaitTotalNanos);
        add(m, "enqueue.rate", Kind.RATE, "callers entering the waiting room", f -> f.enqueueRate);
        add(m, "dequeue.rate", Kind.RATE, "callers leaving the waiting room (admitted or refused)",
                f -> f.dequeueRate);
        add(m, "admit.rate", Kind.RATE, "calls admitted", f -> f.admitRate);
        add(m, "complete.rate", Kind.RATE, "calls completed", f -> f.completeRate);
        add(m, "reject.rate", Kind.RATE, "calls refused by Sluice, every reason", f -> f.rejectRate);
        for (RefusalReason r : RefusalReason.values()) {
            add(m, "reject." + r.label() + ".rate", Kind.RATE, "calls refused: " + r.description(),
                    f -> f.rejectRateByReason[r.ordinal()]);
        }
        add(m, "would-reject.rate", Kind.RATE, "observe mode: calls that would have been refused",
                f -> f.wouldRejectRate);
        add(m, "upstream429.rate", Kind.RATE, "429 answers from the provider", f -> f.upstream429Rate);
        add(m, "failure.rate", Kind.RATE, "failures as the breaker counts them (IO errors, 5xx, 529)",
                f -> f.failureRate);
        add(m, "rejected", Kind.COUNT, "calls refused since the last reset", f -> f.rejected);
        add(m, "upstream429", Kind.COUNT, "429 answers since the last reset", f -> f.upstream429);
        add(m, "failures", Kind.COUNT, "failures since the last reset", f -> f.failures);
        add(m, "breaker.transitions", Kind.COUNT, "breaker state changes since the last reset",
                f -> f.breakerTransitions);
        ALL = Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, Metric> m, String name, Kind kind, String meaning, ToDoubleFunction<Figures> read) {
        m.put(name, new Metric(name, kind, meaning, read));
    }

    private final String name;
    private final Kind kind;
    private final String meaning;
    private final ToDoubleFunction<Figures> read;

    private Metric(String name, Kind kind, String meaning, ToDoubleFunction<Figures> read) {
        this.name = name;
        this.kind = kind;
        this.meaning = meaning;
        this.read = read;
    }

    public static Metric named(String name) {
        return ALL.get(name);
    }

    public static List<Metric> all() {
        return new ArrayList<>(ALL.values());
    }

    public String name() { return name; }
    public Kind kind() { return kind; }
    public String meaning() { return meaning; }

    public double read(Figures f) {
        return read.applyAsDouble(f);
    }

    /** The value as an operator reads it: {@code 2.3s}, {@code 5.0/s}, {@code 87%}, {@code open}. */
    public String format(double v) {
        return format(kind, v);
    }

    static String format(Kind kind, double v) {
        switch (kind) {
            case DURATION:
                if (v >= 1e9) return trim(v / 1e9) + "s";
                return trim(v / 1e6) + "ms";
            case RATE:
                return trim(v) + "/s";
            case RATIO:
                return trim(v * 100) + "%";
            case BOOLEAN:
                return v != 0 ? "true" : "false";
            case BREAKER:
                return dev.sluice.core.BreakerState.values()[(int) v].label();
            default:
                return Double.isInfinite(v) ? "unlimited" : trim(v);
        }
    }

    private static String trim(double v) {
        if (Double.isInfinite(v)) return "unlimited";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(java.util.Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    @Override
    public String toString() {
        return name;
    }
}
