package dev.sluice.instrument.okhttp.injected;

import dev.sluice.client.SyntheticResponse;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * {@code reject=http} for OkHttp: the shared {@link SyntheticResponse} as an OkHttp {@code Response} (HTTP/1.1, the
 * answer's status, headers and a JSON {@code ResponseBody}), built with {@code Response.Builder} as an interceptor
 * would build one. Only API that OkHttp 3.14, 4.x and 5.x share in binary form.
 */
final class SyntheticResponses {
    private SyntheticResponses() {
    }

    static Response build(SyntheticResponse answer, Request request) {
        long now = System.currentTimeMillis();
        Response.Builder b = new Response.Builder()
                .request(request)
                .protocol(Protocol.HTTP_1_1)
                .code(answer.status())
                .message(answer.statusText())
                .sentRequestAtMillis(now)
                .receivedResponseAtMillis(now);
        for (int i = 0; i < answer.headerCount(); i++) b.addHeader(answer.headerName(i), answer.headerValue(i));
        return b.body(new Body(MediaType.parse(answer.contentType()), answer.body())).build();
    }

    /** The answer's bytes; every {@code source()} call returns the same buffer, as OkHttp's own bodies do. */
    static final class Body extends ResponseBody {
        private final MediaType type;
        private final long length;
        private final Buffer buffer;

        Body(MediaType type, byte[] bytes) {
            this.type = type;
            this.length = bytes.length;
            this.buffer = new Buffer();
            buffer.write(bytes);
        }

        @Override
        public MediaType contentType() {
            return type;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public BufferedSource source() {
            return buffer;
        }
    }
}
