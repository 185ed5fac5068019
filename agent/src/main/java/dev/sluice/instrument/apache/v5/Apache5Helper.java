package dev.sluice.instrument.apache.v5;

import dev.sluice.SluiceRejectedException;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Sluice;
import dev.sluice.client.SyntheticResponse;
import dev.sluice.instrument.apache.Apache5Hooks;
import dev.sluice.instrument.apache.SyntheticAnswer;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Apache HttpClient 5, classic and async, in Apache's own terms. Defined in a child of Apache's class loader
 * (see HelperLoader), reached through {@link Apache5Hooks}. Public with a public constructor for that reason.
 */
public final class Apache5Helper implements Apache5Hooks {
    /** Request bodies larger than this are estimated from their length alone. */
    static final long MAX_SCAN = 16L * 1024 * 1024;
    /** Set while an admitted async attempt re-enters its handler, so that pass is not governed twice. */
    static final ThreadLocal<boolean[]> INNER = ThreadLocal.withInitial(() -> new boolean[1]);

    public Apache5Helper() {
    }

    // ---- classic ----

    @Override
    public Object classicBefore(Object target, Object req, Object context, boolean canAnswer) throws IOException {
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
                if (entity.isRepeatable() && length > 0 && length <= MAX_SCAN) {
                    info = scan(entity, (int) length, ep);
                }
            }
            call = GovernedCall.prepare(ep, priority, info, length);
        } catch (Throwable t) {
            Faults.record(ep, "apache5 request inspection", t);
            return null;
        }
        try {
            call.admit(deadline(request, context, ep));
        } catch (InterruptedException e) {
            throw GovernedCall.interrupted(e);
        } catch (SluiceRejectedException e) {
            SyntheticResponse answer = canAnswer ? call.answerFor(e) : null;
            if (answer == null) throw e;
            return new SyntheticAnswer(classicResponse(answer));
        }
        return call;
    }

    /** A refusal with {@code reject=http}, as the classic response the exec chain passes up. */
    static ClassicHttpResponse classicResponse(SyntheticResponse answer) {
        BasicClassicHttpResponse r = new BasicClassicHttpResponse(answer.status(), answer.statusText());
        for (int i = 0; i < answer.headerCount(); i++) r.addHeader(answer.headerName(i), answer.headerValue(i));
        r.setEntity(new ByteArrayEntity(answer.body(), ContentType.APPLICATION_JSON));
        return r;
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
    public boolean asyncAttempt(Object handlerObj, Object requestObj, Object producerObj, Object scopeObj,
                                Object chainObj, Object callbackObj) {
        if (INNER.get()[0]) return false;
        AsyncExecChain.Scope scope = (AsyncExecChain.Scope) scopeObj;
        HttpRequest request = (HttpRequest) requestObj;
        EndpointRuntime ep = match(scope.route.getTargetHost(), request);
        if (ep == null) return false;
        AsyncEntityProducer producer = (AsyncEntityProducer) producerObj;
        GovernedCall call = GovernedCall.prepare(ep, header(request, GovernedCall.priorityHeader(ep)),
                (RequestInfo) null, producer == null ? -1 : producer.getContentLength());
        AsyncAdmission5 then = new AsyncAdmission5(call, (AsyncExecChainHandler) handlerObj, request, producer, scope,
                (AsyncExecChain) chainObj, (AsyncExecCallback) callbackObj);
        CompletableFuture<GovernedCall> admission = call.admitAsync(deadline(request, scope.clientContext, ep));
        // The application cancelling its Future while the call waits takes it out of the waiting room. Set before
        // the attempt can run: once running, the chain sets its own dependency here.
        try {
            if (scope.cancellableDependency != null) {
                scope.cancellableDependency.setDependency(() -> admission.cancel(false));
            }
        } catch (RuntimeException e) { // the attempt is ours now: a failure here must not run it twice
            Faults.record(ep, "apache5 async cancel hook", e);
        }
        admission.whenComplete(then);
        return true;
    }

    // ---- shared ----

    /**
     * The longest a call waits in the gate: its RequestConfig's response timeout (the request's own, else the
     * exchange's), the nearest thing Apache has to a deadline for the answer, as HttpURLConnection's read timeout
     * is for that unit; 0 = the endpoint's queue.max-wait alone. It is not shortened for the exchange after
     * admission: it is a per-read timeout, and a shorter one would cut every read of a streamed body short.
     */
    static long deadline(HttpRequest request, Object context, EndpointRuntime ep) {
        try {
            RequestConfig config = request instanceof Configurable ? ((Configurable) request).getConfig() : null;
            if (config == null && context instanceof HttpClientContext) {
                config = ((HttpClientContext) context).getRequestConfig();
            }
            Timeout t = config == null ? null : config.getResponseTimeout();
            long ms = t == null ? 0 : t.toMilliseconds();
            if (ms <= 0) return 0;
            long d = System.nanoTime() + ms * 1_000_000L;
            return d == 0 ? 1 : d;
        } catch (Throwable e) {
            Faults.record(ep, "apache5 response timeout", e);
            return 0;
        }
    }

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
        // The request target's path and query: the lookup reads the path up to the '?'.
        return Sluice.match(scheme == null ? "http" : scheme, host, port, request.getPath());
    }

    /**
     * A repeatable entity may be written any number of times (its contract): write it once into memory for the
     * estimate. {@code writeTo}, not {@code getContent}: some entities only support the former (Spring's). A body
     * that cannot be read this way is estimated from its length; the call is governed either way.
     */
    private static RequestInfo scan(HttpEntity entity, int length, EndpointRuntime ep) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(length);
            entity.writeTo(out);
            if (out.size() == 0) return null;
            byte[] body = out.toByteArray();
            return RequestScanner.scan(body, 0, body.length, ep.config().estimator());
        } catch (Throwable t) {
            Faults.record(ep, "apache5 request body estimate", t);
            return null;
        }
    }
}
