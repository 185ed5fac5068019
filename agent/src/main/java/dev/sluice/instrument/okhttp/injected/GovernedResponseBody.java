package dev.sluice.instrument.okhttp.injected;

import dev.sluice.client.GovernedCall;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.Okio;

/** The response body the application gets: the original one, read through a {@link GovernedSource}. */
final class GovernedResponseBody extends ResponseBody {
    private final ResponseBody delegate;
    private final GovernedCall call;
    private BufferedSource source;

    GovernedResponseBody(ResponseBody delegate, GovernedCall call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public MediaType contentType() {
        return delegate.contentType();
    }

    @Override
    public long contentLength() {
        return delegate.contentLength();
    }

    @Override
    public synchronized BufferedSource source() {
        if (source == null) source = Okio.buffer(new GovernedSource(delegate.source(), call));
        return source;
    }
}
