package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    static final long SEC = 1_000_000_000L;
    final ManualClock clock = new ManualClock();
    final List<String> transitions = new ArrayList<>();

    CircuitBreaker breaker(GateLimits.Builder b) {
        CircuitBreaker cb = new CircuitBreaker(b.build(), clock);
        cb.setTransitions((from, to) -> transitions.add(from.label() + ">" + to.label()));
        return cb;
    }

    void results(CircuitBreaker cb, int... statuses) {
        for (int s : statuses) {
            Object t = cb.tryAcquire(clock.nanoTime());
            assertNotNull(t, "permitted");
            cb.onResult(t, s);
        }
    }

    @Test
    void classifiesFailures() {
        assertTrue(CircuitBreaker.isFailure(Permit.IO_ERROR));
        assertTrue(CircuitBreaker.isFailure(500));
        assertTrue(CircuitBreaker.isFailure(503));
        assertTrue(CircuitBreaker.isFailure(529));
        assertFalse(CircuitBreaker.isFailure(429));
        assertFalse(CircuitBreaker.isFailure(400));
        assertFalse(CircuitBreaker.isFailure(200));
        assertFalse(CircuitBreaker.isFailure(Permit.CANCELLED));
    }

    @Test
    void opensAfterConsecutiveFailuresOnly() {
        CircuitBreaker cb = breaker(GateLimits.builder().breakerFailures(3).breakerOpenNanos(10 * SEC));
        results(cb, 500, 500, 200, 500, 500, 429, 404, 500, 500, Permit.CANCELLED);
        assertEquals(BreakerState.CLOSED, cb.state(), "successes (incl. 4xx, 429) reset the run; cancelled is neither");
        results(cb, 529);
        assertEquals(BreakerState.OPEN, cb.state());
        assertEquals(List.of("closed>open"), transitions);
        assertNull(cb.tryAcquire(clock.nanoTime()));
        assertEquals(10 * SEC, cb.refusalNanos(clock.nanoTime()));
        clock.advance(4 * SEC);
        assertEquals(6 * SEC, cb.refusalNanos(clock.nanoTime()));
    }

    @Test
    void halfOpenProbesCloseOrReopen() {
        CircuitBreaker cb = breaker(GateLimits.builder().breakerFailures(1).breakerOpenNanos(SEC).breakerHalfOpenCalls(2));
        results(cb, Permit.IO_ERROR);
        assertEquals(BreakerState.OPEN, cb.state());
        clock.advance(SEC);
        Object p1 = cb.tryAcquire(clock.nanoTime());
        Object p2 = cb.tryAcquire(clock.nanoTime());
        assertNotNull(p1);
        assertNotNull(p2);
        assertNull(cb.tryAcquire(clock.nanoTime()), "only two probes");
        assertEquals(0, cb.refusalNanos(clock.nanoTime()));
        assertEquals(BreakerState.HALF_OPEN, cb.state());
        cb.onResult(p1, 200);
        assertEquals(BreakerState.HALF_OPEN, cb.state(), "one success of two");
        cb.onResult(p2, 502);
        assertEquals(BreakerState.OPEN, cb.state(), "a probe failure reopens");
        clock.advance(SEC);
        Object q1 = cb.tryAcquire(clock.nanoTime());
        Object q2 = cb.tryAcquire(clock.nanoTime());
        cb.onResult(q1, Permit.CANCELLED); // gives the probe slot back
        Object q3 = cb.tryAcquire(clock.nanoTime());
        assertNotNull(q3);
        cb.onResult(q2, 200);
        cb.onResult(q3, 404);
        assertEquals(BreakerState.CLOSED, cb.state());
        assertEquals(List.of("closed>open", "open>half-open", "half-open>open", "open>half-open", "half-open>closed"),
                transitions);
    }

    @Test
    void lateResultsFromAnEarlierStateAreIgnored() {
        CircuitBreaker cb = breaker(GateLimits.builder().breakerFailures(2).breakerOpenNanos(SEC));
        Object slow = cb.tryAcquire(clock.nanoTime()); // admitted while closed, answers much later
        results(cb, 500, 500);
        clock.advance(SEC);
        Object probe = cb.tryAcquire(clock.nanoTime());
        cb.onResult(slow, 500);
        assertEquals(BreakerState.HALF_OPEN, cb.state(), "the closed-era failure does not reopen it");
        cb.onResult(probe, 200);
        assertEquals(BreakerState.CLOSED, cb.state());
    }

    @Test
    void failureRateOverAFullWindow() {
        CircuitBreaker cb = breaker(GateLimits.builder().breakerFailures(100).breakerFailureRatePercent(50)
                .breakerWindow(10));
        // 4 failures in the first 9 calls: window not full yet, nothing happens
        results(cb, 500, 200, 500, 200, 500, 200, 500, 200, 200);
        assertEquals(BreakerState.CLOSED, cb.state());
        results(cb, 200); // window full: 4/10 = 40 %
        assertEquals(BreakerState.CLOSED, cb.state());
        results(cb, 500); // slides out a 500, in a 500: 4/10
        assertEquals(BreakerState.CLOSED, cb.state());
        results(cb, 500); // slides out a 200: 5/10 = 50 %
        assertEquals(BreakerState.OPEN, cb.state());
    }

    @Test
    void manualOpenAndReset() {
        CircuitBreaker cb = breaker(GateLimits.builder().breakerOpenNanos(5 * SEC));
        cb.open();
        assertEquals(BreakerState.OPEN, cb.state());
        assertEquals(5 * SEC, cb.openNanosLeft(clock.nanoTime()));
        cb.reset();
        assertEquals(BreakerState.CLOSED, cb.state());
        cb.reset();
        assertEquals(List.of("closed>open", "open>closed"), transitions, "no event without a change");
    }

    @Test
    void limitsChangeStartsAFreshWindow() {
        CircuitBreaker cb = breaker(GateLimits.builder().breakerFailures(3));
        results(cb, 500, 500);
        cb.setLimits(GateLimits.builder().breakerFailures(3).breakerFailureRatePercent(50).breakerWindow(4).build());
        results(cb, 500, 500);
        assertEquals(BreakerState.CLOSED, cb.state(), "fresh counters");
        results(cb, 500);
        assertEquals(BreakerState.OPEN, cb.state());
    }
}
