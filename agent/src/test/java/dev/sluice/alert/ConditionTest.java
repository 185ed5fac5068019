package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.RefusalReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConditionTest {
    private static Figures figures() {
        Figures f = new Figures();
        f.queueDepth = 120;
        f.queueCapacity = 200;
        f.inFlight = 12;
        f.utilization = 0.92;
        f.congested = true;
        f.breaker = BreakerState.OPEN;
        f.avgWaitNanos = 11_000_000_000.0;
        f.maxWaitNanos = 20_000_000_000L;
        f.rejectRate = 6;
        f.rejectRateByReason[RefusalReason.SHED.ordinal()] = 4;
        f.upstream429Rate = 0.5;
        return f;
    }

    private static boolean eval(String text) {
        return Condition.parse(text).test(figures());
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Condition.parse(text)).getMessage();
    }

    @Test
    void theSeedsExamplesAndTheBriefsExamples() {
        assertTrue(eval("queue.depth > 100"));
        assertFalse(eval("queue.depth > 120"));
        assertTrue(eval("queue.depth >= 120"));
        assertTrue(eval("wait.avg > 10s"));
        assertFalse(eval("wait.avg > 11s"));
        assertTrue(eval("wait.avg > 10500ms"));
        assertTrue(eval("reject.rate > 5/s"));
        assertTrue(eval("reject.rate > 300/m"));
        assertFalse(eval("reject.rate > 360/min"));
        assertTrue(eval("breaker = open"));
        assertFalse(eval("breaker != open"));
        assertFalse(eval("breaker = half-open"));
        assertTrue(eval("utilization >= 0.9"));
        assertTrue(eval("utilization >= 90%"));
        assertFalse(eval("utilization >= 95%"));
        assertFalse(eval("upstream429.rate > 1/s"));
        assertTrue(eval("congested = true"));
        assertTrue(eval("inflight > 10"));
        assertTrue(eval("queue.fill > 0.5"));
        assertTrue(eval("reject.shed.rate >= 4/s"));
        assertTrue(eval("wait.max > 15s"));
    }

    @Test
    void spacingCaseAndJoins() {
        assertTrue(eval("queue.depth>100"));
        assertTrue(eval("  Queue.Depth  >  100  "));
        assertTrue(eval("breaker == OPEN"));
        assertTrue(eval("queue.depth > 100 and congested = true"));
        assertFalse(eval("queue.depth > 100 and congested = false"));
        assertTrue(eval("queue.depth > 500 or wait.avg > 10s"));
        assertTrue(eval("queue.depth > 500 and inflight > 1 or breaker = open"), "and binds tighter than or");
        assertTrue(eval("queue.depth > 100 && inflight > 1"));
        assertTrue(eval("queue.depth > 500 || inflight > 1"));
    }

    @Test
    void unlimitedBucketsNeverCompareBelow() {
        Figures f = figures();
        f.availableRequests = -1;
        assertFalse(Condition.parse("available.requests < 10").test(f));
        f.availableRequests = 3;
        assertTrue(Condition.parse("available.requests < 10").test(f));
    }

    @Test
    void mistakesAreNamedWithWhatWouldFit() {
        assertTrue(error("").contains("empty"));
        String unknown = error("queue.dept > 100");
        assertTrue(unknown.contains("unknown figure 'queue.dept'") && unknown.contains("did you mean queue.depth"), unknown);
        assertTrue(unknown.contains("wait.avg"), "lists the known figures: " + unknown);
        assertTrue(error("queue.depth").contains("expected a comparison"));
        assertTrue(error("queue.depth >").contains("expected a value"));
        assertTrue(error("queue.depth ~ 3").contains("expected a comparison"));
        assertTrue(error("wait.avg > 10").contains("needs a unit"), error("wait.avg > 10"));
        assertTrue(error("wait.avg > ten").contains("a duration"));
        assertTrue(error("breaker > open").contains("= or != only"));
        assertTrue(error("breaker = opn").contains("closed, open or half-open"));
        assertTrue(error("utilization > 90").contains("0.9 or 90%"), error("utilization > 90"));
        assertTrue(error("reject.rate > 5/x").contains("5/s"));
        assertTrue(error("congested = maybe").contains("true or false"));
        assertTrue(error("queue.depth > 100 and").contains("expected a figure"));
        assertTrue(error("queue.depth > 100 inflight > 3").contains("expected 'and' or 'or'"));
        assertTrue(error("queue.depth ! 100").contains("not an operator"));
    }

    @Test
    void describeShowsTheNamedFiguresWithUnits() {
        assertEquals("wait.avg=11s, queue.depth=120",
                Condition.parse("wait.avg > 10s and queue.depth > 3").describe(figures()));
        assertEquals("utilization=92%, breaker=open, reject.rate=6/s",
                Condition.parse("utilization > 0.5 or breaker = open and reject.rate > 1/s").describe(figures()));
    }
}
