package dev.sluice.config;

import dev.sluice.core.GateLimits;
import dev.sluice.core.Priority;
import dev.sluice.provider.Estimator;
import dev.sluice.provider.ProviderKind;

import java.util.List;

/**
 * One endpoint's validated configuration, immutable: {@code sluice.endpoint.<id>.*}.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class EndpointConfig {
    /** How a refusal reaches the application. */
    public enum Reject { EXCEPTION, HTTP }

    private EndpointConfig() {
        throw new UnsupportedOperationException("stub");
    }

    /** Letters, digits, '-' and '_' only. */
    public String id() { throw new UnsupportedOperationException("stub"); }

    /** The match prefixes as written (normalised: lower-case scheme and host, no trailing '/'). */
    public List<String> match() { throw new UnsupportedOperationException("stub"); }

    public ProviderKind provider() { throw new UnsupportedOperationException("stub"); }

    /** Every gate limit, the endpoint's mode included (its own, else the global one). */
    public GateLimits limits() { throw new UnsupportedOperationException("stub"); }

    /** priority.header, default X-Sluice-Priority. */
    public String priorityHeader() { throw new UnsupportedOperationException("stub"); }

    public Priority priorityDefault() { throw new UnsupportedOperationException("stub"); }

    /** The first priority whose priority.threads.<level> regex matches the whole thread name; null = none. */
    public Priority priorityForThread(String threadName) { throw new UnsupportedOperationException("stub"); }

    /** tokens.output-default */
    public long outputDefaultTokens() { throw new UnsupportedOperationException("stub"); }

    public Estimator estimator() { throw new UnsupportedOperationException("stub"); }

    public Reject reject() { throw new UnsupportedOperationException("stub"); }

    /** {@code local} or a redis:// / rediss:// URI. */
    public String store() { throw new UnsupportedOperationException("stub"); }

    /** Longest pause a provider's retry time may cause (a provider once said "try again in 114h"). */
    public long maxPauseNanos() { throw new UnsupportedOperationException("stub"); }
}
