package dev.sluice.config;

import java.util.List;

/**
 * Finds the endpoint of a URL by prefix: scheme, host (exact, or {@code *.example.com} for subdomains), port
 * (explicit or the scheme's default) and path prefix on segment boundaries. Longest prefix wins.
 * Allocation-free: it runs on every outbound call of the application, matched or not.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class EndpointMatcher {
    public EndpointMatcher(List<EndpointConfig> endpoints) {
        throw new UnsupportedOperationException("stub");
    }

    /** {@code port} -1 = the scheme's default; {@code rawPath} may be null or empty. Null when nothing matches. */
    public EndpointConfig match(String scheme, String host, int port, String rawPath) {
        throw new UnsupportedOperationException("stub");
    }
}
