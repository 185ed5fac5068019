package dev.sluice.instrument.jdkhttp.injected;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.SluiceRejectedException;
import dev.sluice.client.Sluice;
import dev.sluice.client.SyntheticResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What the JDK HttpClient advice calls. Translates the client's types for {@link GovernedCall} and nothing
 * more. Public because inlined advice calls it from inside java.net.http.
 */
public final class JdkHttpClientBridge {
    /** Set while the bridge itself calls sendAsync after admission, so that call is not governed twice. */
    private static final ThreadLocal<boolean[]> INNER = ThreadLocal.withInitial(() -> new boolean[1]);
    /** A shorter wait leaves the application's request as it is (no copy on the fast path). */
    static final long MIN_WAIT_COUNTED_NANOS = 1_000_000L;

    private JdkHttpClientBridge() {
    }

    static EndpointRuntime match(HttpRequest request) {
        URI u = request.uri();
        return Sluice.match(u.getScheme(), u.getHost(), u.getPort(), u.getRawPath());
    }

    /**
     * Before a blocking send: admit and return the wrapped handler (unmatched calls get theirs back); a refusal is
     * thrown, or with {@code reject=http} answered: the synthetic {@code HttpResponse} to return instead of sending.
     */
    public static Object beforeSend(HttpRequest request, HttpResponse.BodyHandler<?> handler)
            throws IOException, InterruptedException {
        EndpointRuntime ep = match(request);
        if (ep == null || handler == null) return handler;
        long start = System.nanoTime();
        GovernedCall call;
        try {
            call = prepare(ep, request);
        } catch (RuntimeException | Error e) { // fail open: nothing but a refusal or an interrupt leaves here
            Faults.record(ep, "jdk-httpclient send", e);
            return handler;
        }
        try {
            call.admit(deadline(request, start));
        } catch (SluiceRejectedException refused) {
            SyntheticResponse answer = call.answerFor(refused);
            if (answer == null) throw refused;
            return answered(answer, request, handler);
        }
        GovernedBodyHandler<?> governed = new GovernedBodyHandler<>(handler, call);
        governed.request = remainingTimeout(request, start, ep);
        return governed;
    }

    /**
     * The request the blocking send goes on with: the application's own, or (when it has a timeout and waited for
     * admission) a copy whose timeout is what is left of it, so the time spent waiting counts toward it.
     */
    public static HttpRequest requestFor(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
        if (!(handler instanceof GovernedBodyHandler)) return request;
        HttpRequest r = ((GovernedBodyHandler<?>) handler).request;
        return r == null ? request : r;
    }

