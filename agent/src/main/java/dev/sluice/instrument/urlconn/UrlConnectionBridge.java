package dev.sluice.instrument.urlconn;

import dev.sluice.SluiceRejectedException;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Sluice;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.URL;

/**
 * What the HttpURLConnection advice calls. HttpURLConnection has no single "send": the JDK writes the request
 * at the first {@code getInputStream()} (or {@code getOutputStream()} in streaming mode), and every other
 * method that needs the response ({@code getResponseCode}, {@code getHeaderField}, ...) goes through
 * {@code getInputStream()}. So admission happens exactly where the request is about to be written:
 * <ul>
 * <li>streaming mode ({@code setFixedLengthStreamingMode}/{@code setChunkedStreamingMode}): at
 *     {@code getOutputStream()}, which writes the headers; the estimate is the declared length plus the
 *     endpoint's output default (the body is not yet written, and is not buffered to find out);</li>
 * <li>otherwise at {@code getInputStream()}: the JDK has buffered the whole body the application wrote
 *     (its {@code PosterOutputStream}), so the estimate reads the real body, output bound included.</li>
 * </ul>
 * {@code connect()} only opens the socket and is left alone. A thread-local depth keeps the JDK's own nested
 * calls (getInputStream calling getResponseCode calling getInputStream...) to one pass: only the outermost
 * call on a thread acts. The response is seen at the outermost getInputStream's exit: status and headers,
 * then the returned stream is wrapped ({@link GovernedInputStream}) so the body is watched as the application
 * reads it, whenever that is. An error status (>= 400: the JDK throws) or a body-less response ends the call
 * at once; {@code disconnect()} ends it too. Per-connection state: {@link ConnectionStates}.
 *
 * Public because advice inlined into java.base calls it.
 */
public final class UrlConnectionBridge {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    static final ConnectionStates<State> STATES = new ConnectionStates<>();
    /** Request bodies larger than this are estimated from their length alone. */
    static final int MAX_SCAN = 16 * 1024 * 1024;

    private UrlConnectionBridge() {
    }

    /**
     * One admitted connection's call, or a refused connection's refusal. Never references the connection (see
     * ConnectionStates).
     */
    static final class State implements ConnectionStates.Entry {
        final GovernedCall call;
        /**
         * The refusal this connection got. The JDK asks for the response again after a failure
         * ({@code getResponseCode()} calls {@code getInputStream()}, then {@code getHeaderField(0)} calls it once
         * more), and remembers its own failures for those repeats; a refusal thrown by the advice is not one of
         * its own, so Sluice remembers it: the repeat gets the same refusal, not a second admission (which could
         * wait in the room again, count a second refusal, or even be admitted and send the call after all).
         */
        final SluiceRejectedException refusal;
        volatile boolean responded;
        volatile WeakReference<InputStream> raw;
        volatile WeakReference<GovernedInputStream> wrapped;

        State(GovernedCall call) {
            this.call = call;
            this.refusal = null;
        }

        State(SluiceRejectedException refusal) {
            this.call = null;
            this.refusal = refusal;
        }

        @Override
        public GovernedCall call() {
            return call;
        }
    }

    // ---- getOutputStream ----

    /**
     * Enter of getOutputStream. Streaming mode writes the request headers here, so a governed connection is
     * admitted now (or the refusal thrown). Returns the state when this is the outermost call on a governed
     * connection, else null.
     */
    public static Object enterOutput(HttpURLConnection c, boolean doOutput, long fixedLength, int chunkLength)
            throws IOException {
        int[] depth = DEPTH.get();
        if (depth[0]++ > 0) return null;
        boolean streaming = fixedLength != -1 || chunkLength != -1;
        try {
            State s = STATES.get(c);
            if (s != null && s.refusal != null) throw s.refusal;
            if (s != null || !streaming || !doOutput) return s;
            return admit(c, null, fixedLength);
        } catch (IOException e) { // a refusal, or interrupted while waiting: the method does not run
            depth[0]--;
            throw e;
        } catch (RuntimeException | Error e) { // fail open: the call goes on ungoverned; the exit still runs
            Faults.record(null, "httpurlconnection admission", e);
            return null;
        }
    }

    public static void exitOutput(Object scope, Throwable thrown) {
        DEPTH.get()[0]--;
        if (scope == null || thrown == null) return;
        State s = (State) scope;
        if (thrown instanceof ProtocolException) s.call.onCancel(); // misuse, nothing sent
        else s.call.onError(thrown);
    }

    // ---- getInputStream ----

    /**
     * Enter of getInputStream. Admits a governed connection not yet admitted, estimating from the buffered
     * body ({@code poster}, the JDK's PosterOutputStream) when there is one.
     */
    public static Object enterInput(HttpURLConnection c, Object poster, long fixedLength) throws IOException {
        int[] depth = DEPTH.get();
        if (depth[0]++ > 0) return null;
        try {
            State s = STATES.get(c);
            if (s != null && s.refusal != null) throw s.refusal;
            if (s != null) return s;
            return admit(c, poster instanceof ByteArrayOutputStream ? (ByteArrayOutputStream) poster : null,
                    fixedLength);
        } catch (IOException e) { // a refusal, or interrupted while waiting: the method does not run
            depth[0]--;
            throw e;
        } catch (RuntimeException | Error e) { // fail open: the call goes on ungoverned; the exit still runs
            Faults.record(null, "httpurlconnection admission", e);
            return null;
        }
    }

