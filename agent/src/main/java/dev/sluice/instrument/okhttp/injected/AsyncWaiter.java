package dev.sluice.instrument.okhttp.injected;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Refusals;
import dev.sluice.client.SyntheticResponse;
import okhttp3.Call;
import okhttp3.Callback;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * An enqueued call waiting for admission without any thread: when the gate admits it, it is enqueued for real
 * (OkHttp's dispatcher runs it as usual); when the gate refuses it, or the application cancels it, the
 * application's {@code Callback.onFailure} is called on OkHttp's dispatcher executor, as OkHttp calls it.
 */
final class AsyncWaiter extends Waiter implements BiConsumer<GovernedCall, Throwable> {
    private static final int WAITING = 0;
    private static final int SETTLED = 1;
    private static final int CANCELLED = 2;

    private final Call call;
    private final Callback callback;
    private final GovernedCall governed;
    private final Executor executor;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private volatile CompletableFuture<GovernedCall> admission;
    /** When the application enqueued the call: its timeout counts from here. */
    private volatile long startedAt;

    AsyncWaiter(Call call, Callback callback, GovernedCall governed, Executor executor) {
        this.call = call;
        this.callback = callback;
        this.governed = governed;
        this.executor = executor;
    }

    void start() {
        long t0 = System.nanoTime();
        startedAt = t0;
        CompletableFuture<GovernedCall> f = governed.admitAsync(OkHttpCalls.deadline(call, t0));
        admission = f;
        if (state.get() == CANCELLED) f.cancel(false); // cancelled before the future existed
        f.whenComplete(this);
    }

    @Override
    void cancel() {
        if (!state.compareAndSet(WAITING, CANCELLED)) return;
        CompletableFuture<GovernedCall> f = admission;
        if (f != null) f.cancel(false);
        fail(new IOException("Canceled"));
    }

    /** Admission ended: admitted (enqueue for real) or refused (the application's onFailure). */
    @Override
    public void accept(GovernedCall admitted, Throwable refused) {
        if (!state.compareAndSet(WAITING, SETTLED)) {
            if (refused == null) governed.onCancel(); // admitted just as the application cancelled
            return;
        }
        OkHttpCalls.forget(call, this);
        if (refused != null) {
            SyntheticResponse answer = governed.answerFor(refused);
            if (answer != null) answer(answer);
            else fail(asIOException(Refusals.unwrap(refused)));
            return;
        }
        OkHttpCalls.countWait(call, startedAt, governed);
        try {
            call.enqueue(new GovernedCallback(callback, governed));
        } catch (Throwable t) {
            governed.onCancel();
            fail(asIOException(t));
        }
    }

    /** Admitted without waiting: enqueued for real; should that fail, the application's onFailure, as above. */
    static void enqueueAdmitted(Call call, Callback callback, GovernedCall governed, Object client, EndpointRuntime ep) {
        try {
            call.enqueue(new GovernedCallback(callback, governed));
        } catch (Throwable t) {
            governed.onCancel();
            new AsyncWaiter(call, callback, governed, OkHttpCalls.executor(client, ep)).fail(asIOException(t));
        }
    }

    /** reject=http: the application's onResponse gets the synthetic answer, on the dispatcher's executor. */
    private void answer(SyntheticResponse answer) {
        Runnable r = () -> {
            okhttp3.Response response = SyntheticResponses.build(answer, call.request());
            try {
                callback.onResponse(call, response); // the application closes it, as with any response
            } catch (IOException e) {
                // OkHttp's own dispatcher swallows an IOException thrown by onResponse (after logging it)
            }
        };
        try {
            executor.execute(r);
        } catch (RejectedExecutionException shutDown) {
            r.run();
        }
    }

    private void fail(IOException e) {
        Runnable r = () -> callback.onFailure(call, e);
        try {
            executor.execute(r);
        } catch (RejectedExecutionException shutDown) {
            r.run();
        }
    }

    private static IOException asIOException(Throwable t) {
        return t instanceof IOException ? (IOException) t : new IOException(t);
    }
}
