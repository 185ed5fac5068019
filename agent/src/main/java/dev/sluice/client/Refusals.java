package dev.sluice.client;

import dev.sluice.SluiceRejectedException;
import dev.sluice.core.Refusal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns the gate's {@link Refusal} into what applications see, in one place for every client. */
public final class Refusals {
    private Refusals() {
    }

    public static SluiceRejectedException toException(Refusal r) {
        return new SluiceRejectedException(r.getMessage(), r.endpoint(), r.reason().label(),
                r.retryAfterNanos() / 1_000_000L);
    }

    /** Unwraps CompletionException/ExecutionException. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
