package dev.sluice.provider;

/**
 * Reads a JSON request body for estimation in one pass, without building a tree. Malformed JSON never throws: it
 * gives {@link RequestInfo#ofUnknownBody}.
 *
 * API CONTRACT (implementation owned by provider).
 */
public final class RequestScanner {
    private RequestScanner() {
    }

    public static RequestInfo scan(byte[] body, int offset, int length) {
        throw new UnsupportedOperationException("stub");
    }
}
