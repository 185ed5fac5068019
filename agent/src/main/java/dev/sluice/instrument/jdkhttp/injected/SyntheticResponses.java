package dev.sluice.instrument.jdkhttp.injected;

import dev.sluice.client.SyntheticResponse;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code reject=http} for the JDK HttpClient: turns the shared {@link SyntheticResponse} into an {@code HttpResponse}
 * whose body goes through the application's own {@code BodyHandler} and {@code BodySubscriber}, exactly as a real
 * answer's would (so {@code ofString}, {@code ofLines}, {@code ofInputStream}, a JSON mapper's handler all work).
 */
final class SyntheticResponses {
    private SyntheticResponses() {
    }

    /** The response, complete once the application's body subscriber has its body (at once for ofInputStream). */
    static <T> CompletableFuture<HttpResponse<T>> deliver(SyntheticResponse answer, HttpRequest request,
                                                          HttpResponse.BodyHandler<T> handler) {
        CompletableFuture<HttpResponse<T>> out = new CompletableFuture<>();
        try {
            HttpHeaders headers = HttpHeaders.of(answer.headerMap(), (name, value) -> true);
            Info info = new Info(answer.status(), headers);
            HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
            subscriber.onSubscribe(new OneShot(subscriber, answer.body()));
            subscriber.getBody().whenComplete((body, failed) -> {
                if (failed != null) out.completeExceptionally(failed);
                else out.complete(new Response<>(request, info, body));
            });
        } catch (Throwable t) {
            out.completeExceptionally(t);
        }
        return out;
    }

    static final class Info implements HttpResponse.ResponseInfo {
        private final int status;
        private final HttpHeaders headers;

        Info(int status, HttpHeaders headers) {
            this.status = status;
            this.headers = headers;
        }

        @Override
        public int statusCode() {
            return status;
        }

        @Override
        public HttpHeaders headers() {
            return headers;
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    /** Delivers the whole body as one buffer on the first request, then completes. */
    static final class OneShot implements Flow.Subscription {
        private final HttpResponse.BodySubscriber<?> subscriber;
        private final byte[] body;
        private final AtomicBoolean done = new AtomicBoolean();

        OneShot(HttpResponse.BodySubscriber<?> subscriber, byte[] body) {
            this.subscriber = subscriber;
            this.body = body;
        }

        @Override
        public void request(long n) {
            if (!done.compareAndSet(false, true)) return;
            if (n <= 0) {
                subscriber.onError(new IllegalArgumentException("non-positive subscription request: " + n));
                return;
            }
            subscriber.onNext(List.of(ByteBuffer.wrap(body)));
            subscriber.onComplete();
        }

        @Override
        public void cancel() {
            done.set(true);
        }
    }

    static final class Response<T> implements HttpResponse<T> {
        private final HttpRequest request;
        private final Info info;
        private final T body;

        Response(HttpRequest request, Info info, T body) {
            this.request = request;
            this.info = info;
            this.body = body;
        }

        @Override
        public int statusCode() {
            return info.statusCode();
        }

        @Override
        public HttpRequest request() {
            return request;
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return info.headers();
        }

        @Override
        public T body() {
            return body;
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return info.version();
        }

        @Override
        public String toString() {
            return "(" + request.method() + " " + request.uri() + ") " + statusCode() + " [answered by Sluice]";
        }
    }
}
