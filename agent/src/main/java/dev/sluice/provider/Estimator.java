package dev.sluice.provider;

/** How a request's prompt tokens are estimated before it is sent. */
public enum Estimator {
    /** UTF-8 bytes of the prompt text / 4, rounded up. */
    CHARS,
    /** BPE count with OpenAI's vocabulary for the request's model ({@link Tiktoken}). */
    TIKTOKEN;

    public static Estimator parse(String s) {
        if (s == null) return null;
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "chars": return CHARS;
            case "tiktoken": return TIKTOKEN;
            default: return null;
        }
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
