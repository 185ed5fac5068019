package dev.sluice.instrument.apache.v4;

import dev.sluice.SluiceRejectedException;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Sluice;
import dev.sluice.client.SyntheticResponse;
import dev.sluice.instrument.apache.Apache4Hooks;
import dev.sluice.instrument.apache.SyntheticAnswer;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.HttpHost;
import org.apache.http.HttpMessage;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpUriRequest;

import java.io.IOException;
import java.net.URI;

/**
 * Apache HttpClient 4.x classic in its own terms. Defined in a child of Apache's class loader (see
 * HelperLoader), reached through {@link Apache4Hooks}.
 */
public final class Apache4Helper implements Apache4Hooks {
    static final long MAX_SCAN = 16L * 1024 * 1024;

    public Apache4Helper() {
    }

    @Override
    public Object classicBefore(Object target, Object req) throws IOException {
        HttpRequest request = (HttpRequest) req;
        EndpointRuntime ep = match((HttpHost) target, request);
        if (ep == null) return null;
        GovernedCall call;
        try {
            String priority = header(request, GovernedCall.priorityHeader(ep));
            RequestInfo info = null;
            long length = -1;
            if (request instanceof HttpEntityEnclosingRequest) {
                HttpEntity entity = ((HttpEntityEnclosingRequest) request).getEntity();
                if (entity != null) {
                    length = entity.getContentLength();
                    if (entity.isRepeatable() && length > 0 && length <= MAX_SCAN) {
                        info = scan(entity, (int) length, ep);
                    }
                }
            }
            call = GovernedCall.prepare(ep, priority, info, length);
        } catch (Throwable t) {
            Faults.record(ep, "apache4 request inspection", t);
            return null;
        }
        try {
            call.admit(0);
        } catch (InterruptedException e) {
            throw GovernedCall.interrupted(e);
        } catch (SluiceRejectedException e) {
            SyntheticResponse answer = call.answerFor(e);
            if (answer == null) throw e;
            return new SyntheticAnswer(new Answered4(answer));
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
        HttpResponse response = (HttpResponse) resp;
        HttpEntity entity = response.getEntity();
        Header ct = entity == null ? null : entity.getContentType();
        call.onResponse(response.getStatusLine().getStatusCode(), name -> header(response, name),
                ct == null ? null : ct.getValue());
        if (entity == null) {
            call.onComplete();
            return;
        }
        if (!(entity instanceof GovernedEntity4)) response.setEntity(new GovernedEntity4(entity, call));
    }

    @Override
    public void responseClosed(Object resp) {
        HttpEntity entity = ((HttpResponse) resp).getEntity();
        if (entity instanceof GovernedEntity4) ((GovernedEntity4) entity).call.onCancel();
    }

    static String header(HttpMessage message, String name) {
        Header h = message.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static EndpointRuntime match(HttpHost target, HttpRequest request) {
        URI uri = null;
        if (request instanceof HttpUriRequest) {
            uri = ((HttpUriRequest) request).getURI();
        } else {
            try {
                uri = URI.create(request.getRequestLine().getUri());
            } catch (IllegalArgumentException ignored) {
                // an unparseable request line: matched on the target alone
            }
        }
        String scheme = target != null ? target.getSchemeName() : uri == null ? null : uri.getScheme();
        String host = target != null ? target.getHostName() : uri == null ? null : uri.getHost();
        int port = target != null ? target.getPort() : uri == null ? -1 : uri.getPort();
        if (host == null) return null;
        return Sluice.match(scheme == null ? "http" : scheme, host, port, uri == null ? null : uri.getRawPath());
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
            Faults.record(ep, "apache4 request body estimate", t);
            return null;
        }
    }
}
