package dev.sluice.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * CLOSED / OPEN / HALF_OPEN, the current state in one {@link AtomicReference} (as Resilience4j's
 * CircuitBreakerStateMachine): each state is an object, a transition swaps it by CAS, and only the thread whose
 * CAS wins reports the transition, so the listener sees each change exactly once.
 *
 * <ul>
 *   <li>CLOSED: calls pass. Opens after {@code breakerFailures} consecutive failures, or, when
 *       {@code breakerFailureRatePercent > 0}, once the last {@code breakerWindow} results (the window full) hold
 *       at least that percentage of failures.</li>
 *   <li>OPEN: calls are refused for {@code breakerOpenNanos}; the first call after that moves it to
 *       HALF_OPEN.</li>
 *   <li>HALF_OPEN: {@code breakerHalfOpenCalls} probe calls pass; when that many probes have succeeded it closes,
 *       a probe failure reopens it. Other calls are refused meanwhile.</li>
 * </ul>
 * Failures: {@link Permit#IO_ERROR} and 5xx (529 included). Other statuses (2xx, 3xx, 4xx, 429: the upstream is
 * answering) are successes. {@link Permit#CANCELLED} is neither; a cancelled probe gives its probe slot back.
 *
 * <p>Each admitted call holds a <em>ticket</em>: the state object that let it through. A result is only counted
 * against the state that admitted the call, so a slow call admitted while CLOSED cannot close or reopen a later
 * HALF_OPEN breaker, and a call admitted before a manual reset cannot trip the fresh one.
 */
public final class CircuitBreaker {

    /** Told of every state change, once, by the thread that made it. */
    @FunctionalInterface
    public interface Transitions {
        void onTransition(BreakerState from, BreakerState to);
    }

    private abstract static class State {
        abstract BreakerState kind();
    }

    private static final class Closed extends State {
        final AtomicInteger consecutive = new AtomicInteger();
        final int window;
        final AtomicIntegerArray ring;
        final AtomicLong calls = new AtomicLong();
        final AtomicInteger failuresInWindow = new AtomicInteger();

        Closed(int window, boolean rateOn) {
            this.window = window;
            this.ring = rateOn ? new AtomicIntegerArray(window) : null;
        }

        @Override
        BreakerState kind() {
            return BreakerState.CLOSED;
        }
    }

    private static final class Open extends State {
        final long until;

        Open(long until) {
            this.until = until;
        }

        @Override
        BreakerState kind() {
            return BreakerState.OPEN;
        }
    }

    private static final class HalfOpen extends State {
        final AtomicInteger probesLeft;
        final AtomicInteger successes = new AtomicInteger();
        final int needed;

        HalfOpen(int probes) {
            this.probesLeft = new AtomicInteger(probes);
            this.needed = probes;
        }

        @Override
        BreakerState kind() {
            return BreakerState.HALF_OPEN;
        }
    }

    private final NanoClock clock;
    private final AtomicReference<State> state;
    private volatile GateLimits limits;
    private volatile Transitions transitions;

    public CircuitBreaker(GateLimits limits, NanoClock clock) {
        this.clock = clock == null ? NanoClock.SYSTEM : clock;
        this.limits = limits;
        this.state = new AtomicReference<>(closed(limits));
    }

    private static Closed closed(GateLimits l) {
        return new Closed(l.breakerWindow(), l.breakerFailureRatePercent() > 0);
    }

    public void setTransitions(Transitions t) {
        this.transitions = t;
    }

    /** New thresholds; a CLOSED breaker whose window size or rate setting changed starts a fresh window. */
    public void setLimits(GateLimits l) {
        this.limits = l;
        State s = state.get();
        if (s instanceof Closed) {
            Closed c = (Closed) s;
            boolean rateOn = l.breakerFailureRatePercent() > 0;
            if (c.window != l.breakerWindow() || (c.ring != null) != rateOn) state.compareAndSet(s, closed(l));
        }
    }

    /** The state now (an expired OPEN becomes HALF_OPEN on this read). */
    public BreakerState state() {
        return current(clock.nanoTime()).kind();
    }

    private State current(long now) {
        for (;;) {
            State s = state.get();
            if (!(s instanceof Open) || now - ((Open) s).until < 0) return s;
            HalfOpen h = new HalfOpen(limits.breakerHalfOpenCalls());
            if (state.compareAndSet(s, h)) {
                fire(BreakerState.OPEN, BreakerState.HALF_OPEN);
                return h;
            }
        }
    }

    /**
     * Would a call be let through now? -1 if yes; otherwise the nanoseconds until it might be (the rest of the
     * open period; 0 when HALF_OPEN with every probe taken). Takes nothing.
     */
    public long refusalNanos(long now) {
        State s = current(now);
        if (s instanceof Closed) return -1;
        if (s instanceof Open) return Math.max(1, ((Open) s).until - now);
        return ((HalfOpen) s).probesLeft.get() > 0 ? -1 : 0;
    }

    /** Permission for one call: its ticket, or null when refused. In HALF_OPEN this takes a probe slot. */
    public Object tryAcquire(long now) {
        State s = current(now);
        if (s instanceof Closed) return s;
        if (s instanceof HalfOpen) {
            AtomicInteger left = ((HalfOpen) s).probesLeft;
            for (;;) {
                int n = left.get();
                if (n <= 0) return null;
                if (left.compareAndSet(n, n - 1)) return s;
            }
        }
        return null;
    }

    /** The call holding {@code ticket} did not happen (or was abandoned): a probe slot goes back. */
    public void release(Object ticket) {
        if (ticket instanceof HalfOpen && state.get() == ticket) ((HalfOpen) ticket).probesLeft.incrementAndGet();
    }

    public static boolean isFailure(int status) {
        return status == Permit.IO_ERROR || (status >= 500 && status <= 599);
    }

    /**
     * Records the result of a call admitted with {@code ticket}. Results of calls admitted under an earlier state
     * are ignored. @return true when the status counts as a failure.
     */
    public boolean onResult(Object ticket, int status) {
        boolean failure = isFailure(status);
        if (status == Permit.CANCELLED) {
            release(ticket);
            return false;
        }
        if (ticket == null || state.get() != ticket) return failure;
        GateLimits l = limits;
        if (ticket instanceof Closed) {
            Closed c = (Closed) ticket;
            boolean trip;
            if (failure) {
                trip = c.consecutive.incrementAndGet() >= l.breakerFailures();
            } else {
                // Read before writing: a success in a row of successes leaves the shared line unwritten.
                if (c.consecutive.get() != 0) c.consecutive.set(0);
                trip = false;
            }
            if (c.ring != null) {
                long i = c.calls.getAndIncrement();
                int v = failure ? 1 : 0;
                int old = c.ring.getAndSet((int) (i % c.window), v);
                int f = c.failuresInWindow.addAndGet(v - old);
                int pct = l.breakerFailureRatePercent();
                if (pct > 0 && i + 1 >= c.window && (long) f * 100 >= (long) pct * c.window) trip = true;
            }
            if (trip) moveTo(c, new Open(clock.nanoTime() + l.breakerOpenNanos()));
        } else if (ticket instanceof HalfOpen) {
            HalfOpen h = (HalfOpen) ticket;
            if (failure) {
                moveTo(h, new Open(clock.nanoTime() + l.breakerOpenNanos()));
            } else if (h.successes.incrementAndGet() >= h.needed) {
                moveTo(h, closed(l));
            }
        }
        return failure;
    }

    private void moveTo(State from, State to) {
        if (state.compareAndSet(from, to)) fire(from.kind(), to.kind());
    }

    /** Opens now, for the configured open period (re-arms the period if already open). */
    public void open() {
        State next = new Open(clock.nanoTime() + limits.breakerOpenNanos());
        State prev = state.getAndSet(next);
        if (prev.kind() != BreakerState.OPEN) fire(prev.kind(), BreakerState.OPEN);
    }

    /** Closes now with fresh counters. */
    public void reset() {
        State prev = state.getAndSet(closed(limits));
        if (prev.kind() != BreakerState.CLOSED) fire(prev.kind(), BreakerState.CLOSED);
    }

    /** Time until an OPEN breaker allows probes; 0 otherwise. */
    public long openNanosLeft(long now) {
        State s = state.get();
        return s instanceof Open ? Math.max(0, ((Open) s).until - now) : 0;
    }

    private void fire(BreakerState from, BreakerState to) {
        Transitions t = transitions;
        if (t != null) t.onTransition(from, to);
    }
}
