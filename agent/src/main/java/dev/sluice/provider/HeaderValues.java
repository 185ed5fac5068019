package dev.sluice.provider;

import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Parsers for the values providers put in rate-limit headers and error bodies. Each returns -1 for anything it
 * does not understand (never throws); durations come back in nanoseconds, clamped to {@link Long#MAX_VALUE}.
 */
final class HeaderValues {
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Header values longer than this are not parsed (a real one is a few dozen characters). */
    private static final int MAX_VALUE_LENGTH = 256;

    private HeaderValues() {
    }

    static String get(HeaderLookup headers, String name) {
        if (headers == null) return null;
        try {
            String v = headers.get(name);
            if (v == null) return null;
            v = v.trim();
            return v.isEmpty() || v.length() > MAX_VALUE_LENGTH ? null : v;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A non-negative integer (a fraction is dropped: "1000.0" is 1000); -1 otherwise. */
    static long count(String s) {
        if (s == null) return -1;
        int n = s.length();
        int i = 0;
        long v = 0;
        int digits = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            if (digits++ >= 18) return -1;
            v = v * 10 + (s.charAt(i) - '0');
            i++;
        }
        if (digits == 0) return -1;
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        }
        return i == n ? v : -1;
    }

    /** A non-negative decimal ("644", "1.5", ".5"), as a double; -1 otherwise. No exponent, sign, NaN or infinity. */
    static double decimal(String s, int from, int to) {
        if (s == null || from >= to) return -1;
        boolean digit = false;
        boolean dot = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return -1;
            }
        }
        if (!digit || to - from > 40) return -1;
        try {
            return Double.parseDouble(s.substring(from, to));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static long toNanos(double amount, long unitNanos) {
        if (!(amount >= 0)) return -1;
        double n = amount * unitNanos;
        return n >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(n);
    }

    /** {@code retry-after-ms}: milliseconds, possibly fractional. */
    static long millisNanos(String s) {
        return s == null ? -1 : toNanos(decimal(s, 0, s.length()), NANOS_PER_MILLI);
    }

    /** {@code retry-after}: seconds (possibly fractional), or an HTTP-date (then the time until it, 0 if past). */
    static long retryAfterNanos(String s, long nowEpochMillis) {
        if (s == null) return -1;
        double seconds = decimal(s, 0, s.length());
        if (seconds >= 0) return toNanos(seconds, NANOS_PER_SECOND);
        long at = httpDateEpochMillis(s);
        return at < 0 ? -1 : untilNanos(at, nowEpochMillis);
    }

    static long untilNanos(long epochMillis, long nowEpochMillis) {
        long d = epochMillis - nowEpochMillis;
        if (d <= 0) return 0;
        return d >= Long.MAX_VALUE / NANOS_PER_MILLI ? Long.MAX_VALUE : d * NANOS_PER_MILLI;
    }

    /** An IMF-fixdate ({@code Wed, 21 Oct 2015 07:28:00 GMT}), as epoch millis; -1 otherwise. */
    static long httpDateEpochMillis(String s) {
        if (s == null || s.length() > 64) return -1;
        try {
            return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** An RFC 3339 timestamp ({@code 2026-11-25T08:00:30Z}, fractions and offsets allowed), as epoch millis; -1 otherwise. */
    static long rfc3339EpochMillis(String s) {
        if (s == null || s.length() > 64) return -1;
        try {
            String t = s.toUpperCase(Locale.ROOT);
            if (t.length() > 10 && t.charAt(10) == ' ') t = t.substring(0, 10) + 'T' + t.substring(11);
            return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * A Go {@code time.Duration} string as OpenAI sends in {@code x-ratelimit-reset-*}: {@code 1s}, {@code 6m0s},
     * {@code 12ms}, {@code 1h2m3.5s}, {@code 0}; units h, m, s, ms, us/µs/μs, ns. Negative durations are -1.
     */
    static long goDurationNanos(String s) {
        if (s == null) return -1;
        int n = s.length();
        int i = 0;
        if (n > 0 && s.charAt(0) == '+') i++;
        if (i == n || n > 64) return -1;
        if (n - i == 1 && s.charAt(i) == '0') return 0;
        double total = 0;
        while (i < n) {
            int start = i;
            while (i < n && ((s.charAt(i) >= '0' && s.charAt(i) <= '9') || s.charAt(i) == '.')) i++;
            double v = decimal(s, start, i);
            if (v < 0) return -1;
            int u = i;
            while (i < n && !((s.charAt(i) >= '0' && s.charAt(i) <= '9') || s.charAt(i) == '.')) i++;
            long unit = unitNanos(s, u, i);
            if (unit < 0) return -1;
            total += v * unit;
        }
        return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(total);
    }

    private static long unitNanos(String s, int from, int to) {
        switch (s.substring(from, to)) {
            case "ns": return 1;
            case "us": case "\u00b5s": case "\u03bcs": return 1_000;
            case "ms": return NANOS_PER_MILLI;
            case "s": return NANOS_PER_SECOND;
            case "m": return 60 * NANOS_PER_SECOND;
            case "h": return 3600 * NANOS_PER_SECOND;
            default: return -1;
        }
    }

    /**
     * A retry time written in an error body: OpenAI "Please try again in 644ms." / "in 1.5s" / "in 6m0s",
     * Azure "retry after 33 seconds", Gemini RetryInfo {@code "retryDelay": "47.43s"}. -1 if none.
     */
    static long bodyRetryNanos(String body) {
        if (body == null || body.isEmpty()) return -1;
        String b = body.length() > 8192 ? body.substring(0, 8192) : body;
        long v = afterPhrase(b, "\"retryDelay\"", true);
        if (v >= 0) return v;
        v = afterPhrase(b, "try again in ", false);
        if (v >= 0) return v;
        return afterPhrase(b, "retry after ", false);
    }

    private static long afterPhrase(String b, String phrase, boolean jsonValue) {
        int at = indexOfIgnoreCase(b, phrase);
        if (at < 0) return -1;
        int i = at + phrase.length();
        int n = b.length();
        if (jsonValue) {
            while (i < n && (b.charAt(i) == ' ' || b.charAt(i) == ':' || b.charAt(i) == '"')) i++;
        }
        int start = i;
        while (i < n && i - start < 32) {
            char c = b.charAt(i);
            if ((c >= '0' && c <= '9') || c == '.' || (c >= 'a' && c <= 'z') || c == '\u00b5' || c == '\u03bc') {
                i++;
            } else {
                break;
            }
        }
        String token = b.substring(start, i);
        if (token.endsWith(".")) token = token.substring(0, token.length() - 1);
        long go = goDurationNanos(token);
        if (go >= 0) return go;
        // "33 seconds", "2 minutes"
        double num = decimal(token, 0, token.length());
        if (num < 0) return -1;
        int j = i;
        while (j < n && b.charAt(j) == ' ') j++;
        String rest = b.substring(j, Math.min(n, j + 8)).toLowerCase(Locale.ROOT);
        if (rest.startsWith("second") || rest.startsWith("sec")) return toNanos(num, NANOS_PER_SECOND);
        if (rest.startsWith("minute") || rest.startsWith("min")) return toNanos(num, 60 * NANOS_PER_SECOND);
        if (rest.startsWith("hour")) return toNanos(num, 3600 * NANOS_PER_SECOND);
        if (rest.startsWith("millisecond") || rest.startsWith("ms")) return toNanos(num, NANOS_PER_MILLI);
        return -1;
    }

    static int indexOfIgnoreCase(String s, String needle) {
        int n = s.length() - needle.length();
        for (int i = 0; i <= n; i++) {
            if (s.regionMatches(true, i, needle, 0, needle.length())) return i;
        }
        return -1;
    }
}
