package dev.sluice.instrument.okhttp.injected;

import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import okio.Buffer;
import okio.ForwardingSource;
import okio.Source;

import java.io.IOException;

/**
 * The response body's source as the application reads it: each read's new bytes are shown to the usage parser in
 * place (okio's segments, through an unsafe cursor: no copy, no delay), and the permit goes back when the body
 * ends (exhausted), fails, or is closed early.
 */
final class GovernedSource extends ForwardingSource {
    private final GovernedCall call;
    private final Buffer.UnsafeCursor cursor = new Buffer.UnsafeCursor();

    GovernedSource(Source delegate, GovernedCall call) {
        super(delegate);
        this.call = call;
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
        long n;
        try {
            n = super.read(sink, byteCount);
        } catch (IOException | RuntimeException | Error e) {
            call.onError(e);
            throw e;
        }
        if (n == -1) call.onComplete();
        else if (n > 0) show(sink, n);
        return n;
    }

    /** Hands the last {@code n} bytes of {@code sink} to the usage parser, segment by segment. */
    private void show(Buffer sink, long n) {
        try {
            sink.readUnsafe(cursor);
            try {
                long left = n;
                int got = cursor.seek(sink.size() - n);
                while (left > 0 && got > 0) {
                    int len = (int) Math.min(left, cursor.end - cursor.start);
                    call.onBody(cursor.data, cursor.start, len);
                    left -= len;
                    got = cursor.next();
                }
            } finally {
                cursor.close();
            }
        } catch (Throwable t) {
            Faults.record(call.endpoint(), "okhttp response body", t);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            call.onCancel(); // nothing more after an exhausted or failed body: the permit goes back once
        }
    }
}
