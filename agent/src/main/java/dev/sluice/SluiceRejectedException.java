package dev.sluice;

import java.io.IOException;

/**
 * What the application sees when Sluice refuses a call on purpose (breaker open, shed, waiting room full,
 * dropped, expected wait too long). An IOException, so the application's and SDKs' existing handling of a
 * failed call applies. Loaded by the bootstrap class loader, so every application class can see and catch it.
 */
public class SluiceRejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final String reason;
    private final long retryAfterMillis;

    public SluiceRejectedException(String message, String endpoint, String reason, long retryAfterMillis) {
        super(message);
        this.endpoint = endpoint;
        this.reason = reason;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** The configured endpoint id, such as {@code openai}. */
    public String getEndpoint() {
        return endpoint;
    }

    /** {@code breaker-open}, {@code shed}, {@code queue-full}, {@code dropped}, {@code wait-too-long}, {@code timeout}. */
    public String getReason() {
        return reason;
    }

    /** When a retry could be admitted, in milliseconds from the refusal; 0 if unknown. */
    public long getRetryAfterMillis() {
        return retryAfterMillis;
    }
}
