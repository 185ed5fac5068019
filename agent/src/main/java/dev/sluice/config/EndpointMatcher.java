package dev.sluice.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the endpoint of a URL by prefix: scheme, host (exact, or {@code *.example.com} for subdomains), port
 * (explicit or the scheme's default) and path prefix on segment boundaries. Longest prefix wins.
 * Allocation-free: it runs on every outbound call of the application, matched or not.
 *
 * <p>Which prefix wins when several fit: an exact host before a wildcard, a longer wildcard domain before a
 * shorter one ({@code *.eu.example.com} before {@code *.example.com}); among those of the same host, the longest
 * path; on a tie, the endpoint listed first.
 *
 * <p>How: prefixes are indexed by host in two small open-addressing tables (exact hosts, wildcard domains)
 * whose hash folds case char by char, so a host as the application wrote it ({@code API.OpenAI.com}) is looked
 * up without lower-casing it; a wildcard lookup hashes each dot-suffix of the host in place.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class EndpointMatcher {
    private static final Route[] NONE = new Route[0];

    private final List<EndpointConfig> endpoints;
    private final HostTable exact;
    private final HostTable wildcard;

    public EndpointMatcher(List<EndpointConfig> endpoints) {
        this.endpoints = List.copyOf(endpoints);
        Map<String, List<Route>> exactRoutes = new LinkedHashMap<>();
        Map<String, List<Route>> wildcardRoutes = new LinkedHashMap<>();
        for (int i = 0; i < this.endpoints.size(); i++) {
            for (MatchPrefix p : this.endpoints.get(i).prefixes()) {
                Map<String, List<Route>> into = p.wildcard ? wildcardRoutes : exactRoutes;
                into.computeIfAbsent(p.host, h -> new ArrayList<>()).add(new Route(p, i));
            }
        }
        this.exact = HostTable.of(exactRoutes);
        this.wildcard = HostTable.of(wildcardRoutes);
    }

    /**
     * {@code port} -1 = the scheme's default; {@code rawPath} may be null or empty, and may carry the query (the path
     * ends at a {@code ?} or {@code #}). Null when nothing matches.
     */
    public EndpointConfig match(String scheme, String host, int port, String rawPath) {
        int i = matchIndex(scheme, host, port, rawPath);
        return i < 0 ? null : endpoints.get(i);
    }

    /**
     * As {@link #match}, but the endpoint's index in the list the matcher was built from, or -1: a caller that keeps
     * its own per-endpoint state in an array of that order reaches it without a map lookup.
     */
    public int matchIndex(String scheme, String host, int port, String rawPath) {
        return matchIndex(scheme, host, port, rawPath, 0);
    }

    /**
     * As {@link #matchIndex(String, String, int, String)}, the path read in place: it starts in {@code text} at
     * {@code pathStart} (-1: no path) and ends at a {@code ?}, a {@code #} or the end. A client whose URL object keeps
     * its whole text (OkHttp's {@code HttpUrl}) looks a call up without cutting the path out of it first.
     */
    public int matchIndex(String scheme, String host, int port, String text, int pathStart) {
        if (scheme == null || host == null) return -1;
        int end = host.length();
        if (end > 0 && host.charAt(end - 1) == '.') end--; // fully qualified "api.openai.com."
        if (end == 0) return -1;
        int p = port >= 0 ? port : MatchPrefix.defaultPort(scheme);
        if (exact.size > 0) {
            int i = first(exact.get(host, 0, end), scheme, p, text, pathStart);
            if (i >= 0) return i;
        }
        if (wildcard.size > 0) {
            // Longest domain first: for a.b.example.com try b.example.com, then example.com, then com.
            for (int d = 0; d < end; d++) {
                if (host.charAt(d) != '.' || d == 0) continue;
                int i = first(wildcard.get(host, d + 1, end), scheme, p, text, pathStart);
                if (i >= 0) return i;
            }
        }
        return -1;
    }

    private static int first(Route[] routes, String scheme, int port, String text, int pathStart) {
        for (Route r : routes) { // array iteration: no iterator allocated
            if (r.matches(scheme, port, text, pathStart)) return r.endpoint;
        }
        return -1;
    }

    private static final class Route {
        final String scheme;
        final int port;
        final String path;
        /** The endpoint's index in the matcher's list. */
        final int endpoint;

        Route(MatchPrefix p, int endpoint) {
            this.scheme = p.scheme;
            this.port = p.port;
            this.path = p.path;
            this.endpoint = endpoint;
        }

        /** The path in {@code text} from {@code from} (see {@link #matchIndex(String, String, int, String, int)}). */
        boolean matches(String s, int p, String text, int from) {
            if (port != p || !(scheme.equals(s) || scheme.equalsIgnoreCase(s))) return false;
            int n = path.length();
            if (n == 0) return true;
            // The prefix holds no '?' or '#', so a path that starts with it has not ended inside it.
            if (text == null || from < 0 || text.length() - from < n || !text.startsWith(path, from)) return false;
            int k = from + n;
            if (k == text.length()) return true;
            char c = text.charAt(k);
            return c == '/' || c == '?' || c == '#';
        }
    }

    /** Open addressing, linear probing; keys folded to lower case; lookups by a region of any spelling. */
    private static final class HostTable {
        final String[] keys;
        final Route[][] values;
        final int mask;
        final int size;

        private HostTable(int capacity, int size) {
            this.keys = new String[capacity];
            this.values = new Route[capacity][];
            this.mask = capacity - 1;
            this.size = size;
        }

        static HostTable of(Map<String, List<Route>> routes) {
            int capacity = 2;
            while (capacity < routes.size() * 2) capacity <<= 1;
            HostTable t = new HostTable(capacity, routes.size());
            for (Map.Entry<String, List<Route>> e : routes.entrySet()) {
                List<Route> list = new ArrayList<>(e.getValue());
                list.sort(Comparator.comparingInt((Route r) -> r.path.length()).reversed()); // stable: first listed wins a tie
                String key = MatchPrefix.fold(e.getKey());
                int i = hash(key, 0, key.length()) & t.mask;
                while (t.keys[i] != null) i = (i + 1) & t.mask;
                t.keys[i] = key;
                t.values[i] = list.toArray(NONE);
            }
            return t;
        }

        Route[] get(String s, int from, int to) {
            int len = to - from;
            for (int i = hash(s, from, to) & mask; ; i = (i + 1) & mask) {
                String k = keys[i];
                if (k == null) return NONE;
                if (k.length() == len && k.regionMatches(true, 0, s, from, len)) return values[i];
            }
        }

        static int hash(String s, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) h = 31 * h + MatchPrefix.fold(s.charAt(i));
            return h ^ (h >>> 16);
        }
    }
}
