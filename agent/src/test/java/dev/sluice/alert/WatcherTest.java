package dev.sluice.alert;

import dev.sluice.config.AlertConfig;
import dev.sluice.core.BreakerState;
import dev.sluice.core.GateLimits;
import dev.sluice.core.GateListener;
import dev.sluice.core.GateMonitor;
import dev.sluice.log.SluiceLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatcherTest {
    private static final long S = 1_000_000_000L;
    private static final long TICK = Watcher.TICK_NANOS;

    private long now;
    private final List<String> events = new ArrayList<>();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private Watcher watcher;

    @BeforeEach
    void setUp() {
        SluiceLog.setOut(new PrintStream(logged, true, StandardCharsets.UTF_8));
        watcher = new Watcher(new Events() {
            @Override public void breaker(String ep, BreakerState from, BreakerState to, Figures f) {
                events.add("breaker " + ep + " " + from.label() + "->" + to.label());
            }
            @Override public void congestion(String ep, boolean on, Figures f) {
                events.add("congestion " + ep + " " + on);
            }
            @Override public void alert(AlertStatus s) {
                events.add("alert " + s.rule() + " " + s.endpoint() + " " + (s.firing() ? "on" : "off") + " " + s.cause());
            }
        }, () -> now, 10 * S);
    }

    @AfterEach
    void tearDown() {
        SluiceLog.setOut(null);
    }

    static final class Target implements Watched {
        final String id;
        final FakeMonitor monitor = new FakeMonitor();
        final Object gate = new Object();
        final List<Boolean> shed = new ArrayList<>();
        boolean canListen;
        GateListener listener;

        Target(String id) {
            this.id = id;
        }

        @Override public String id() { return id; }
        @Override public GateMonitor monitor() { return monitor; }
        @Override public GateLimits limits() { return GateLimits.defaults(); }
        @Override public void forceShedLow(boolean on) { shed.add(on); }
        @Override public Object identity() { return gate; }

        @Override
        public boolean setListener(GateListener l) {
            if (!canListen) return false;
            listener = l;
            return true;
        }
    }

    private static List<AlertRule> rules(AlertConfig... configs) {
        AlertRule.Compiled c = AlertRule.compile(List.of(configs), Set.of("a", "b"));
        assertEquals(List.of(), c.problems());
        return c.rules();
    }

    private void run(long nanos) {
        for (long t = 0; t < nanos; t += TICK) {
            now += TICK;
            watcher.tick();
        }
    }

    @Test
    void firesOnceAfterForAndRecoversOnceAfterForWithShedLow() {
        Target a = new Target("a");
        watcher.update(List.of(a), rules(new AlertConfig("slow", "a", "queue.depth > 10", 2 * S, "shed-low")));
        run(S);
        a.monitor.queueDepth = 50;
        run(S + TICK);
        assertEquals(List.of(), events, "pending: held for less than 2 s");
        assertEquals(AlertStatus.State.PENDING, watcher.alerts().get(0).state());
        run(S);
        assertEquals(List.of("alert slow a on condition"), events);
        assertEquals(List.of(true), a.shed);
        assertEquals(List.of("slow"), watcher.sheddingLow("a"));
        run(10 * S);
        assertEquals(1, events.size(), "no repeat while it holds");
        a.monitor.queueDepth = 0;
        run(S);
        assertEquals(AlertStatus.State.RECOVERING, watcher.alerts().get(0).state());
        assertEquals(List.of(true), a.shed, "still shedding while recovering");
        run(S + TICK);
        assertEquals(List.of("alert slow a on condition", "alert slow a off condition"), events);
        assertEquals(List.of(true, false), a.shed);
        assertEquals(List.of(), watcher.sheddingLow("a"));
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN alert 'slow' on endpoint 'a' fired: queue.depth > 10 (queue.depth=50); shedding"), log);
        assertTrue(log.contains("INFO alert 'slow' on endpoint 'a' recovered (queue.depth=0)"), log);
    }

    @Test
    void aBlipShorterThanForDoesNotFire() {
        Target a = new Target("a");
        watcher.update(List.of(a), rules(new AlertConfig("deep", "a", "queue.depth > 10", S, "notify")));
        a.monitor.queueDepth = 50;
        run(S / 2);
        a.monitor.queueDepth = 0;
        run(S);
        a.monitor.queueDepth = 50;
        run(S / 2);
        assertEquals(List.of(), events);
    }

    @Test
    void forZeroFiresAtTheFirstTickAndLogOnlyRulesSendNoNotification() {
        Target a = new Target("a");
        watcher.update(List.of(a), rules(new AlertConfig("n", "a", "breaker = open", 0, "notify"),
                new AlertConfig("l", "a", "breaker = open", 0, "log")));
        run(S);
        a.monitor.breaker = BreakerState.OPEN;
        run(TICK);
        assertEquals(List.of("breaker a closed->open", "alert n a on condition"), events);
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("alert 'l' on endpoint 'a' fired"));
        a.monitor.breaker = BreakerState.HALF_OPEN;
        run(TICK);
        assertEquals("alert n a off condition", events.get(events.size() - 1));
    }

    @Test
    void starRuleWatchesEveryEndpointSeparately() {
        Target a = new Target("a");
        Target b = new Target("b");
        watcher.update(List.of(a, b), rules(new AlertConfig("deep", "*", "queue.depth > 10", 0, "shed-low")));
        b.monitor.queueDepth = 11;
        run(S);
        assertEquals(List.of("alert deep b on condition"), events);
        assertEquals(List.of(), a.shed);
        assertEquals(List.of(true), b.shed);
        assertEquals(2, watcher.alerts().size());
    }

    @Test
    void twoSheddingRulesSwitchTheGateOnceEachWay() {
        Target a = new Target("a");
        watcher.update(List.of(a), rules(new AlertConfig("deep", "a", "queue.depth > 10", 0, "shed-low"),
                new AlertConfig("busy", "a", "inflight > 5", 0, "shed-low")));
        a.monitor.queueDepth = 20;
        run(S);
        a.monitor.inFlight = 9;
        run(S);
        a.monitor.queueDepth = 0;
        run(S);
        assertEquals(List.of(true), a.shed, "still held by 'busy'");
        a.monitor.inFlight = 0;
        run(S);
        assertEquals(List.of(true, false), a.shed);
    }

    @Test
    void aReloadKeepsStateOfRulesThatStayAndRecoversRemovedOnes() {
        Target a = new Target("a");
        watcher.update(List.of(a), rules(new AlertConfig("deep", "a", "queue.depth > 10", 0, "shed-low"),
                new AlertConfig("busy", "a", "inflight > 5", 0, "notify")));
        a.monitor.queueDepth = 20;
        a.monitor.inFlight = 9;
        run(S);
        assertEquals(2, events.size());
        // reload: 'deep' unchanged, 'busy' removed
        watcher.update(List.of(a), rules(new AlertConfig("deep", "a", "queue.depth > 10", 0, "shed-low")));
        assertEquals("alert busy a off rule removed", events.get(2));
        run(S);
        assertEquals(3, events.size(), "'deep' did not fire again");
        assertEquals(List.of(true), a.shed);
        // reload: endpoint a removed: its alert goes off and the (old) gate stops shedding
        watcher.update(List.of(), rules(new AlertConfig("deep", "*", "queue.depth > 10", 0, "shed-low")));
        assertEquals("alert deep a off endpoint removed", events.get(3));
        assertEquals(List.of(true, false), a.shed);
    }

    @Test
    void aNewGateUnderTheSameIdStartsAFreshHistory() {
        Target a1 = new Target("a");
        watcher.update(List.of(a1), rules(new AlertConfig("deep", "a", "queue.depth > 10", 0, "shed-low")));
        a1.monitor.queueDepth = 20;
        run(S);
        Target a2 = new Target("a");
        watcher.update(List.of(a2), rules(new AlertConfig("deep", "a", "queue.depth > 10", 0, "shed-low")));
        assertEquals(List.of(true, false), a1.shed, "the old gate is released");
        run(S);
        assertEquals(List.of(), a2.shed, "the new gate has an empty queue");
    }

    @Test
    void changesTheGateReportsAreNotifiedInOrderEvenWithinOneTick() {
        Target a = new Target("a");
        a.canListen = true;
        watcher.update(List.of(a), rules(new AlertConfig("n", "a", "breaker = open", 0, "notify")));
        run(S);
        a.listener.onBreakerState(BreakerState.CLOSED, BreakerState.OPEN);
        a.listener.onBreakerState(BreakerState.OPEN, BreakerState.HALF_OPEN);
        a.listener.onCongested(true);
        a.monitor.breaker = BreakerState.HALF_OPEN; // what polling would see: one change
        run(TICK);
        assertEquals(List.of("breaker a closed->open", "breaker a open->half-open", "congestion a true"), events);
        assertEquals(2, watcher.figures("a").breakerTransitions());
        assertEquals(1, watcher.figures("a").congestionEpisodes());
        watcher.update(List.of(), List.of());
        assertEquals(null, a.listener, "a removed endpoint's gate loses its listener");
    }

    @Test
    void congestionChangesAreReportedAndLogged() {
        Target a = new Target("a");
        watcher.update(List.of(a), List.of());
        run(S);
        a.monitor.congested = true;
        a.monitor.queueDepth = 81;
        run(S);
        a.monitor.congested = false;
        run(S);
        assertEquals(List.of("congestion a true", "congestion a false"), events);
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN endpoint 'a': congested (81 waiting)"), log);
        assertTrue(log.contains("INFO endpoint 'a': no longer congested"), log);
        assertEquals(1, watcher.figures("a").congestionEpisodes());
        assertFalse(watcher.figures("a").congested());
    }

    @Test
    void aFlappingBreakerIsLoggedAFewTimesThenWithACount() {
        Target a = new Target("a");
        watcher.update(List.of(a), List.of());
        run(TICK);
        for (int i = 0; i < 10; i++) {
            a.monitor.breaker = i % 2 == 0 ? BreakerState.OPEN : BreakerState.CLOSED;
            run(TICK);
        }
        assertEquals(10, events.size(), "every change is a notification");
        String log = logged.toString(StandardCharsets.UTF_8);
        assertEquals(3, log.lines().filter(l -> l.contains("circuit breaker")).count(), log);
        run(10 * S);
        log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("circuit breaker open -> closed (6 earlier changes not logged)"), log);
    }

    @Test
    void badRulesAreSkippedWithTheirKeyAndWhy() {
        AlertRule.Compiled c = AlertRule.compile(List.of(
                new AlertConfig("ok", "*", "queue.depth > 1", 0, "log"),
                new AlertConfig("typo", "*", "queue.dept > 1", 0, "log"),
                new AlertConfig("nowhere", "c", "queue.depth > 1", 0, "log"),
                new AlertConfig("act", "a", "queue.depth > 1", 0, "page-someone"),
                new AlertConfig("nowhen", "a", null, 0, "log")), Set.of("a", "b"));
        assertEquals(1, c.rules().size());
        assertEquals(4, c.problems().size());
        assertTrue(c.problems().get(0).startsWith("sluice.alert.typo.when: 'queue.dept > 1': unknown figure"), c.problems().get(0));
        assertTrue(c.problems().get(0).endsWith("the alert is skipped"));
        assertTrue(c.problems().get(1).startsWith("sluice.alert.nowhere.endpoint: no endpoint 'c'"), c.problems().get(1));
        assertTrue(c.problems().get(2).startsWith("sluice.alert.act.action: 'page-someone' is not an action"), c.problems().get(2));
        assertTrue(c.problems().get(3).startsWith("sluice.alert.nowhen.when is missing"), c.problems().get(3));
    }

    @Test
    void actionListsAndDefaults() {
        AlertRule r = rules(new AlertConfig("x", null, "queue.depth > 1", 0, "notify, shed-low")).get(0);
        assertEquals("*", r.endpoint());
        assertTrue(r.shedsLow() && r.notifies());
        assertEquals("notify,shed-low", r.actionLabel());
        AlertRule d = rules(new AlertConfig("y", "a", "queue.depth > 1", 0, null)).get(0);
        assertEquals("log", d.actionLabel());
        assertFalse(d.notifies());
        assertTrue(rules(new AlertConfig("z", "a", "queue.depth > 1", 0, "shed-low")).get(0).notifies(),
                "shedding is always announced");
    }
}
