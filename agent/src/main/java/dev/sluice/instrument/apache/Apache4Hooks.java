package dev.sluice.instrument.apache;

import java.io.IOException;

/** What {@link ApacheBridge} asks of the Apache HttpClient 4.x helper (see {@link HelperLoader}). */
public interface Apache4Hooks {
    /** doExecute, before: the governed call (opaque) or null to leave the call alone; throws a refusal. */
    Object classicBefore(Object target, Object request) throws IOException;

    /** doExecute, after: report the response and wrap its entity, or report the failure. */
    void classicAfter(Object call, Object response, Throwable thrown);

    /** A response closed by the application (read or not): its permit goes back. */
    void responseClosed(Object response);
}
