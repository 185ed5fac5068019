package dev.sluice.alert;

import dev.sluice.core.BreakerState;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An alert's {@code when}: comparisons of a figure with a value, joined by {@code and} / {@code or}
 * ({@code and} binds tighter; no parentheses). Examples:
 * <pre>
 *   queue.depth > 100
 *   wait.avg > 10s
 *   reject.rate > 5/s
 *   breaker = open
 *   utilization >= 90%
 *   congested = true and wait.avg > 2s
 * </pre>
 * Operators: {@code > >= < <= = !=} ({@code ==} is {@code =}); {@code and}/{@code or} may be written
 * {@code &&}/{@code ||}. Values carry the unit of the figure's kind; a value that does not fit is an error
 * naming what would fit. Parsing is strict so that a typo is reported instead of silently never firing.
 */
public final class Condition {
    private final String text;
    private final List<List<Comparison>> anyOf; // or of ands

    private Condition(String text, List<List<Comparison>> anyOf) {
        this.text = text;
        this.anyOf = anyOf;
    }

    /** @throws IllegalArgumentException with a message that says what is wrong and what would be right */
    public static Condition parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("the condition is empty (e.g. queue.depth > 100)");
        List<String> tokens = tokenize(text);
        List<List<Comparison>> anyOf = new ArrayList<>();
        List<Comparison> all = new ArrayList<>();
        int i = 0;
        while (true) {
            if (i >= tokens.size()) throw new IllegalArgumentException("expected a figure after '" + tokens.get(i - 1) + "'");
            if (i + 1 >= tokens.size()) {
                throw new IllegalArgumentException("expected a comparison after '" + tokens.get(i)
                        + "' (one of > >= < <= = !=, then a value)");
            }
            if (i + 2 >= tokens.size()) {
                throw new IllegalArgumentException("expected a value after '" + tokens.get(i) + " " + tokens.get(i + 1) + "'");
            }
            all.add(Comparison.of(tokens.get(i), tokens.get(i + 1), tokens.get(i + 2)));
            i += 3;
            if (i == tokens.size()) break;
            String join = tokens.get(i).toLowerCase(Locale.ROOT);
            if (join.equals("and") || join.equals("&&")) {
                i++;
            } else if (join.equals("or") || join.equals("||")) {
                anyOf.add(all);
                all = new ArrayList<>();
                i++;
            } else {
                throw new IllegalArgumentException("expected 'and' or 'or' after '" + tokens.get(i - 3) + " "
                        + tokens.get(i - 2) + " " + tokens.get(i - 1) + "', found '" + tokens.get(i) + "'");
            }
        }
        anyOf.add(all);
        return new Condition(text.trim(), anyOf);
    }

    public boolean test(Figures f) {
        for (List<Comparison> all : anyOf) {
            boolean ok = true;
            for (Comparison c : all) {
                if (!c.test(f)) {
                    ok = false;
                    break;
                }
            }
            if (ok) return true;
        }
        return false;
    }

    /** The figures the condition names with their current values: {@code wait.avg=2.3s, queue.depth=120}. */
    public String describe(Figures f) {
        Set<Metric> seen = new LinkedHashSet<>();
        for (List<Comparison> all : anyOf) for (Comparison c : all) seen.add(c.metric);
        StringBuilder sb = new StringBuilder();
        for (Metric m : seen) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(m.name()).append('=').append(m.format(m.read(f)));
        }
        return sb.toString();
    }

    /** The first figure the condition names (the one a notification reports as its value). */
    public Metric firstMetric() {
        return anyOf.get(0).get(0).metric;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ("<>=!&|".indexOf(c) >= 0) {
                int j = i + 1;
                if (j < n) {
                    String two = s.substring(i, j + 1);
                    if (two.equals(">=") || two.equals("<=") || two.equals("!=") || two.equals("==")
                            || two.equals("&&") || two.equals("||")) j++;
                }
                String op = s.substring(i, j);
                if (op.equals("!") || op.equals("&") || op.equals("|")) {
                    throw new IllegalArgumentException("'" + op + "' is not an operator (use != , and, or)");
                }
                out.add(op);
                i = j;
            } else {
                int j = i;
                while (j < n && !Character.isWhitespace(s.charAt(j)) && "<>=!&|".indexOf(s.charAt(j)) < 0) j++;
                out.add(s.substring(i, j));
                i = j;
            }
        }
        return out;
    }

    /** One {@code figure op value}. */
    static final class Comparison {
        enum Op { GT, GE, LT, LE, EQ, NE }

        final Metric metric;
        final Op op;
        final double value;

        private Comparison(Metric metric, Op op, double value) {
            this.metric = metric;
            this.op = op;
            this.value = value;
        }

        static Comparison of(String name, String opText, String valueText) {
            Metric m = Metric.named(name.toLowerCase(Locale.ROOT));
            if (m == null) {
                if (op(name) != null) throw new IllegalArgumentException("expected a figure before '" + name + "'");
                throw new IllegalArgumentException("unknown figure '" + name + "'" + suggestion(name)
                        + "; known: " + known());
            }
            Op op = op(opText);
            if (op == null) {
                throw new IllegalArgumentException("expected a comparison (> >= < <= = !=) after '" + name
                        + "', found '" + opText + "'");
            }
            if ((m.kind() == Metric.Kind.BOOLEAN || m.kind() == Metric.Kind.BREAKER) && op != Op.EQ && op != Op.NE) {
                throw new IllegalArgumentException(name + " compares with = or != only");
            }
            return new Comparison(m, op, value(m, valueText));
        }

        private static Op op(String s) {
            switch (s) {
                case ">": return Op.GT;
                case ">=": return Op.GE;
                case "<": return Op.LT;
                case "<=": return Op.LE;
                case "=": case "==": return Op.EQ;
                case "!=": return Op.NE;
                default: return null;
            }
        }

        boolean test(Figures f) {
            double v = metric.read(f);
            if (Double.isNaN(v)) return false;
            switch (op) {
                case GT: return v > value;
                case GE: return v >= value;
                case LT: return v < value;
                case LE: return v <= value;
                case EQ: return v == value;
                default: return v != value;
            }
        }

        static double value(Metric m, String raw) {
            String s = raw.trim().toLowerCase(Locale.ROOT);
            String wrong = "'" + raw + "' does not fit " + m.name() + ": write " + m.kind().values;
            switch (m.kind()) {
                case BOOLEAN:
                    if (s.equals("true") || s.equals("on") || s.equals("yes")) return 1;
                    if (s.equals("false") || s.equals("off") || s.equals("no")) return 0;
                    throw new IllegalArgumentException(wrong);
                case BREAKER:
                    for (BreakerState b : BreakerState.values()) {
                        if (b.label().equals(s) || b.name().equalsIgnoreCase(s)) return b.ordinal();
                    }
                    throw new IllegalArgumentException(wrong);
                case DURATION: {
                    double nanos = duration(s);
                    if (Double.isNaN(nanos)) {
                        if (isNumber(s)) {
                            throw new IllegalArgumentException("'" + raw + "' needs a unit for " + m.name()
                                    + ": e.g. " + raw + "s or " + raw + "ms");
                        }
                        throw new IllegalArgumentException(wrong);
                    }
                    return nanos;
                }
                case RATE: {
                    int slash = s.indexOf('/');
                    String num = slash < 0 ? s : s.substring(0, slash);
                    String per = slash < 0 ? "s" : s.substring(slash + 1);
                    double n = number(num);
                    double secs;
                    switch (per) {
                        case "s": case "sec": case "second": secs = 1; break;
                        case "m": case "min": case "minute": secs = 60; break;
                        case "h": case "hour": secs = 3600; break;
                        default: secs = Double.NaN;
                    }
                    if (Double.isNaN(n) || Double.isNaN(secs) || n < 0) throw new IllegalArgumentException(wrong);
                    return n / secs;
                }
                case RATIO: {
                    if (s.endsWith("%")) {
                        double p = number(s.substring(0, s.length() - 1));
                        if (Double.isNaN(p) || p < 0) throw new IllegalArgumentException(wrong);
                        return p / 100.0;
                    }
                    double v = number(s);
                    if (Double.isNaN(v) || v < 0) throw new IllegalArgumentException(wrong);
                    if (v > 1) {
                        throw new IllegalArgumentException("'" + raw + "' is out of range for " + m.name()
                                + " (0..1): write " + trimNumber(v / 100) + " or " + raw + "%");
                    }
                    return v;
                }
                default: {
                    double v = number(s);
                    if (Double.isNaN(v)) throw new IllegalArgumentException(wrong);
                    return v;
                }
            }
        }

        private static String trimNumber(double v) {
            String t = Double.toString(v);
            return t.endsWith(".0") ? t.substring(0, t.length() - 2) : t;
        }

        private static boolean isNumber(String s) {
            return !Double.isNaN(number(s));
        }

        private static double number(String s) {
            if (s.isEmpty()) return Double.NaN;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c >= '0' && c <= '9') && c != '.' && !(i == 0 && c == '-')) return Double.NaN;
            }
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        /** {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 500us} in nanos; NaN when not one. */
        static double duration(String s) {
            String[] units = {"ms", "us", "ns", "s", "m", "h"};
            double[] scale = {1e6, 1e3, 1, 1e9, 60e9, 3600e9};
            for (int u = 0; u < units.length; u++) {
                if (s.endsWith(units[u])) {
                    double n = number(s.substring(0, s.length() - units[u].length()));
                    if (Double.isNaN(n) || n < 0) return Double.NaN;
                    return n * scale[u];
                }
            }
            return Double.NaN;
        }

        private static String suggestion(String name) {
            String best = null;
            int bestD = 3;
            for (Metric m : Metric.all()) {
                int d = distance(name.toLowerCase(Locale.ROOT), m.name());
                if (d < bestD) {
                    bestD = d;
                    best = m.name();
                }
            }
            return best == null ? "" : " (did you mean " + best + "?)";
        }

        private static String known() {
            StringBuilder sb = new StringBuilder();
            for (Metric m : Metric.all()) {
                if (m.name().startsWith("reject.") && m.name().endsWith(".rate") && !m.name().equals("reject.rate")) continue;
                if (sb.length() > 0) sb.append(", ");
                sb.append(m.name());
            }
            return sb.append(", reject.<reason>.rate").toString();
        }

        static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) prev[j] = j;
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}
