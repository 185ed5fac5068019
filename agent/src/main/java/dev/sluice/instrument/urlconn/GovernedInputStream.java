package dev.sluice.instrument.urlconn;

import dev.sluice.client.GovernedCall;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A response body on its way to the application: every byte read is shown to {@link GovernedCall#onBody} as it
 * passes (no copy kept, no read-ahead, so nothing is delayed), and the permit goes back at end of stream
 * ({@code onComplete}), on a read error ({@code onError}) or when the application closes the stream before the
 * end ({@code onCancel}). Shared by the blocking-stream clients: HttpURLConnection and Apache classic.
 *
 * {@code owner} is held only to keep it reachable while the application holds this stream: units that key
 * their per-call state weakly by the connection object must not see it collected mid-body.
 *
 * mark/reset is not offered: a reset would show the same bytes to the usage parser twice.
 */
public final class GovernedInputStream extends FilterInputStream {
    private final GovernedCall call;
    @SuppressWarnings("unused")
    private final Object owner;
    private byte[] one;
    private byte[] scratch;

    public GovernedInputStream(InputStream in, GovernedCall call, Object owner) {
        super(in);
        this.call = call;
        this.owner = owner;
    }

    /** How an entity's content is opened (Apache's {@code getContent}). */
    public interface Content {
        InputStream open() throws IOException;
    }

    /**
     * A response entity's content, watched: what the Apache entity wrappers hand out. An error opening it ends
     * the call; a null content completes it; a stream already watched is not wrapped twice.
     */
    public static InputStream watch(Content content, GovernedCall call, Object owner) throws IOException {
        InputStream in;
        try {
            in = content.open();
        } catch (IOException | RuntimeException e) {
            call.onError(e);
            throw e;
        }
        if (in == null) {
            call.onComplete();
            return null;
        }
        return in instanceof GovernedInputStream ? in : new GovernedInputStream(in, call, owner);
    }

    /** An entity's {@code writeTo}: its watched content copied to {@code out}, then closed. */
    public static void copy(InputStream in, OutputStream out) throws IOException {
        if (in == null) return;
        try {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) != -1; ) out.write(buf, 0, n);
        } finally {
            in.close();
        }
    }

    /** The stream this one forwards to (to recognise a client handing out the same stream twice). */
    public InputStream delegate() {
        return in;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (IOException | RuntimeException e) {
            call.onError(e);
            throw e;
        }
        if (b < 0) {
            call.onComplete();
        } else {
            if (one == null) one = new byte[1];
            one[0] = (byte) b;
            call.onBody(one, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            call.onError(e);
            throw e;
        }
        if (n < 0) call.onComplete();
        else if (n > 0) call.onBody(b, off, n);
        return n;
    }

    /** Skipped bytes are read through, so the usage parser still sees the whole body. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) return 0;
        if (scratch == null) scratch = new byte[(int) Math.min(8192, n)];
        long left = n;
        while (left > 0) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, left));
            if (r < 0) break;
            left -= r;
        }
        return n - left;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported (see class comment)
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Closing before the end abandons the rest: the permit goes back, charged with what was seen. */
    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            call.onCancel();
        }
    }
}
