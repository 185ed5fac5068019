package dev.sluice.instrument.okhttp.injected;

import dev.sluice.SluiceRejectedException;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Sluice;
import dev.sluice.client.SyntheticResponse;
import dev.sluice.provider.HeaderLookup;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What the OkHttp advice calls (the unit's bridge). Translates OkHttp's types for {@link GovernedCall} and nothing
 * more. Parameters are {@code Object} because the advice that calls them is typed without OkHttp.
 */
public final class OkHttpCalls {
    /** Governed calls still waiting for admission, by their RealCall (identity: RealCall keeps Object's equals). */
    private static final ConcurrentHashMap<Object, Waiter> WAITING = new ConcurrentHashMap<>();
    private static volatile ExecutorService fallback;
    /** A shorter wait leaves the call's timeout as it is. */
    static final long MIN_WAIT_COUNTED_NANOS = 1_000_000L;

    private OkHttpCalls() {
    }

    /**
     * Before {@code execute()}: null for a call Sluice leaves alone; the admitted {@link GovernedCall}; or an
     * IOException instead of running the call: the one to throw (a refusal, or a cancel while waiting), or with
     * {@code reject=http} an {@link Answered} carrying the synthetic response to return ({@link #answerOf}).
     */
    public static Object beforeExecute(Object c) {
        Call call = (Call) c;
        Request request = call.request();
        EndpointRuntime ep = match(request);
        if (ep == null || call.isExecuted() || call.isCanceled()) return null;
        long start = System.nanoTime();
        GovernedCall governed = prepare(ep, request);
        try {
            // Room now: no waiter to register for a cancel (one that comes now is OkHttp's own to handle).
            if (governed.tryAdmit(deadline(call, start))) return governed;
        } catch (SluiceRejectedException e) {
            return refusal(governed, e, request);
        }
        SyncWaiter waiter = new SyncWaiter(Thread.currentThread());
        WAITING.put(call, waiter);
        IOException refused = null;
        boolean interrupted = false;
        try {
            governed.admit(deadline(call, start));
        } catch (SluiceRejectedException e) {
            refused = e;
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            WAITING.remove(call, waiter);
        }
        if (!waiter.settle()) {
            if (refused == null) governed.onCancel();
            return new IOException("Canceled");
        }
        if (interrupted) { // the application's own interrupt: keep it, fail as OkHttp fails an interrupted call
            Thread.currentThread().interrupt();
            return new InterruptedIOException("interrupted while waiting for admission by Sluice");
        }
        if (refused != null) return refusal(governed, refused, request);
        countWait(call, start, governed);
        return governed;
    }

    /** What a refused {@code execute()} ends with: the exception to throw, or the synthetic answer to return. */
    private static IOException refusal(GovernedCall governed, IOException refused, Request request) {
        SyntheticResponse answer = governed.answerFor(refused);
        return answer == null ? refused : new Answered(SyntheticResponses.build(answer, request));
    }

    /** The synthetic response an {@link Answered} carries, or null for any other state. */
    public static Object answerOf(Object state) {
        return state instanceof Answered ? ((Answered) state).response : null;
    }

    /**
     * Not an error: the carrier of a {@code reject=http} answer from the enter advice (which skips the real call on
     * any IOException) to the exit advice (which returns it instead of throwing). No stack trace.
     */
    static final class Answered extends IOException {
        private static final long serialVersionUID = 1L;
        final transient Response response;

        Answered(Response response) {
            super("answered by Sluice");
            this.response = response;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** After {@code execute()}: the response to return (its body watched); a failure hands the permit back. */
    public static Object afterExecute(Object state, Object c, Object response, Throwable thrown) {
        GovernedCall governed = (GovernedCall) state;
        if (thrown != null) {
            failed(governed, (Call) c, thrown);
            return response;
        }
        return observe(governed, (Response) response);
    }

    /**
     * Instead of {@code enqueue(callback)}: true when Sluice took the call over (the original is skipped), false to
     * let the original run (not governed, or Sluice's own enqueue of an admitted call).
     */
    public static boolean enqueue(Object c, Object cb, Object client) {
        if (cb == null || cb instanceof GovernedCallback) return false;
        Call call = (Call) c;
        Request request = call.request();
        EndpointRuntime ep = match(request);
        if (ep == null || call.isExecuted() || call.isCanceled()) return false;
        GovernedCall governed = prepare(ep, request);
        Callback callback = (Callback) cb;
        try {
            // Room now: enqueued for real at once, with no waiter to register for a cancel.
            if (governed.tryAdmit(deadline(call, System.nanoTime()))) {
                AsyncWaiter.enqueueAdmitted(call, callback, governed, client, ep);
                return true;
            }
        } catch (SluiceRejectedException e) {
            new AsyncWaiter(call, callback, governed, executor(client, ep)).accept(null, e);
            return true;
        }
        AsyncWaiter waiter = new AsyncWaiter(call, callback, governed, executor(client, ep));
        WAITING.put(call, waiter);
        waiter.start();
        return true;
    }

    /** After {@code cancel()}: a call still waiting for admission leaves the waiting room. */
    public static void cancelled(Object call) {
        if (WAITING.isEmpty()) return;
        Waiter waiter = WAITING.remove(call);
        if (waiter != null) waiter.cancel();
    }

    static void forget(Object call, Waiter waiter) {
        WAITING.remove(call, waiter);
    }

    /** A call failed after admission: cancelled by the application (not the breaker's business) or a real failure. */
    static void failed(GovernedCall governed, Call call, Throwable t) {
        // OkHttp's own call timeout also cancels the call, but it is a timeout: it fails with InterruptedIOException.
        if (call.isCanceled() && !(t instanceof InterruptedIOException)) governed.onCancel();
        else governed.onError(t);
    }

    /** Reports status and headers, and gives back the response with its body read through Sluice. */
    static Response observe(GovernedCall governed, Response response) {
        if (response == null) {
            governed.onCancel();
            return null;
        }
        try {
            governed.onResponse(response.code(), new ResponseHeaders(response), response.header("Content-Type"));
            ResponseBody body = response.body();
            if (body == null || body.contentLength() == 0) {
                governed.onComplete();
                return response;
            }
            return response.newBuilder().body(new GovernedResponseBody(body, governed)).build();
        } catch (Throwable t) {
            Faults.record(governed.endpoint(), "okhttp response", t);
            governed.onCancel();
            return response;
        }
    }

    /**
     * A response's headers as Sluice reads them. A named class rather than {@code response::header}: the profile of
     * a load run showed that method reference's factory called, not inlined, on every answer.
     */
    static final class ResponseHeaders implements HeaderLookup {
        private final Response response;

        ResponseHeaders(Response response) {
            this.response = response;
        }

        @Override
        public String get(String name) {
            return response.header(name);
        }
    }

    /**
     * The endpoint governing this request, or null. A WebSocket handshake (OkHttp sends it through a RealCall too,
     * e.g. a realtime API) is a session, not a call: it is left alone rather than holding a permit for its life.
     */
    static EndpointRuntime match(Request request) {
        HttpUrl url = request.url();
        // The path read in place from the URL's own text: encodedPath() cuts it out, a copy per call matched or not.
        String text = url.toString();
        String scheme = url.scheme();
        EndpointRuntime ep = Sluice.match(scheme, url.host(), url.port(), text, text.indexOf('/', scheme.length() + 3));
        return ep == null || request.header("Upgrade") != null ? null : ep;
    }

    static GovernedCall prepare(EndpointRuntime ep, Request request) {
        String priority = null;
        RequestInfo info = null;
        long length = -1;
        try {
            priority = request.header(GovernedCall.priorityHeader(ep));
            RequestBody body = request.body();
            if (body != null) {
                length = body.contentLength();
                byte[] bytes = RequestBodies.replay(body, length);
                if (bytes != null) info = RequestScanner.scan(bytes, 0, bytes.length, ep.config().estimator());
            }
        } catch (Throwable t) {
            Faults.record(ep, "okhttp request inspection", t);
        }
        return GovernedCall.prepare(ep, priority, info, length);
    }

    /**
     * The call's own timeout ({@code callTimeout}, or what the application set on {@code call.timeout()}), counted
     * from {@code start}, as the deadline for waiting in the gate; 0 = none.
     */
    static long deadline(Call call, long start) {
        long nanos = call.timeout().timeoutNanos();
        if (nanos <= 0) return 0;
        long d = start + nanos;
        return d == 0 ? 1 : d;
    }

    /**
     * After admission: the call's timeout shortened by the time it waited since {@code start} (a millisecond or
     * more), so the wait counts toward it. OkHttp starts a call's timeout when the call starts running, after
     * Sluice's wait; the application started its call before it. Never 0, which OkHttp reads as "no timeout": when
     * nothing is left it fires at once, as the client's own timeout would have.
     */
    static void countWait(Call call, long start, GovernedCall governed) {
        try {
            okio.Timeout timeout = call.timeout();
            long nanos = timeout.timeoutNanos();
            if (nanos <= 0) return;
            long waited = System.nanoTime() - start;
            if (waited < MIN_WAIT_COUNTED_NANOS) return;
            timeout.timeout(Math.max(1, nanos - waited), TimeUnit.NANOSECONDS);
        } catch (Throwable t) {
            Faults.record(governed.endpoint(), "okhttp remaining timeout", t);
        }
    }

    /** Where the application's failure callback runs: OkHttp's dispatcher executor, as for any failed call. */
    static Executor executor(Object client, EndpointRuntime ep) {
        try {
            if (client instanceof OkHttpClient) return ((OkHttpClient) client).dispatcher().executorService();
        } catch (Throwable t) {
            Faults.record(ep, "okhttp dispatcher", t);
        }
        ExecutorService f = fallback;
        if (f == null) {
            synchronized (OkHttpCalls.class) {
                if (fallback == null) {
                    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                            new SynchronousQueue<>(), r -> {
                                Thread t = new Thread(r, "sluice-okhttp-callback");
                                t.setDaemon(true);
                                return t;
                            });
                    fallback = pool;
                }
                f = fallback;
            }
        }
        return f;
    }
}