    /** The synthetic answer, its body read by the application's handler on this thread. */
    private static HttpResponse<?> answered(SyntheticResponse answer, HttpRequest request,
                                            HttpResponse.BodyHandler<?> handler) throws IOException, InterruptedException {
        try {
            return SyntheticResponses.deliver(answer, request, handler).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) throw (IOException) c;
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new IOException(c);
        }
    }

    /** After a blocking send: a failure before any response reached the handler hands the permit back. */
    public static void afterSend(HttpResponse.BodyHandler<?> handler, Throwable thrown) {
        if (thrown == null || !(handler instanceof GovernedBodyHandler)) return;
        GovernedCall call = ((GovernedBodyHandler<?>) handler).call;
        if (thrown instanceof InterruptedException) call.onCancel();
        else call.onError(thrown);
    }

    /**
     * A governed sendAsync: returns the future the application gets, or null to let the original method run
     * (unmatched, re-entry, or a fault in Sluice).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static CompletableFuture<?> sendAsync(HttpClient client, HttpRequest request,
                                                 HttpResponse.BodyHandler<?> handler,
                                                 HttpResponse.PushPromiseHandler<?> push, boolean withPush) {
        EndpointRuntime ep = match(request);
        if (ep == null || handler == null) return null;
        if (INNER.get()[0]) return null;
        try {
            long start = System.nanoTime();
            GovernedCall call = prepare(ep, request);
            GovernedBodyHandler governed = new GovernedBodyHandler<>(handler, call);
            CompletableFuture<HttpResponse<?>> result = new CompletableFuture<>();
            CompletableFuture<GovernedCall> admission = call.admitAsync(deadline(request, start));
            admission.whenComplete((c, refused) -> {
                if (refused != null) {
                    SyntheticResponse answer = call.answerFor(refused);
                    if (answer == null) {
                        result.completeExceptionally(refused);
                        return;
                    }
                    CompletableFuture<? extends HttpResponse<?>> answered = SyntheticResponses.deliver(answer, request,
                            handler);
                    answered.whenComplete((r, e) -> {
                        if (e != null) result.completeExceptionally(e);
                        else result.complete(r);
                    });
                    return;
                }
                if (result.isDone()) { // cancelled by the application while it waited
                    call.onCancel();
                    return;
                }
                CompletableFuture<? extends HttpResponse<?>> real;
                HttpRequest sent = remainingTimeout(request, start, ep);
                boolean[] inner = INNER.get();
                inner[0] = true;
                try {
                    real = withPush ? client.sendAsync(sent, governed, (HttpResponse.PushPromiseHandler) push)
                            : client.sendAsync(sent, governed);
                } catch (Throwable t) {
                    call.onError(t);
                    result.completeExceptionally(t);
                    return;
                } finally {
                    inner[0] = false;
                }
                real.whenComplete((response, failed) -> {
                    if (failed != null) {
                        call.onError(failed);
                        result.completeExceptionally(failed);
                    } else {
                        result.complete(response);
                    }
                });
                result.whenComplete((r, e) -> {
                    if (result.isCancelled()) real.cancel(true);
                });
            });
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) admission.cancel(false);
            });
            return result;
        } catch (Throwable t) {
            Faults.record(ep, "jdk-httpclient sendAsync", t);
            return null;
        }
    }

    static GovernedCall prepare(EndpointRuntime ep, HttpRequest request) {
        String priority = null;
        byte[] body = null;
        long length = -1;
        try {
            priority = request.headers().firstValue(GovernedCall.priorityHeader(ep)).orElse(null);
            Optional<HttpRequest.BodyPublisher> publisher = request.bodyPublisher();
            if (publisher.isPresent()) {
                length = publisher.get().contentLength();
                body = RequestBodies.replay(publisher.get(), length);
            }
        } catch (Throwable t) {
            Faults.record(ep, "jdk-httpclient request inspection", t);
        }
        return GovernedCall.prepare(ep, priority, body, length);
    }

    /** The request's own timeout, counted from {@code start}, as a deadline for waiting in the gate; 0 = none. */
    static long deadline(HttpRequest request, long start) {
        Optional<Duration> timeout = request.timeout();
        if (timeout.isEmpty()) return 0;
        long d = start + saturatedNanos(timeout.get());
        return d == 0 ? 1 : d;
    }

    /**
     * The application's request, or, when it has a timeout and the call waited in the gate since {@code start}
     * (a millisecond or more), a copy of it whose timeout is only what is left: the client's timeout covers the
     * call from the application's send, and Sluice's wait is part of that call. Left at the smallest positive
     * duration when nothing is left, so the client's own timeout fires as it would have. A request that cannot
     * be copied goes unchanged (fail open).
     */
    static HttpRequest remainingTimeout(HttpRequest request, long start, EndpointRuntime ep) {
        try {
            Optional<Duration> timeout = request.timeout();
            if (timeout.isEmpty()) return request;
            long waited = System.nanoTime() - start;
            if (waited < MIN_WAIT_COUNTED_NANOS) return request;
            long left = saturatedNanos(timeout.get()) - waited;
            Duration remaining = Duration.ofNanos(Math.max(1, left));
            return HttpRequest.newBuilder(request, (name, value) -> true).timeout(remaining).build();
        } catch (Throwable t) {
            Faults.record(ep, "jdk-httpclient remaining timeout", t);
            return request;
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }
}
