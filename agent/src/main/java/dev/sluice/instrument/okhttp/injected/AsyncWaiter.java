package dev.sluice.instrument.okhttp.injected;

import dev.sluice.client.GovernedCall;
import dev.sluice.client.Refusals;
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

    AsyncWaiter(Call call, Callback callback, GovernedCall governed, Executor executor) {
        this.call = call;
        this.callback = callback;
        this.governed = governed;
        this.executor = executor;
    }

    void start() {
        CompletableFuture<GovernedCall> f = governed.admitAsync();
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
            fail(asIOException(Refusals.unwrap(refused)));
            return;
        }
        try {
            call.enqueue(new GovernedCallback(callback, governed));
        } catch (Throwable t) {
            governed.onCancel();
            fail(asIOException(t));
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
