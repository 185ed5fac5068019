package dev.sluice.store;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One pipelined RESP2 connection to Redis: any number of threads send commands on it at once, each waits for its
 * own reply with its own timeout, and a reader thread hands replies back in order. Just what a quota store needs
 * (EVALSHA, EVAL, SCRIPT LOAD, AUTH, SELECT, PING), in a few hundred lines over a socket: no dependency to shade,
 * and every timeout is ours.
 *
 * <p>A caller that gives up (timeout) leaves its place in the queue; its reply, when it comes, goes to the
 * {@code late} handler it named (the store uses it to give back a grant nobody took). A broken connection
 * (EOF, reset, protocol error) fails every waiting call at once and is never used again; the owner opens a new one.
 */
final class RespConnection implements AutoCloseable {
    /** A Redis error reply ({@code -ERR ...}, {@code -NOSCRIPT ...}). */
    static final class ErrorReply {
        final String message;

        ErrorReply(String message) {
            this.message = message;
        }

        boolean isNoScript() {
            return message.startsWith("NOSCRIPT");
        }

        @Override
        public String toString() {
            return message;
        }
    }

    /** A null bulk or array reply. */
    static final Object NIL = new Object() {
        @Override
        public String toString() {
            return "(nil)";
        }
    };

    /** The call waited longer than its timeout. */
    static final class Timeout extends TimeoutException {
        Timeout(String m) {
            super(m);
        }
    }

    /** Bounds what may wait unanswered; beyond it the connection is not healthy, whatever the timeouts say. */
    static final int MAX_PENDING = 10_000;

    private static final class Pending {
        static final AtomicIntegerFieldUpdater<Pending> STATE = AtomicIntegerFieldUpdater.newUpdater(Pending.class, "state");
        static final int WAITING = 0;
        static final int DONE = 1;
        static final int ABANDONED = 2;

        final Thread waiter;
        /** Async sends: gets every reply. Blocking calls: gets the reply only if the caller gave up. */
        final Consumer<Object> handler;
        volatile Object reply;
        volatile int state;

        Pending(Thread waiter, Consumer<Object> handler) {
            this.waiter = waiter;
            this.handler = handler;
        }

        void complete(Object r) {
            reply = r;
            if (STATE.compareAndSet(this, WAITING, DONE)) {
                if (waiter != null) LockSupport.unpark(waiter);
                else if (handler != null) handler.accept(r);
            } else if (handler != null) {
                handler.accept(r); // the caller gave up: the late reply goes to its handler
            }
        }

        boolean abandon() {
            return STATE.compareAndSet(this, WAITING, ABANDONED);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Consumer<Throwable> onBroken;
    private final AtomicReference<Throwable> broken = new AtomicReference<>();
    private final byte[] line = new byte[64];

    private RespConnection(Socket socket, String readerName, Consumer<Throwable> onBroken) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        this.in = new BufferedInputStream(socket.getInputStream(), 16384);
        this.onBroken = onBroken;
        Thread reader = new Thread(this::readLoop, readerName);
        reader.setDaemon(true);
        reader.setContextClassLoader(null);
        reader.start();
    }

