package dev.sluice.instrument.apache.v5;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Refusals;
import dev.sluice.client.Sluice;
import dev.sluice.instrument.apache.Apache5Hooks;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Apache HttpClient 5, classic and async, in Apache's own terms. Defined in a child of Apache's class loader
 * (see HelperLoader), reached through {@link Apache5Hooks}. Public with a public constructor for that reason.
 */
public final class Apache5Helper implements Apache5Hooks {
    /** Request bodies larger than this are estimated from their length alone. */
    static final long MAX_SCAN = 16L * 1024 * 1024;
    /** Set while the helper runs the original execute after admission, so that call is not governed twice. */
    private static final ThreadLocal<boolean[]> INNER = ThreadLocal.withInitial(() -> new boolean[1]);

    public Apache5Helper() {
    }

    // ---- classic ----

    @Override
    public Object classicBefore(Object target, Object req) throws IOException {
        ClassicHttpRequest request = (ClassicHttpRequest) req;
        EndpointRuntime ep = match((HttpHost) target, request);
        if (ep == null) return null;
        GovernedCall call;
        try {
            String priority = header(request, GovernedCall.priorityHeader(ep));
            RequestInfo info = null;
            long length = -1;
            HttpEntity entity = request.getEntity();
            if (entity != null) {
                length = entity.getContentLength();
                if (entity.isRepeatable() && length > 0 && length <= MAX_SCAN) info = scan(entity, (int) length);
            }
            call = GovernedCall.prepare(ep, priority, info, length);
        } catch (Throwable t) {
            Faults.record(ep, "apache5 request inspection", t);
            return null;
        }
        try {
            call.admit(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting for admission");
            io.initCause(e);
            throw io;
        }
        return call;
    }

    @Override
    public void classicAfter(Object c, Object resp, Throwable thrown) {
        GovernedCall call = (GovernedCall) c;
        if (thrown != null || resp == null) {
            call.onError(thrown);
            return;
        }
        ClassicHttpResponse response = (ClassicHttpResponse) resp;
        HttpEntity entity = response.getEntity();
        respond(call, response, entity == null ? null : entity.getContentType());
        if (entity == null) {
            call.onComplete();
            return;
        }
        if (!(entity instanceof GovernedEntity5)) response.setEntity(new GovernedEntity5(entity, call));
    }

    @Override
    public void responseClosed(Object resp) {
        HttpEntity entity = ((ClassicHttpResponse) resp).getEntity();
        if (entity instanceof GovernedEntity5) ((GovernedEntity5) entity).call.onCancel();
    }

    // ---- async ----

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Future<?> asyncExecute(Object clientObj, Object targetObj, boolean withTarget, Object producerObj,
                                  Object consumerObj, Object pushObj, Object contextObj, Object callbackObj) {
        if (INNER.get()[0]) return null;
        // The request is inside the producer. Only the stock producer (BasicRequestProducer, which
        // SimpleRequestProducer and AsyncRequestBuilder make) is known to hand it over without side effects.
        if (!(producerObj instanceof BasicRequestProducer) || consumerObj == null) return null;
        AsyncRequestProducer producer = (AsyncRequestProducer) producerObj;
        HttpContext context = (HttpContext) contextObj;
        HttpRequest[] request = new HttpRequest[1];
        EntityDetails[] details = new EntityDetails[1];
        try {
            producer.sendRequest((r, d, ctx) -> {
                request[0] = r;
                details[0] = d;
            }, context);
        } catch (Throwable t) {
            Faults.record(null, "apache5 async request inspection", t);
            return null;
        }
        if (request[0] == null) return null;
        EndpointRuntime ep = match((HttpHost) targetObj, request[0]);
        if (ep == null) return null;

        CloseableHttpAsyncClient client = (CloseableHttpAsyncClient) clientObj;
        HttpHost target = (HttpHost) targetObj;
        AsyncResponseConsumer consumer = (AsyncResponseConsumer) consumerObj;
        HandlerFactory<AsyncPushConsumer> push = (HandlerFactory<AsyncPushConsumer>) pushObj;
        String priority = header(request[0], GovernedCall.priorityHeader(ep));
        long length = details[0] == null ? -1 : details[0].getContentLength();
        GovernedCall call = GovernedCall.prepare(ep, priority, null, length);

        AtomicReference<Future<?>> real = new AtomicReference<>();
        CompletableFuture<GovernedCall> admission = call.admitAsync();
        GovernedFuture5 result;
        try {
            result = new GovernedFuture5((FutureCallback) callbackObj, admission, real);
        } catch (Throwable t) {
            admission.cancel(false); // hands back a permit won meanwhile
            call.onCancel();
            throw t;
        }
        admission.whenComplete((ok, refused) -> {
            if (refused != null) {
                Throwable cause = Refusals.unwrap(refused);
                if (cause instanceof CancellationException) result.cancel();
                else result.failed(cause instanceof Exception ? (Exception) cause : new IOException(cause));
                return;
            }
            if (result.isDone()) { // cancelled by the application while it waited
                call.onCancel();
                return;
            }
            RelayCallback5 relay = new RelayCallback5(call, result);
            GovernedResponseConsumer governed = new GovernedResponseConsumer<>(consumer, call);
            boolean[] inner = INNER.get();
            inner[0] = true;
            try {
                Future<?> f = withTarget
                        ? client.execute(target, producer, governed, push, context, relay)
                        : client.execute(producer, governed, push, context, relay);
                real.set(f);
                if (result.isCancelled()) f.cancel(true);
            } catch (Throwable t) {
                call.onError(t);
                result.failed(t instanceof Exception ? (Exception) t : new IOException(t));
            } finally {
                inner[0] = false;
            }
        });
        return result;
    }

    // ---- shared ----

    static void respond(GovernedCall call, HttpResponse response, String contentType) {
        call.onResponse(response.getCode(), name -> header(response, name), contentType);
    }

    static String header(org.apache.hc.core5.http.HttpMessage message, String name) {
        Header h = message.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static EndpointRuntime match(HttpHost target, HttpRequest request) {
        String scheme;
        String host;
        int port;
        if (target != null) {
            scheme = target.getSchemeName();
            host = target.getHostName();
            port = target.getPort();
        } else {
            URIAuthority authority = request.getAuthority();
            if (authority == null) return null;
            scheme = request.getScheme();
            host = authority.getHostName();
            port = authority.getPort();
        }
        String path = request.getPath();
        if (path != null) {
            int q = path.indexOf('?');
            if (q >= 0) path = path.substring(0, q);
        }
        return Sluice.match(scheme == null ? "http" : scheme, host, port, path);
    }

    /** A repeatable entity hands out a fresh stream each time: read it once for the estimate. */
    private static RequestInfo scan(HttpEntity entity, int length) throws IOException {
        byte[] body = new byte[length];
        int pos = 0;
        try (InputStream in = entity.getContent()) {
            if (in == null) return null;
            while (pos < length) {
                int n = in.read(body, pos, length - pos);
                if (n < 0) break;
                pos += n;
            }
        }
        return RequestScanner.scan(body, 0, pos);
    }
}
