package dev.sluice.instrument.okhttp.injected;

import okhttp3.RequestBody;
import okio.Buffer;

import java.io.IOException;

/**
 * Reads a request body for estimation without consuming it: only bodies OkHttp itself may write twice (neither
 * one-shot nor duplex) with a known, bounded length, such as {@code RequestBody.create(...)} and the SDKs' JSON
 * bodies. Any other body is estimated from its length alone.
 */
final class RequestBodies {
    /** Larger bodies are estimated from their length alone. */
    static final long MAX_SCAN = 16L * 1024 * 1024;

    private RequestBodies() {
    }

    static byte[] replay(RequestBody body, long length) throws IOException {
        if (length <= 0 || length > MAX_SCAN || body.isOneShot() || body.isDuplex()) return null;
        Buffer copy = new Buffer();
        body.writeTo(copy);
        return copy.readByteArray();
    }
}
