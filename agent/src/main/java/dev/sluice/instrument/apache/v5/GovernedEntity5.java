package dev.sluice.instrument.apache.v5;

import dev.sluice.client.GovernedCall;
import dev.sluice.instrument.urlconn.GovernedInputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A classic response's entity, watched: its content is a {@link GovernedInputStream} (usage seen as the app
 * reads, permit back at end of stream or close), {@code writeTo} goes through that stream, and closing the
 * entity (which closing the response does) hands the permit back if the body was not read to the end.
 */
final class GovernedEntity5 extends HttpEntityWrapper {
    final GovernedCall call;

    GovernedEntity5(HttpEntity wrapped, GovernedCall call) {
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
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            call.onCancel();
        }
    }
}
