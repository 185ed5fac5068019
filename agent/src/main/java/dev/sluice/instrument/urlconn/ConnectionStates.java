package dev.sluice.instrument.urlconn;

import dev.sluice.client.GovernedCall;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-connection state, keyed weakly by the connection object's identity. The agent may not add a field to the
 * JDK's class ({@code disableClassFormatChanges}: retransformation cannot change a class's shape), so the tie
 * between the call admitted at one method and the response seen at another lives here.
 *
 * Nothing leaks: the state is removed when its connection is disconnected, and a connection the application
 * drops without reading or disconnecting is collected (nothing here holds it strongly); its entry is then
 * expunged on the next access and its call handed back as cancelled. The gate's lease is the last resort.
 * The values must never reference the connection, or it could never be collected.
 */
final class ConnectionStates<S extends ConnectionStates.Entry> {
    /** What a value must offer: the call to hand back when its connection is collected unfinished (null: none). */
    interface Entry {
        GovernedCall call();
    }

    private final ConcurrentHashMap<Key, S> map = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();

    S get(Object connection) {
        if (map.isEmpty()) return null;
        return map.get(new Key(connection, null));
    }

    void put(Object connection, S state) {
        expunge();
        map.put(new Key(connection, queue), state);
    }

    S remove(Object connection) {
        expunge();
        if (map.isEmpty()) return null;
        return map.remove(new Key(connection, null));
    }

    int size() {
        return map.size();
    }

    void expunge() {
        for (Reference<?> r; (r = queue.poll()) != null; ) {
            S s = map.remove(r);
            if (s != null && s.call() != null) s.call().onCancel(); // a refused connection has no call
        }
    }

    /** Weak identity key; a lookup key (no queue) equals the stored key of the same live referent. */
    static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> q) {
            super(referent, q);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Key)) return false;
            Object mine = get();
            return mine != null && mine == ((Key) o).get();
        }
    }
}
