package dev.sluice.instrument.okhttp.injected;

import dev.sluice.client.GovernedCall;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;

import java.io.IOException;

/**
 * The callback an admitted async call is really enqueued with: it hands the application the response with its body
 * watched, and a failure after admission hands the permit back. Its type also marks Sluice's own enqueue, so the
 * advice does not govern that call a second time.
 */
public final class GovernedCallback implements Callback {
    private final Callback delegate;
    private final GovernedCall call;

    GovernedCallback(Callback delegate, GovernedCall call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public void onFailure(Call c, IOException e) {
        OkHttpCalls.failed(call, c, e);
        delegate.onFailure(c, e);
    }

    @Override
    public void onResponse(Call c, Response response) throws IOException {
        Response watched = OkHttpCalls.observe(call, response);
        try {
            delegate.onResponse(c, watched);
        } catch (IOException | RuntimeException | Error e) {
            call.onCancel(); // OkHttp will not close a response whose callback threw; nobody else will either
            throw e;
        }
    }
}
