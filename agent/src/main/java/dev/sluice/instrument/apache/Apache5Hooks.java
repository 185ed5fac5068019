package dev.sluice.instrument.apache;

import java.io.IOException;
import java.util.concurrent.Future;

/**
 * What {@link ApacheBridge} asks of the Apache HttpClient 5 helper living beside Apache's classes (see
 * {@link HelperLoader}). JDK types only: the arguments are Apache objects the advice passes through.
 */
public interface Apache5Hooks {
    /** Classic doExecute, before: the governed call (opaque) or null to leave the call alone; throws a refusal. */
    Object classicBefore(Object target, Object request) throws IOException;

    /** Classic doExecute, after: report the response and wrap its entity, or report the failure. */
    void classicAfter(Object call, Object response, Throwable thrown);

    /** A classic response closed by the application (read or not): its permit goes back. */
    void responseClosed(Object response);

    /**
     * Async execute: the Future to return instead of running the original (admission pending, holding no
     * thread), or null to let the original run (not governed, re-entry, or an unknown request producer).
     */
    Future<?> asyncExecute(Object client, Object target, boolean withTarget, Object producer, Object consumer,
                           Object pushHandlerFactory, Object context, Object callback);
}