    /**
     * Exit of getInputStream: reports the response once and returns the stream to hand the application (the
     * same wrapper each time the JDK hands out the same stream).
     */
    public static InputStream exitInput(HttpURLConnection c, Object scope, int responseCode, InputStream in,
                                        Throwable thrown) {
        int[] depth = DEPTH.get();
        try {
            if (scope == null) return in;
            State s = (State) scope;
            GovernedCall call = s.call;
            if (thrown != null) {
                if (responseCode >= 100) {
                    // An error status: the JDK throws, the response is there. Its body (getErrorStream) carries
                    // no usage, so the call ends now rather than waiting on a stream the app may never touch.
                    respond(c, s, responseCode);
                    call.onComplete();
                } else if (thrown instanceof ProtocolException) {
                    call.onCancel();
                } else {
                    call.onError(thrown);
                }
                return in;
            }
            if (in == null) return null;
            respond(c, s, responseCode);
            if (bodyless(c, responseCode)) {
                call.onComplete();
                return in;
            }
            return wrap(c, s, in);
        } catch (Throwable t) {
            Faults.record(null, "httpurlconnection response", t);
            return in;
        } finally {
            depth[0]--;
        }
    }

    // ---- disconnect ----

    public static void disconnect(HttpURLConnection c) {
        try {
            State s = STATES.remove(c);
            if (s != null && s.call != null) s.call.onCancel();
        } catch (Throwable t) {
            Faults.record(null, "httpurlconnection disconnect", t);
        }
    }

    // ---- internals ----

    private static State admit(HttpURLConnection c, ByteArrayOutputStream poster, long declaredLength)
            throws IOException {
        EndpointRuntime ep;
        GovernedCall call;
        try {
            URL u = c.getURL();
            ep = Sluice.match(u.getProtocol(), u.getHost(), u.getPort(), u.getPath());
            if (ep == null) return null;
            call = prepare(ep, c, poster, declaredLength);
        } catch (Throwable t) {
            Faults.record(null, "httpurlconnection request inspection", t);
            return null;
        }
        try {
            call.admit(deadline(c));
        } catch (SluiceRejectedException r) {
            try {
                STATES.put(c, new State(r));
            } catch (Throwable t) {
                Faults.record(ep, "httpurlconnection state", t);
            }
            throw r;
        } catch (InterruptedException e) {
            throw GovernedCall.interrupted(e);
        }
        State s = new State(call);
        try {
            STATES.put(c, s);
        } catch (Throwable t) {
            Faults.record(ep, "httpurlconnection state", t);
        }
        return s;
    }

    static GovernedCall prepare(EndpointRuntime ep, HttpURLConnection c, ByteArrayOutputStream poster,
                                long declaredLength) {
        String priority = null;
        RequestInfo info = null;
        long length = declaredLength;
        try {
            priority = c.getRequestProperty(GovernedCall.priorityHeader(ep));
            if (poster != null) {
                length = poster.size();
                if (length > 0 && length <= MAX_SCAN) {
                    byte[] body = poster.toByteArray();
                    info = RequestScanner.scan(body, 0, body.length, ep.config().estimator());
                }
            }
        } catch (Throwable t) {
            Faults.record(ep, "httpurlconnection request inspection", t);
        }
        return GovernedCall.prepare(ep, priority, info, length);
    }

    /**
     * The longest a caller waits in the gate: the connection's read timeout, the nearest thing it has to a
     * deadline for its answer; 0 = the endpoint's queue.max-wait alone.
     */
    static long deadline(HttpURLConnection c) {
        int rt = c.getReadTimeout();
        if (rt <= 0) return 0;
        long d = System.nanoTime() + rt * 1_000_000L;
        return d == 0 ? 1 : d;
    }

    private static void respond(HttpURLConnection c, State s, int code) {
        if (s.responded) return;
        s.responded = true;
        // Header look-ups re-enter getInputStream: the depth is still held, so that pass does nothing.
        s.call.onResponse(code, c::getHeaderField, c.getHeaderField("content-type"));
    }

    private static boolean bodyless(HttpURLConnection c, int code) {
        if (code == 204 || code == 304 || (code >= 100 && code < 200)) return true;
        if ("HEAD".equals(c.getRequestMethod())) return true;
        return "0".equals(c.getHeaderField("content-length"));
    }

    private static InputStream wrap(HttpURLConnection c, State s, InputStream in) {
        if (in instanceof GovernedInputStream) return in;
        WeakReference<InputStream> r = s.raw;
        WeakReference<GovernedInputStream> w = s.wrapped;
        if (r != null && w != null && r.get() == in) {
            GovernedInputStream g = w.get();
            if (g != null) return g;
        }
        GovernedInputStream g = new GovernedInputStream(in, s.call, c);
        s.raw = new WeakReference<>(in);
        s.wrapped = new WeakReference<>(g);
        return g;
    }

    /** Governed connections not yet disconnected or collected (for tests and diagnostics). */
    static int tracked() {
        return STATES.size();
    }
}
