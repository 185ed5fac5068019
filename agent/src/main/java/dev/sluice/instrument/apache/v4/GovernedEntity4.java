package dev.sluice.instrument.apache.v4;

import dev.sluice.client.GovernedCall;
import dev.sluice.instrument.urlconn.GovernedInputStream;
import org.apache.http.HttpEntity;
import org.apache.http.entity.HttpEntityWrapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A 4.x response's entity, watched: its content is a {@link GovernedInputStream}, {@code writeTo} goes through
 * it, and {@code consumeContent} hands the permit back. (Closing the response is seen by the advice on
 * HttpResponseProxy.close.)
 */
final class GovernedEntity4 extends HttpEntityWrapper {
    final GovernedCall call;

    GovernedEntity4(HttpEntity wrapped, GovernedCall call) {
        super(wrapped);
        this.call = call;
    }

    @Override
    public InputStream getContent() throws IOException {
        return GovernedInputStream.watch(super::getContent, call, this);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        GovernedInputStream.copy(getContent(), out);
    }

    @Override
    @Deprecated
    public void consumeContent() throws IOException {
        try {
            super.consumeContent();
        } finally {
            call.onCancel();
        }
    }
}
