package dev.sluice.instrument.jdkhttp.injected;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * Reads a request body for estimation without consuming it. Only the JDK's in-memory publishers
 * ({@code BodyPublishers.ofString}, {@code ofByteArray}) are read: each subscription replays the same bytes and
 * delivers them synchronously. Any other publisher may be one-shot (a stream, a custom Flow.Publisher), so it
 * is never touched: its content length alone feeds the estimate.
 */
final class RequestBodies {
    /** Larger bodies are estimated from their length alone. */
    static final long MAX_SCAN = 16L * 1024 * 1024;
    private static final String BYTE_ARRAY_PUBLISHER = "jdk.internal.net.http.RequestPublishers$ByteArrayPublisher";

    private RequestBodies() {
    }

    static byte[] replay(HttpRequest.BodyPublisher publisher, long length) {
        if (length <= 0 || length > MAX_SCAN || !replayable(publisher.getClass())) return null;
        Collector c = new Collector((int) length);
        publisher.subscribe(c);
        if (!c.complete) {
            c.cancel();
            return null;
        }
        return c.pos == c.bytes.length ? c.bytes : null;
    }

    /** Per publisher class, computed once: the walk up its superclasses by name showed in a load run's profile. */
    private static final ClassValue<Boolean> REPLAYABLE = new Replayable();

    /** Named, not anonymous: it is injected by name with the other helpers. */
    private static final class Replayable extends ClassValue<Boolean> {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals(BYTE_ARRAY_PUBLISHER)) return Boolean.TRUE;
            }
            return Boolean.FALSE;
        }
    }

    private static boolean replayable(Class<?> type) {
        return REPLAYABLE.get(type);
    }

    private static final class Collector implements Flow.Subscriber<ByteBuffer> {
        final byte[] bytes;
        int pos;
        boolean complete;
        private Flow.Subscription subscription;

        Collector(int length) {
            bytes = new byte[length];
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer item) {
            int n = Math.min(item.remaining(), bytes.length - pos);
            item.get(bytes, pos, n);
            pos += n;
        }

        @Override
        public void onError(Throwable t) {
            complete = false;
        }

        @Override
        public void onComplete() {
            complete = true;
        }

        void cancel() {
            if (subscription != null) subscription.cancel();
        }
    }
}
