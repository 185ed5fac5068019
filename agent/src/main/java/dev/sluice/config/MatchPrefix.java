package dev.sluice.config;

/**
 * One parsed {@code match} prefix: {@code scheme://host[:port][/path]}, host exact or {@code *.domain}.
 * Normalised: scheme and host in lower case, the scheme's default port made explicit, no trailing '/'.
 */
final class MatchPrefix {
    final String scheme;
    /** Lower case; for a wildcard the domain after {@code *.}. */
    final String host;
    final boolean wildcard;
    final int port;
    /** Empty, or starting with '/' and not ending with it. */
    final String path;
    /** The normalised text, e.g. {@code https://*.openai.azure.com} (default port left out). */
    final String text;

    private MatchPrefix(String scheme, String host, boolean wildcard, int port, String path) {
        this.scheme = scheme;
        this.host = host;
        this.wildcard = wildcard;
        this.port = port;
        this.path = path;
        this.text = scheme + "://" + (wildcard ? "*." : "") + host + (port == defaultPort(scheme) ? "" : ":" + port) + path;
    }

    static int defaultPort(String scheme) {
        if (scheme == null) return -1;
        if (scheme.equalsIgnoreCase("https")) return 443;
        if (scheme.equalsIgnoreCase("http")) return 80;
        return -1;
    }

    /** @throws IllegalArgumentException saying what is wrong with the prefix */
    static MatchPrefix parse(String raw) {
        String s = raw.trim();
        int sep = s.indexOf("://");
        if (sep <= 0) throw new IllegalArgumentException("is not a URL prefix like https://api.openai.com/v1");
        String scheme = fold(s.substring(0, sep));
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("has scheme " + scheme + "; only http and https are matched");
        }
        String rest = s.substring(sep + 3);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("has a query or fragment; a prefix is scheme://host[:port][/path]");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (authority.indexOf('@') >= 0) throw new IllegalArgumentException("has user info; a prefix names no credentials");
        String host;
        int port;
        int colon;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("has an unclosed IPv6 address");
            host = authority.substring(0, close + 1);
            colon = close + 1 < authority.length() ? close + 1 : -1;
            if (colon >= 0 && authority.charAt(colon) != ':') throw new IllegalArgumentException("has a bad host");
        } else {
            colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
        }
        if (colon >= 0) {
            Long p = Values.wholeNumber(authority.substring(colon + 1));
            String digits = authority.substring(colon + 1);
            if (p == null || p < 1 || p > 65535 || !digits.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("has a bad port " + digits);
            }
            port = p.intValue();
        } else {
            port = defaultPort(scheme);
        }
        host = fold(host);
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        boolean wildcard = false;
        if (host.startsWith("*.")) {
            wildcard = true;
            host = host.substring(2);
        }
        if (!validHost(host)) {
            throw new IllegalArgumentException("has a bad host" + (host.isEmpty() ? "" : " " + host)
                    + "; write api.example.com, or *.example.com for its subdomains");
        }
        while (path.endsWith("/*") || path.endsWith("/**")) path = path.substring(0, path.lastIndexOf('/'));
        if (path.indexOf('*') >= 0) {
            throw new IllegalArgumentException("has '*' in its path; a path prefix already matches everything below it");
        }
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        return new MatchPrefix(scheme, host, wildcard, port, path);
    }

    private static boolean validHost(String host) {
        if (host.isEmpty()) return false;
        if (host.startsWith("[")) return host.endsWith("]") && host.length() > 2;
        if (host.startsWith(".") || host.contains("..")) return false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c > 127;
            if (!ok) return false;
        }
        return true;
    }

    /**
     * Case folding that agrees with {@link String#regionMatches(boolean, int, String, int, int)} char by char
     * (and keeps the length, unlike {@code toLowerCase}), so a folded key and the hash of any spelling of it agree.
     */
    static char fold(char c) {
        if (c < 128) return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    static String fold(String s) {
        char[] out = new char[s.length()];
        for (int i = 0; i < out.length; i++) out[i] = fold(s.charAt(i));
        return new String(out);
    }

    @Override
    public String toString() {
        return text;
    }
}
