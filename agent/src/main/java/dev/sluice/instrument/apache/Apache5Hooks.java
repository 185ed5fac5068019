package dev.sluice.instrument.apache;

import java.io.IOException;

/**
 * What {@link ApacheBridge} asks of the Apache HttpClient 5 helper living beside Apache's classes (see
 * {@link HelperLoader}). JDK types only: the arguments are Apache objects the advice passes through.
 */
public interface Apache5Hooks {
    /**
     * Classic doExecute, before: the governed call (opaque) or null to leave the call alone; throws a refusal.
     * {@code context}: the exchange's HttpContext (its RequestConfig bounds the wait), or null. With
     * {@code canAnswer} and the endpoint's {@code reject=http}, a refusal is returned as a {@link SyntheticAnswer}
     * holding a {@code ClassicHttpResponse} instead of thrown.
     */
    Object classicBefore(Object target, Object request, Object context, boolean canAnswer) throws IOException;

    /** Classic doExecute, after: report the response and wrap its entity, or report the failure. */
    void classicAfter(Object call, Object response, Throwable thrown);

    /** A classic response closed by the application (read or not): its permit goes back. */
    void responseClosed(Object response);

    /**
     * One async attempt reaching the exec chain's protocol handler: true when the helper took it over (admission
     * pending, holding no thread; the handler is re-run once admitted), false to let the original run now.
     */
    boolean asyncAttempt(Object handler, Object request, Object entityProducer, Object scope, Object chain,
                         Object callback);
}
