package dev.sluice.instrument.apache.v5;

import dev.sluice.client.GovernedCall;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The application's response consumer with the call watching: status and headers as they arrive, each body
 * buffer as it passes (read in place, position untouched), the permit back at stream end, failure, or when
 * the exchange releases its resources (the last thing Apache does with a consumer, whatever happened).
 */
final class GovernedResponseConsumer<T> implements AsyncResponseConsumer<T> {
    private final AsyncResponseConsumer<T> delegate;
    private final GovernedCall call;

    GovernedResponseConsumer(AsyncResponseConsumer<T> delegate, GovernedCall call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entityDetails, HttpContext context,
                                FutureCallback<T> resultCallback) throws HttpException, IOException {
        Apache5Helper.respond(call, response, entityDetails == null ? null : entityDetails.getContentType());
        delegate.consumeResponse(response, entityDetails, context, resultCallback);
        if (entityDetails == null) call.onComplete();
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) throws HttpException, IOException {
        delegate.informationResponse(response, context);
    }

    @Override
    public void failed(Exception cause) {
        call.onError(cause);
        delegate.failed(cause);
    }

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
        delegate.updateCapacity(capacityChannel);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
        call.onBody(src);
        delegate.consume(src);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
        delegate.streamEnd(trailers);
        call.onComplete();
    }

    @Override
    public void releaseResources() {
        try {
            delegate.releaseResources();
        } finally {
            call.onCancel(); // a no-op when already completed
        }
    }
}
