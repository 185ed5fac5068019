package dev.sluice.instrument.jdkhttp.injected;

import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;

import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Wraps the application's body handler: reports status and headers, and puts a subscriber between the
 * connection and the application's subscriber that reads each buffer as it passes (no copy, no delay) and
 * hands the permit back when the body ends, fails, or the application cancels it.
 */
final class GovernedBodyHandler<T> implements HttpResponse.BodyHandler<T> {
    final HttpResponse.BodyHandler<T> delegate;
    final GovernedCall call;
    /** The request a blocking send goes on with, when not the application's own (see JdkHttpClientBridge). */
    volatile java.net.http.HttpRequest request;

    GovernedBodyHandler(HttpResponse.BodyHandler<T> delegate, GovernedCall call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo info) {
        try {
            HttpHeaders headers = info.headers();
            call.onResponse(info.statusCode(), name -> headers.firstValue(name).orElse(null),
                    headers.firstValue("content-type").orElse(null));
        } catch (Throwable t) {
            Faults.record(call.endpoint(), "jdk-httpclient response", t);
        }
        HttpResponse.BodySubscriber<T> subscriber = delegate.apply(info);
        return new Subscriber<>(subscriber, call);
    }

    /**
     * Defined with the JDK's internal {@code TrustedSubscriber} among its interfaces where the JDK has it
     * ({@code jdkhttp.TrustedSubscriber}): its {@code getBody} is the delegate's, so the client may call it without
     * a hand-off to its executor whenever it may for the delegate. {@code delegate} is read by the method added
     * there; keep its name and type.
     */
    static final class Subscriber<T> implements HttpResponse.BodySubscriber<T> {
        private final HttpResponse.BodySubscriber<T> delegate;
        private final GovernedCall call;

        Subscriber(HttpResponse.BodySubscriber<T> delegate, GovernedCall call) {
            this.delegate = delegate;
            this.call = call;
        }

        @Override
        public CompletionStage<T> getBody() {
            return delegate.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            delegate.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    call.onCancel();
                    subscription.cancel();
                }
            });
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (int i = 0, n = items.size(); i < n; i++) call.onBody(items.get(i));
            delegate.onNext(items);
        }

        @Override
        public void onError(Throwable throwable) {
            call.onError(throwable);
            delegate.onError(throwable);
        }

        @Override
        public void onComplete() {
            call.onComplete();
            delegate.onComplete();
        }
    }
}
