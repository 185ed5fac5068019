package dev.sluice.core;

/** A call's priority. Declared lowest first so {@code ordinal()} orders them. */
public enum Priority {
    LOW, NORMAL, HIGH;

    private static final Priority[] VALUES = values();

    public static Priority ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** Parses {@code low}, {@code normal}, {@code high} in any case; null when it is none of them. Allocation-free. */
    public static Priority parse(CharSequence s) {
        if (s == null) return null;
        if (eq(s, "high")) return HIGH;
        if (eq(s, "normal")) return NORMAL;
        if (eq(s, "low")) return LOW;
        return null;
    }

    private static boolean eq(CharSequence s, String word) {
        int n = s.length();
        int start = 0, end = n;
        while (start < end && s.charAt(start) <= ' ') start++;
        while (end > start && s.charAt(end - 1) <= ' ') end--;
        if (end - start != word.length()) return false;
        for (int i = 0; i < word.length(); i++) {
            if (Character.toLowerCase(s.charAt(start + i)) != word.charAt(i)) return false;
        }
        return true;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