    /**
     * Connects (TLS for rediss://, with host name verification), then AUTH and SELECT as the target says. Every
     * step, the TLS handshake included, must finish within {@code setupTimeoutNanos}.
     *
     * @param onBroken told once, on the reader thread, when the connection breaks (not when it is closed)
     */
    static RespConnection open(RedisTarget target, long setupTimeoutNanos, String readerName,
                               Consumer<Throwable> onBroken) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, setupTimeoutNanos / 1_000_000L));
        Socket s = new Socket();
        RespConnection c = null;
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(target.host, target.port), millis);
            if (target.tls) s = startTls(s, target, millis);
            c = new RespConnection(s, readerName, onBroken);
            if (target.password != null) {
                Object r = target.user == null ? c.callOrThrow(setupTimeoutNanos, "AUTH", target.password)
                        : c.callOrThrow(setupTimeoutNanos, "AUTH", target.user, target.password);
                if (r instanceof ErrorReply) {
                    throw new IOException("AUTH refused (password from " + target.passwordSource + "): " + r);
                }
            }
            if (target.database != 0) {
                Object r = c.callOrThrow(setupTimeoutNanos, "SELECT", String.valueOf(target.database));
                if (r instanceof ErrorReply) throw new IOException("SELECT " + target.database + " refused: " + r);
            }
            return c;
        } catch (IOException | RuntimeException e) {
            if (c != null) c.close();
            else closeQuietly(s);
            throw e;
        }
    }

    private static Socket startTls(Socket plain, RedisTarget target, int millis) throws IOException {
        SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
        SSLSocket ssl = (SSLSocket) f.createSocket(plain, target.host, target.port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.setSoTimeout(millis);
        ssl.startHandshake();
        ssl.setSoTimeout(0);
        return ssl;
    }

    /** {@link #call}, with a timeout turned into an IOException (for set-up steps). */
    Object callOrThrow(long timeoutNanos, Object... args) throws IOException {
        try {
            return call(timeoutNanos, null, args);
        } catch (Timeout t) {
            throw new IOException("no reply to " + args[0] + " within " + timeoutNanos / 1_000_000L + " ms");
        }
    }

    /**
     * Sends a command and waits at most {@code timeoutNanos} for its reply: a String, Long, List, {@link #NIL} or
     * {@link ErrorReply}. Never blocks on the socket longer than a write takes.
     *
     * @param late gets the reply if it comes after the timeout (may be null)
     * @throws Timeout    when the reply did not come in time (the connection stays usable)
     * @throws IOException when the connection is or becomes broken
     */
    Object call(long timeoutNanos, Consumer<Object> late, Object... args) throws IOException, Timeout {
        Pending p = new Pending(Thread.currentThread(), late);
        write(p, args);
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            for (;;) {
                Object r = p.reply;
                if (r != null && p.state == Pending.DONE) return unwrap(r);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (p.abandon()) throw new Timeout("no reply within " + timeoutNanos / 1000 + " us");
                    continue; // answered just now
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) interrupted = true; // keep waiting (bounded): the flag is restored below
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Sends a command without waiting; {@code handler} gets the reply (or the IOException) on the reader thread. */
    void send(Consumer<Object> handler, Object... args) throws IOException {
        write(new Pending(null, handler), args);
    }

    private static Object unwrap(Object r) throws IOException {
        if (r instanceof IOException) throw (IOException) r;
        if (r instanceof Throwable) throw new IOException((Throwable) r);
        return r;
    }

    private void write(Pending p, Object[] args) throws IOException {
        writeLock.lock();
        try {
            Throwable b = broken.get();
            if (b != null || closed.get()) throw new IOException("connection closed", b);
            if (pendingCount.get() >= MAX_PENDING) throw new IOException(MAX_PENDING + " replies outstanding");
            encode(args);
            pendingCount.incrementAndGet();
            pending.add(p);
            out.flush();
        } catch (IOException e) {
            fail(e);
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    private void encode(Object[] args) throws IOException {
        out.write('*');
        writeNumber(args.length);
        for (Object a : args) {
            byte[] b = a instanceof byte[] ? (byte[]) a : String.valueOf(a).getBytes(StandardCharsets.UTF_8);
            out.write('$');
            writeNumber(b.length);
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
    }

    private void writeNumber(long n) throws IOException {
        String s = Long.toString(n);
        for (int i = 0; i < s.length(); i++) out.write(s.charAt(i));
        out.write('\r');
        out.write('\n');
    }

    /** Replies not yet come. */
    int outstanding() {
        return pendingCount.get();
    }

    boolean isBroken() {
        return broken.get() != null || closed.get();
    }

    // ------------------------------------------------------------------------------------------------ reader

    private void readLoop() {
        try {
            for (;;) {
                Object r = readReply();
                Pending p = pending.poll();
                if (p == null) throw new IOException("a reply nobody asked for");
                pendingCount.decrementAndGet();
                try {
                    p.complete(r);
                } catch (Throwable t) {
                    // a handler's fault must not kill the reader
                }
            }
        } catch (Throwable t) {
            fail(t);
        }
    }

    private Object readReply() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("connection closed by Redis");
        switch (type) {
            case '+':
                return readLine();
            case '-':
                return new ErrorReply(readLine());
            case ':':
                return parseLong(readLine());
            case '$': {
                int len = (int) parseLong(readLine());
                if (len < 0) return NIL;
                byte[] b = in.readNBytes(len);
                if (b.length < len || in.read() != '\r' || in.read() != '\n') throw new EOFException("short bulk reply");
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = (int) parseLong(readLine());
                if (n < 0) return NIL;
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) list.add(readReply());
                return list;
            }
            default:
                throw new IOException("not a RESP reply (type byte " + type + ")");
        }
    }

    private String readLine() throws IOException {
        byte[] buf = line;
        int n = 0;
        StringBuilder longer = null;
        for (;;) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed by Redis");
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("bad line end in a reply");
                String head = new String(buf, 0, n, StandardCharsets.UTF_8);
                return longer == null ? head : longer.append(head).toString();
            }
            if (n == buf.length) {
                if (longer == null) longer = new StringBuilder();
                longer.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                n = 0;
            }
            buf[n++] = (byte) c;
        }
    }

    private static long parseLong(String s) throws IOException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("not a number in a reply: " + s);
        }
    }

    // ------------------------------------------------------------------------------------------------ end

    private void fail(Throwable t) {
        boolean first = broken.compareAndSet(null, t) && !closed.get();
        closeQuietly(socket);
        IOException e = t instanceof IOException ? (IOException) t : new IOException(t);
        Pending p;
        while ((p = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            try {
                p.complete(e);
            } catch (Throwable ignored) {
                // handlers must not stop the drain
            }
        }
        if (first && onBroken != null) {
            try {
                onBroken.accept(t);
            } catch (Throwable ignored) {
                // the owner's problem
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        fail(new IOException("connection closed"));
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
