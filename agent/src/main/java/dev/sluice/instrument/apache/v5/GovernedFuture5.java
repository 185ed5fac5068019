package dev.sluice.instrument.apache.v5;

import dev.sluice.client.GovernedCall;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Future an async execute returns while its call waits for admission: it completes through the
 * application's callback, fails with the refusal, and a cancel reaches the waiting room or the real call.
 * (Helper classes are top-level: a nested class's nest host would be looked for outside the helper loader.)
 */
final class GovernedFuture5 extends BasicFuture<Object> {
    private final CompletableFuture<GovernedCall> admission;
    private final AtomicReference<Future<?>> real;

    @SuppressWarnings({"unchecked", "rawtypes"})
    GovernedFuture5(FutureCallback callback, CompletableFuture<GovernedCall> admission,
                    AtomicReference<Future<?>> real) {
        super(callback);
        this.admission = admission;
        this.real = real;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            admission.cancel(false);
            Future<?> f = real.get();
            if (f != null) f.cancel(mayInterruptIfRunning);
        }
        return cancelled;
    }
}
