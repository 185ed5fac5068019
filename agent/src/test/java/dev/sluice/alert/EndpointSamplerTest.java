package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.RefusalReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EndpointSamplerTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void ratesAreIncreaseOverTheWindow() {
        FakeMonitor m = new FakeMonitor();
        EndpointSampler s = new EndpointSampler(10 * S);
        Figures f = s.sample(m, 100, 0, true);
        assertEquals(0, f.enqueueRate());
        // 20 enqueued and 10 admitted per second for 20 s
        for (int t = 1; t <= 20; t++) {
            m.enqueued += 20;
            m.admitted += 10;
            m.refused[RefusalReason.SHED.ordinal()] += 2;
            m.upstream429 += 1;
            f = s.sample(m, 100, t * S, true);
        }
        assertEquals(20, f.enqueueRate(), 1e-9);
        assertEquals(10, f.admitRate(), 1e-9);
        assertEquals(2, f.rejectRate(), 1e-9);
        assertEquals(2, f.rejectRate(RefusalReason.SHED), 1e-9);
        assertEquals(0, f.rejectRate(RefusalReason.QUEUE_FULL), 1e-9);
        assertEquals(1, f.upstream429Rate(), 1e-9);
        assertEquals(10, f.windowSeconds(), 1e-9);
        // the load stops: after one window the rates are 0
        for (int t = 21; t <= 31; t++) f = s.sample(m, 100, t * S, true);
        assertEquals(0, f.enqueueRate(), 1e-9);
    }

    @Test
    void recentWaitIsTheWindowsWaitsAndTotalIsSinceReset() {
        FakeMonitor m = new FakeMonitor();
        EndpointSampler s = new EndpointSampler(10 * S);
        s.sample(m, 100, 0, true);
        m.waited(8 * S); // one long wait early
        Figures f = s.sample(m, 100, S, true);
        assertEquals(8 * S, f.avgWaitNanos(), 1);
        assertEquals(8 * S, f.maxWaitNanos());
        for (int t = 2; t <= 15; t++) {
            m.waited(100 * MS);
            m.waited(300 * MS);
            f = s.sample(m, 100, t * S, true);
        }
        assertEquals(200 * MS, f.avgWaitNanos(), 1, "the early long wait has left the window");
        assertEquals(200 * MS, f.maxWaitNanos(), "lower bound (interval average) when no new record was set");
        assertEquals(8 * S, f.maxWaitTotalNanos);
        assertEquals((8 * S + 28 * 200 * MS) / 29.0, f.avgWaitTotalNanos, 1);
        m.waited(900 * MS);
        m.maxWaitNanos = 8 * S; // not a record
        f = s.sample(m, 100, 16 * S, true);
        assertEquals(900 * MS, f.maxWaitNanos());
    }

    @Test
    void aResetStartsTheWindowAgain() {
        FakeMonitor m = new FakeMonitor();
        EndpointSampler s = new EndpointSampler(10 * S);
        for (int t = 0; t <= 5; t++) {
            m.admitted += 100;
            s.sample(m, 100, t * S, true);
        }
        m.reset();
        Figures f = s.sample(m, 100, 6 * S, true);
        assertEquals(0, f.admitRate());
        m.admitted += 5;
        f = s.sample(m, 100, 7 * S, true);
        assertEquals(5, f.admitRate(), 1e-9);
    }

    @Test
    void polledBreakerAndCongestionChangesAreCounted() {
        FakeMonitor m = new FakeMonitor();
        EndpointSampler s = new EndpointSampler(10 * S);
        m.congested = true; // congested at the first look: not an episode we saw start
        s.sample(m, 100, 0, true);
        m.breaker = BreakerState.OPEN;
        m.congested = false;
        s.sample(m, 100, S, true);
        m.breaker = BreakerState.HALF_OPEN;
        m.congested = true;
        s.sample(m, 100, 2 * S, true);
        m.breaker = BreakerState.CLOSED;
        Figures f = s.sample(m, 100, 3 * S, true);
        assertEquals(3, f.breakerTransitions());
        assertEquals(1, f.congestionEpisodes());
    }
}
