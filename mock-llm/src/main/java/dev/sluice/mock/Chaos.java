package dev.sluice.mock;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * What one request asks of the mock through its {@code x-mock-chaos} header, so a randomized test can decide each
 * call's fate from its own seed instead of through server-wide knobs: {@code status=503;retry-ms=20},
 * {@code latency-ms=15}, {@code cut-after=40} (the connection is closed after that many bytes of the body:
 * the client sees the body end early, mid-JSON or mid-stream), {@code chunk-delay-ms=3} (between stream events).
 * Items are separated by {@code ;} or {@code ,}; unknown items are ignored. A {@code status=429} is a rate-limit
 * answer ({@code rate_limit_exceeded} with {@code retry-after-ms}), not the quota one {@code failStatus(429)} gives.
 */
final class Chaos {
    static final String HEADER = "x-mock-chaos";

    final int status;
    final long retryMillis;
    final long latencyMillis;
    final long cutAfter;
    final long chunkDelayMillis;

    private Chaos(int status, long retryMillis, long latencyMillis, long cutAfter, long chunkDelayMillis) {
        this.status = status;
        this.retryMillis = retryMillis;
        this.latencyMillis = latencyMillis;
        this.cutAfter = cutAfter;
        this.chunkDelayMillis = chunkDelayMillis;
    }

    /** The request's directive, or null when it has none. */
    static Chaos of(Headers requestHeaders) {
        String v = requestHeaders.getFirst(HEADER);
        if (v == null || v.isBlank()) return null;
        int status = 0;
        long retry = -1;
        long latency = -1;
        long cut = -1;
        long chunkDelay = -1;
        for (String item : v.split("[;,]")) {
            int eq = item.indexOf('=');
            if (eq < 0) continue;
            String k = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            long n;
            try {
                n = Long.parseLong(item.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            switch (k) {
                case "status": status = (int) n; break;
                case "retry-ms": retry = n; break;
                case "latency-ms": latency = n; break;
                case "cut-after": cut = Math.max(0, n); break;
                case "chunk-delay-ms": chunkDelay = n; break;
                default: break;
            }
        }
        return new Chaos(status, retry, latency, cut, chunkDelay);
    }

    /** The exchange the answer is written through: the real one, or one that cuts the body after {@link #cutAfter}. */
    HttpExchange exchange(HttpExchange real) {
        return cutAfter < 0 ? real : new Cutting(real, cutAfter);
    }

    /** Thrown by the cutting stream: the handler's usual IOException path then closes the exchange unfinished. */
    static final class Cut extends IOException {
        private static final long serialVersionUID = 1L;

        Cut() {
            super("mock-llm: connection cut mid-body (x-mock-chaos)", null);
        }
    }

    /**
     * Delegates to the real exchange, but declares a fixed length for every body (a chunked one gets a length far
     * beyond what is written) and stops writing after {@code cutAfter} bytes. Closing the real exchange with its
     * fixed-length body unfinished makes the JDK server close the connection: the client sees it end mid-body.
     */
    private static final class Cutting extends HttpExchange {
        private final HttpExchange real;
        private final long cutAfter;
        private long declared;
        private OutputStream body;

        Cutting(HttpExchange real, long cutAfter) {
            this.real = real;
            this.cutAfter = cutAfter;
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            declared = responseLength > 0 ? responseLength : 1L << 20; // a plausible length, past the end of any answer here
            real.sendResponseHeaders(rCode, declared);
        }

        @Override
        public OutputStream getResponseBody() {
            if (body == null) {
                OutputStream out = real.getResponseBody();
                long limit = Math.min(cutAfter, Math.max(0, declared - 1));
                body = new OutputStream() {
                    long written;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        long room = limit - written;
                        if (len > room) {
                            if (room > 0) out.write(b, off, (int) room);
                            written = limit;
                            out.flush();
                            throw new Cut();
                        }
                        out.write(b, off, len);
                        written += len;
                    }

                    @Override
                    public void flush() throws IOException {
                        out.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        out.flush();
                        throw new Cut(); // never finish the declared length
                    }
                };
            }
            return body;
        }

        @Override public Headers getRequestHeaders() { return real.getRequestHeaders(); }
        @Override public Headers getResponseHeaders() { return real.getResponseHeaders(); }
        @Override public URI getRequestURI() { return real.getRequestURI(); }
        @Override public String getRequestMethod() { return real.getRequestMethod(); }
        @Override public HttpContext getHttpContext() { return real.getHttpContext(); }
        @Override public void close() { real.close(); }
        @Override public InputStream getRequestBody() { return real.getRequestBody(); }
        @Override public InetSocketAddress getRemoteAddress() { return real.getRemoteAddress(); }
        @Override public int getResponseCode() { return real.getResponseCode(); }
        @Override public InetSocketAddress getLocalAddress() { return real.getLocalAddress(); }
        @Override public String getProtocol() { return real.getProtocol(); }
        @Override public Object getAttribute(String name) { return real.getAttribute(name); }
        @Override public void setAttribute(String name, Object value) { real.setAttribute(name, value); }
        @Override public void setStreams(InputStream i, OutputStream o) { real.setStreams(i, o); }
        @Override public HttpPrincipal getPrincipal() { return real.getPrincipal(); }
    }
}
