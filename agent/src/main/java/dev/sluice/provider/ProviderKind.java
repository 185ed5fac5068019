package dev.sluice.provider;

/** Which provider's wire format and counting rules an endpoint follows. */
public enum ProviderKind {
    OPENAI, ANTHROPIC, GEMINI, GENERIC;

    public static ProviderKind parse(String s) {
        if (s == null) return null;
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "openai": return OPENAI;
            case "anthropic": return ANTHROPIC;
            case "gemini": return GEMINI;
            case "generic": return GENERIC;
            default: return null;
        }
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
