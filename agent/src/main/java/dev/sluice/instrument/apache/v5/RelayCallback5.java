package dev.sluice.instrument.apache.v5;

import dev.sluice.client.GovernedCall;
import org.apache.hc.core5.concurrent.FutureCallback;

/** The callback the real execute reports to: settles the call, then the application's future (and callback). */
final class RelayCallback5 implements FutureCallback<Object> {
    private final GovernedCall call;
    private final GovernedFuture5 result;

    RelayCallback5(GovernedCall call, GovernedFuture5 result) {
        this.call = call;
        this.result = result;
    }

    @Override
    public void completed(Object value) {
        call.onComplete();
        result.completed(value);
    }

    @Override
    public void failed(Exception ex) {
        call.onError(ex);
        result.failed(ex);
    }

    @Override
    public void cancelled() {
        call.onCancel();
        result.cancel();
    }
}
