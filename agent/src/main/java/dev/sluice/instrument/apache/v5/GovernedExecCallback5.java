package dev.sluice.instrument.apache.v5;

import dev.sluice.client.GovernedCall;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;

import java.io.IOException;

/**
 * The exec chain's callback for one governed attempt: status and headers when the response head arrives, the
 * body through {@link GovernedDataConsumer5}, the permit back at completion or failure.
 */
final class GovernedExecCallback5 implements AsyncExecCallback {
    private final AsyncExecCallback delegate;
    private final GovernedCall call;

    GovernedExecCallback5(AsyncExecCallback delegate, GovernedCall call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails details)
            throws HttpException, IOException {
        Apache5Helper.respond(call, response, details == null ? null : details.getContentType());
        AsyncDataConsumer consumer = delegate.handleResponse(response, details);
        if (details == null || consumer == null) {
            call.onComplete();
            return consumer;
        }
        return new GovernedDataConsumer5(consumer, call);
    }

    @Override
    public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
        delegate.handleInformationResponse(response);
    }

    @Override
    public void completed() {
        call.onComplete();
        delegate.completed();
    }

    @Override
    public void failed(Exception cause) {
        call.onError(cause);
        delegate.failed(cause);
    }
}
