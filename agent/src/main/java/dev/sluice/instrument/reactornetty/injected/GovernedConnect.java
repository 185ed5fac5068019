package dev.sluice.instrument.reactornetty.injected;

import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Refusals;
import io.netty.handler.codec.http.HttpHeaders;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.context.Context;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;

/**
 * One governed subscription to Reactor Netty's {@code Mono<Connection>}: the application's subscriber gets this as
 * its {@code Subscription} at once; the call waits for admission holding no thread (a cancel leaves the waiting
 * room); once admitted, the original Mono is subscribed with this as its subscriber, which passes every signal on and
 * watches the response: its status and headers when it is emitted, its body through a {@link BodyWatcher}. A refusal
 * is the application's {@code onError}.
 */
public final class GovernedConnect implements CoreSubscriber<Connection>, Subscription,
        BiConsumer<GovernedCall, Throwable> {
    /** Marks a cancelled subscription (before or after the upstream one arrived). */
    private static final Subscription CANCELLED = Operators.cancelledSubscription();
    private static final AtomicReferenceFieldUpdater<GovernedConnect, Subscription> UPSTREAM =
            AtomicReferenceFieldUpdater.newUpdater(GovernedConnect.class, Subscription.class, "upstream");

    private final Mono<Connection> source;
    private final CoreSubscriber<? super Connection> actual;
    private final GovernedCall governed;
    private volatile Subscription upstream;
    private volatile boolean requested;
    private volatile boolean responded;
    private volatile CompletableFuture<GovernedCall> admission;

    GovernedConnect(Mono<Connection> source, CoreSubscriber<? super Connection> actual, GovernedCall governed) {
        this.source = source;
        this.actual = actual;
        this.governed = governed;
    }

    /** Hands the subscriber its Subscription, then waits for admission. */
    void start() {
        actual.onSubscribe(this);
        CompletableFuture<GovernedCall> f;
        try {
            f = governed.admitAsync();
        } catch (Throwable t) { // admitAsync fails open itself; this is the last resort
            Faults.record(governed.endpoint(), "reactor-netty admission", t);
            f = CompletableFuture.completedFuture(governed);
        }
        admission = f;
        if (upstream == CANCELLED) f.cancel(false); // cancelled before the future existed
        f.whenComplete(this);
    }

    /** Admission ended: admitted (subscribe the real Mono) or refused (the subscriber's onError). */
    @Override
    public void accept(GovernedCall admitted, Throwable refused) {
        if (upstream == CANCELLED) {
            if (refused == null) governed.onCancel(); // admitted just as the application cancelled
            return;
        }
        if (refused != null) {
            Throwable t = Refusals.unwrap(refused);
            if (t instanceof java.util.concurrent.CancellationException) return;
            actual.onError(t);
            return;
        }
        try {
            source.subscribe(this); // MonoHttpConnect.subscribe(CoreSubscriber): the advice lets this one through
        } catch (Throwable t) {
            governed.onError(t);
            actual.onError(t);
        }
    }

    @Override
    public Context currentContext() {
        // Reactor Netty reads the subscriber's context (observations, the app's keys); the call rides along in it, so
        // the connection's operations lead to it when the request is written (ReactorNettyCalls.requestPrepared).
        return actual.currentContext().put(ReactorNettyCalls.CALL_KEY, governed);
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (!UPSTREAM.compareAndSet(this, null, s)) {
            s.cancel(); // cancelled meanwhile: the permit went back with the cancel
            return;
        }
        if (requested) s.request(Long.MAX_VALUE); // a Mono: any demand is all of it
    }

    @Override
    public void request(long n) {
        requested = true;
        Subscription s = upstream;
        if (s != null && s != CANCELLED) s.request(n);
    }

    @Override
    public void cancel() {
        Subscription s = UPSTREAM.getAndSet(this, CANCELLED);
        if (s == CANCELLED) return;
        if (s != null) s.cancel();
        CompletableFuture<GovernedCall> f = admission;
        if (f != null && !f.isDone()) f.cancel(false); // still waiting: leave the waiting room
        // Before the response the call is over; after it, the body's end decides (BodyWatcher).
        if (!responded) governed.onCancel();
    }

    @Override
    public void onNext(Connection connection) {
        responded = true;
        try {
            if (connection instanceof HttpClientResponse) {
                HttpClientResponse response = (HttpClientResponse) connection;
                HttpHeaders headers = response.responseHeaders();
                governed.onResponse(response.status().code(), headers::get, headers.get("content-type"));
                BodyWatcher.watch(connection, governed);
            } else {
                governed.onCancel();
            }
        } catch (Throwable t) {
            Faults.record(governed.endpoint(), "reactor-netty response", t);
            governed.onCancel();
        }
        actual.onNext(connection);
    }

    @Override
    public void onError(Throwable t) {
        if (!responded) governed.onError(t); // connect failure, reset, response timeout: the breaker's business
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        if (!responded) governed.onCancel(); // completed empty: nothing will come
        actual.onComplete();
    }
}
