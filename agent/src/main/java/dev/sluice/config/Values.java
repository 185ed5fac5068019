package dev.sluice.config;

import java.util.Locale;

/**
 * The value syntax of sluice.properties. Every parser returns null (or -1 for durations) for text it does not
 * accept and never throws; range checks belong to the caller (and to {@code GateLimits.Builder}).
 *
 * <ul>
 * <li>whole numbers: {@code 6000}, {@code 6_000}, {@code 6,000} (groups of three), {@code 6k}, {@code 2M};</li>
 * <li>decimals: {@code 0.5}, {@code 1e-3}, and for burst/shares also a fraction {@code 1/60};</li>
 * <li>durations: {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, {@code 1.5s}, {@code 1m30s};
 * a bare number is milliseconds;</li>
 * <li>shares: {@code 80%} or {@code 0.8};</li>
 * <li>booleans: true/false, yes/no, on/off.</li>
 * </ul>
 */
final class Values {
    static final long NANOS_PER_MS = 1_000_000L;

    private Values() {
    }

    /** A signed whole number with optional '_' / ',' grouping and a k (thousand) or M (million) suffix. */
    static Long wholeNumber(String s) {
        if (s == null) return null;
        String t = s.trim();
        if (t.isEmpty()) return null;
        long multiplier = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'K') multiplier = 1_000;
        else if (last == 'M') multiplier = 1_000_000;
        if (multiplier != 1) t = t.substring(0, t.length() - 1).trim();
        int i = 0;
        boolean negative = false;
        if (!t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-')) {
            negative = t.charAt(0) == '-';
            i = 1;
        }
        if (i >= t.length()) return null;
        long v = 0;
        int digitsSinceComma = -1; // -1: no comma seen yet
        boolean prevDigit = false;
        for (; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                if (v > (Long.MAX_VALUE - (c - '0')) / 10) return null;
                v = v * 10 + (c - '0');
                prevDigit = true;
                if (digitsSinceComma >= 0) digitsSinceComma++;
            } else if (c == '_' || c == ',') {
                if (!prevDigit || i == t.length() - 1) return null;
                if (c == ',') {
                    if (digitsSinceComma >= 0 && digitsSinceComma != 3) return null;
                    digitsSinceComma = 0;
                }
                prevDigit = false;
            } else {
                return null;
            }
        }
        if (digitsSinceComma >= 0 && digitsSinceComma != 3) return null;
        if (v > Long.MAX_VALUE / multiplier) return null;
        v *= multiplier;
        return negative ? -v : v;
    }

    /** A plain decimal ({@code 0.5}, {@code 2}, {@code 1e-3}); no NaN, Infinity, hex or type suffixes. */
    static Double decimal(String s) {
        if (s == null) return null;
        String t = s.trim().replace("_", "");
        if (!isDecimalSyntax(t)) return null;
        try {
            double d = Double.parseDouble(t);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A decimal or a fraction {@code a/b} ({@code 1/60}). */
    static Double decimalOrFraction(String s) {
        if (s == null) return null;
        int slash = s.indexOf('/');
        if (slash < 0) return decimal(s);
        Double a = decimal(s.substring(0, slash));
        Double b = decimal(s.substring(slash + 1));
        if (a == null || b == null || b == 0) return null;
        double d = a / b;
        return Double.isFinite(d) ? d : null;
    }

    private static boolean isDecimalSyntax(String t) {
        int n = t.length(), i = 0;
        if (n == 0) return false;
        if (t.charAt(0) == '+' || t.charAt(0) == '-') i++;
        int digits = 0;
        while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') { i++; digits++; }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) i++;
            int exp = 0;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') { i++; exp++; }
            if (exp == 0) return false;
        }
        return i == n;
    }

    /** {@code 80%} = 0.8, {@code 0.8} = 0.8; also {@code 1/3}. Not range-checked. */
    static Double share(String s) {
        if (s == null) return null;
        String t = s.trim();
        if (t.endsWith("%")) {
            Double p = decimal(t.substring(0, t.length() - 1));
            return p == null ? null : p / 100.0;
        }
        return decimalOrFraction(t);
    }

    /** True when the text is written as a share ({@code 80%}, {@code 0.8}) rather than as a whole count. */
    static boolean looksLikeShare(String s) {
        String t = s.trim();
        return t.endsWith("%") || t.indexOf('.') >= 0 || t.indexOf('/') >= 0 || t.indexOf('e') >= 0
                || t.indexOf('E') >= 0;
    }

    /** A percentage written {@code 50} or {@code 50%}: whole 0..100 expected by the caller. */
    static Long percent(String s) {
        if (s == null) return null;
        String t = s.trim();
        if (t.endsWith("%")) t = t.substring(0, t.length() - 1).trim();
        if (t.endsWith("k") || t.endsWith("K") || t.endsWith("M")) return null;
        return wholeNumber(t);
    }

    static Boolean bool(String s) {
        if (s == null) return null;
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": return Boolean.TRUE;
            case "false": case "no": case "off": return Boolean.FALSE;
            default: return null;
        }
    }

    /**
     * A duration in nanos, or -1 when the text is not one. {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h},
     * {@code 1d}, {@code 1.5s}, {@code 1m30s}; units in any case, spaces allowed; a bare number is milliseconds.
     */
    static long durationNanos(String s) {
        if (s == null) return -1;
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) return -1;
        if (isGroupedDigits(t)) {
            Long bare = wholeNumber(t);
            if (bare == null || bare > Long.MAX_VALUE / NANOS_PER_MS) return -1;
            return bare * NANOS_PER_MS;
        }
        double total = 0;
        int i = 0, n = t.length();
        boolean any = false;
        while (i < n) {
            while (i < n && t.charAt(i) == ' ') i++;
            if (i == n) break;
            int start = i;
            while (i < n && ((t.charAt(i) >= '0' && t.charAt(i) <= '9') || t.charAt(i) == '.' || t.charAt(i) == '_')) i++;
            if (i == start) return -1;
            Double number = decimal(t.substring(start, i));
            if (number == null || number < 0) return -1;
            while (i < n && t.charAt(i) == ' ') i++;
            int unitStart = i;
            while (i < n && t.charAt(i) >= 'a' && t.charAt(i) <= 'z') i++;
            long unit = unitNanos(t.substring(unitStart, i));
            if (unit < 0) return -1;
            total += number * unit;
            any = true;
        }
        if (!any || total >= 9.2e18) return -1;
        return Math.round(total);
    }

    private static boolean isGroupedDigits(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '_' || c == ',')) return false;
        }
        return true;
    }

    private static long unitNanos(String unit) {
        switch (unit) {
            case "ns": return 1;
            case "us": return 1_000L;
            case "ms": return NANOS_PER_MS;
            case "s": case "sec": case "secs": return 1_000L * NANOS_PER_MS;
            case "m": case "min": case "mins": return 60_000L * NANOS_PER_MS;
            case "h": return 3_600_000L * NANOS_PER_MS;
            case "d": return 86_400_000L * NANOS_PER_MS;
            default: return -1;
        }
    }

    /** Short form of a duration for messages: {@code 30s}, {@code 250ms}, {@code 5m}. */
    static String formatDuration(long nanos) {
        if (nanos == 0) return "0";
        if (nanos % (3_600_000L * NANOS_PER_MS) == 0) return nanos / (3_600_000L * NANOS_PER_MS) + "h";
        if (nanos % (60_000L * NANOS_PER_MS) == 0) return nanos / (60_000L * NANOS_PER_MS) + "m";
        if (nanos % (1_000L * NANOS_PER_MS) == 0) return nanos / (1_000L * NANOS_PER_MS) + "s";
        if (nanos % NANOS_PER_MS == 0) return nanos / NANOS_PER_MS + "ms";
        return nanos + "ns";
    }

    /** Letters, digits, '-' and '_', at least one: endpoint ids, alert and client names. */
    static boolean isName(String s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) return false;
        }
        return true;
    }

    /** An HTTP header name (RFC 9110 token). */
    static boolean isHeaderName(String s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }
}
