package dev.sluice.instrument.apache.v5;

import dev.sluice.client.GovernedCall;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A response body consumer with the call watching: each buffer read in place as it passes (position untouched),
 * the permit back at stream end or when the exchange releases its resources, whatever happened before.
 */
final class GovernedDataConsumer5 implements AsyncDataConsumer {
    private final AsyncDataConsumer delegate;
    private final GovernedCall call;

    GovernedDataConsumer5(AsyncDataConsumer delegate, GovernedCall call) {
        this.delegate = delegate;
        this.call = call;
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
