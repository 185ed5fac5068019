package dev.sluice.instrument.apache.v5;

import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Refusals;
import dev.sluice.client.SyntheticResponse;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.function.BiConsumer;

/**
 * What happens when a governed async attempt's admission completes (on whatever thread admitted it; none waited):
 * a refusal goes to the chain's callback, which reaches the application's FutureCallback.failed and its Future;
 * an admission runs the attempt that was skipped, re-entering the handler with the re-entry guard set.
 */
final class AsyncAdmission5 implements BiConsumer<GovernedCall, Throwable> {
    private final GovernedCall call;
    private final AsyncExecChainHandler handler;
    private final HttpRequest request;
    private final AsyncEntityProducer producer;
    private final AsyncExecChain.Scope scope;
    private final AsyncExecChain chain;
    private final AsyncExecCallback callback;

    AsyncAdmission5(GovernedCall call, AsyncExecChainHandler handler, HttpRequest request, AsyncEntityProducer producer,
                    AsyncExecChain.Scope scope, AsyncExecChain chain, AsyncExecCallback callback) {
        this.call = call;
        this.handler = handler;
        this.request = request;
        this.producer = producer;
        this.scope = scope;
        this.chain = chain;
        this.callback = callback;
    }

    @Override
    public void accept(GovernedCall admitted, Throwable refused) {
        if (refused != null) {
            SyntheticResponse answer = call.answerFor(refused);
            if (answer != null && answer(answer)) return;
            Throwable cause = Refusals.unwrap(refused);
            callback.failed(cause instanceof Exception ? (Exception) cause : new IOException(cause));
            return;
        }
        if (scope.cancellableDependency != null && scope.cancellableDependency.isCancelled()) {
            call.onCancel(); // the application gave up while the call was being admitted
            callback.failed(new CancellationException("cancelled while waiting for admission"));
            return;
        }
        boolean[] inner = Apache5Helper.INNER.get();
        inner[0] = true;
        try {
            handler.execute(request, producer, scope, chain, new GovernedExecCallback5(callback, call));
        } catch (Throwable t) {
            call.onError(t);
            callback.failed(t instanceof Exception ? (Exception) t : new IOException(t));
        } finally {
            inner[0] = false;
        }
    }

    /**
     * {@code reject=http}: the synthetic response goes up the chain as the provider's would (Apache's async retry
     * step sees a 429/503 with Retry-After). False when it could not be delivered before the callback saw
     * anything, so the refusal is reported as an exception instead.
     */
    private boolean answer(SyntheticResponse answer) {
        BasicHttpResponse response = new BasicHttpResponse(answer.status(), answer.statusText());
        for (int i = 0; i < answer.headerCount(); i++) response.addHeader(answer.headerName(i), answer.headerValue(i));
        byte[] body = answer.body();
        AsyncDataConsumer consumer;
        try {
            consumer = callback.handleResponse(response, new BasicEntityDetails(body.length, ContentType.APPLICATION_JSON));
        } catch (Exception e) {
            Faults.record(null, "apache5 async synthetic answer", e);
            return false;
        }
        try {
            if (consumer != null) {
                consumer.consume(ByteBuffer.wrap(body));
                consumer.streamEnd(null);
            }
            callback.completed();
        } catch (Exception e) {
            callback.failed(e);
        }
        return true;
    }
}
