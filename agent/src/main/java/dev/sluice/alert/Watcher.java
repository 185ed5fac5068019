package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.GateLimits;
import dev.sluice.core.NanoClock;
import dev.sluice.log.SluiceLog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The agent's one monitoring thread ({@code sluice-monitor}, daemon). Every tick (250 ms) it samples each
 * endpoint's counters into windowed figures, notices breaker and congestion changes, evaluates the alert
 * rules and applies their actions. Nothing here runs on the application's call path.
 *
 * An alert rule on an endpoint is {@code ok}; when its condition has held for {@code .for} it fires (one log
 * line, one notification, shed-low switched on); when the condition has been false for {@code .for} again it
 * recovers (one line, one notification, shed-low off). With {@code .for} 0 it fires at the first tick the
 * condition holds and recovers at the first tick it does not. The symmetric hold keeps a figure that hovers at
 * the threshold from flapping.
 */
public final class Watcher {
    public static final long TICK_NANOS = 250_000_000L;
    public static final long WINDOW_NANOS = 10_000_000_000L;

    private final Events events;
    private final NanoClock clock;
    private final long windowNanos;
    private final StateLog log = new StateLog(3, 10_000_000_000L);
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, RuleState> states = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<String> resets = new ConcurrentLinkedQueue<>();
    private List<AlertRule> rules = List.of();
    private volatile Map<String, Figures> figures = Map.of();
    private volatile Map<String, List<String>> shedding = Map.of();
    private volatile List<AlertStatus> statuses = List.of();
    private volatile Thread thread;

    private static final class Endpoint {
        Watched target;
        final EndpointSampler sampler;
        BreakerState breaker;
        boolean congested;
        boolean shedApplied;

        Endpoint(Watched target, long windowNanos) {
            this.target = target;
            this.sampler = new EndpointSampler(windowNanos);
        }
    }

    private static final class RuleState {
        AlertRule rule;
        final String endpoint;
        AlertStatus.State state = AlertStatus.State.OK;
        long sinceNanos;
        long sinceEpochMillis = System.currentTimeMillis();
        long fired;
        String detail = "";
        String cause = "";

        RuleState(AlertRule rule, String endpoint) {
            this.rule = rule;
            this.endpoint = endpoint;
        }

        boolean on() {
            return state == AlertStatus.State.FIRING || state == AlertStatus.State.RECOVERING;
        }

        AlertStatus snapshot() {
            return new AlertStatus(rule.name(), endpoint, rule.condition().text(), rule.actionLabel(),
                    rule.forNanos() / 1_000_000L, state, sinceEpochMillis, fired, detail, cause);
        }
    }

    public Watcher(Events events) {
        this(events, NanoClock.SYSTEM, WINDOW_NANOS);
    }

    public Watcher(Events events, NanoClock clock, long windowNanos) {
        this.events = events == null ? Events.NONE : events;
        this.clock = clock;
        this.windowNanos = windowNanos;
    }

    /** Starts the daemon thread (once). */
    public synchronized void start() {
        if (thread != null) return;
        Thread t = new Thread(this::run, "sluice-monitor");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    public void stop() {
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    private void run() {
        long next = clock.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            next += TICK_NANOS;
            long sleep = next - clock.nanoTime();
            try {
                if (sleep > 0) Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
                else next = clock.nanoTime(); // fell behind (GC, suspend): do not catch up in a burst
            } catch (InterruptedException e) {
                return;
            }
            try {
                tick();
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "watcher-tick", "monitoring tick failed; figures and alerts"
                        + " may be stale (logged once)", t);
            }
        }
    }

    /**
     * The endpoints and rules to watch from now on (at start and after each reload). An endpoint id that stays
     * with the same gate keeps its history; an alert that stays (same name and endpoint) keeps its state. An
     * alert that was on and goes away (rule or endpoint removed) is reported as recovered and its shedding
     * stops.
     */
    public synchronized void update(Collection<? extends Watched> targets, List<AlertRule> newRules) {
        long now = clock.nanoTime();
        Map<String, Endpoint> next = new LinkedHashMap<>();
        java.util.Set<String> replaced = new java.util.HashSet<>();
        for (Watched w : targets) {
            Endpoint e = endpoints.remove(w.id());
            if (e != null && e.target.identity() != w.identity()) {
                release(e);
                replaced.add(w.id());
                e = null;
            }
            if (e == null) e = new Endpoint(w, windowNanos);
            e.target = w;
            next.put(w.id(), e);
        }
        for (Endpoint gone : endpoints.values()) release(gone);
        endpoints.clear();
        endpoints.putAll(next);

        this.rules = newRules == null ? List.of() : List.copyOf(newRules);
        Map<String, AlertRule> byName = new HashMap<>();
        for (AlertRule r : rules) byName.put(r.name(), r);
        for (Iterator<RuleState> it = states.values().iterator(); it.hasNext(); ) {
            RuleState s = it.next();
            AlertRule r = byName.get(s.rule.name());
            boolean endpointStays = endpoints.containsKey(s.endpoint) && !replaced.contains(s.endpoint);
            if (r != null && endpointStays && r.appliesTo(s.endpoint)) {
                s.rule = r;
                continue;
            }
            it.remove();
            if (s.on()) {
                s.state = AlertStatus.State.OK;
                s.sinceNanos = now;
                s.sinceEpochMillis = System.currentTimeMillis();
                s.cause = r == null ? "rule removed"
                        : replaced.contains(s.endpoint) ? "endpoint replaced" : "endpoint removed";
                announce(s, now);
            }
        }
        applyShedding();
        publish();
    }

    private void release(Endpoint e) {
        if (e.shedApplied) {
            try {
                e.target.forceShedLow(false);
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "watcher-shed", "could not switch shed-low off", t);
            }
            e.shedApplied = false;
        }
    }

    /** Forget an endpoint's windowed history (the monitor's resetStats). */
    public void resetStats(String endpointId) {
        resets.add(endpointId);
    }

    /** One round: sample, notice changes, evaluate alerts, apply actions. Called by the thread; tests call it directly. */
    public synchronized void tick() {
        long now = clock.nanoTime();
        for (String id; (id = resets.poll()) != null; ) {
            Endpoint e = endpoints.get(id);
            if (e != null) e.sampler.reset();
        }
        Map<String, Figures> fig = new HashMap<>();
        for (Endpoint e : endpoints.values()) {
            String id = e.target.id();
            Figures f;
            try {
                GateLimits limits = e.target.limits();
                f = e.sampler.sample(e.target.monitor(), limits.queueCapacity(), now, true);
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "watcher-sample:" + id, "could not read the figures of endpoint '"
                        + id + "' (logged once)", t);
                continue;
            }
            fig.put(id, f);
            if (e.breaker != null && e.breaker != f.breaker()) {
                log.change("breaker:" + id, f.breaker() == BreakerState.OPEN ? SluiceLog.Level.WARN : SluiceLog.Level.INFO,
                        "endpoint '" + id + "': circuit breaker " + e.breaker.label() + " -> " + f.breaker().label(), now);
                events.breaker(id, e.breaker, f.breaker(), f);
            }
            if (e.breaker != null && e.congested != f.congested()) {
                log.change("congestion:" + id, f.congested() ? SluiceLog.Level.WARN : SluiceLog.Level.INFO,
                        "endpoint '" + id + "': " + (f.congested() ? "congested" : "no longer congested")
                                + " (" + f.queueDepth() + " waiting)", now);
                events.congestion(id, f.congested(), f);
            }
            e.breaker = f.breaker();
            e.congested = f.congested();
        }
        figures = Collections.unmodifiableMap(fig);

        for (AlertRule r : rules) {
            for (Endpoint e : endpoints.values()) {
                String id = e.target.id();
                if (!r.appliesTo(id)) continue;
                Figures f = fig.get(id);
                if (f == null) continue;
                RuleState s = states.computeIfAbsent(r.name() + '\u0000' + id, k -> new RuleState(r, id));
                evaluate(s, f, now);
            }
        }
        applyShedding();
        publish();
        log.flush(now);
    }

    private void evaluate(RuleState s, Figures f, long now) {
        boolean holds = s.rule.condition().test(f);
        long hold = s.rule.forNanos();
        switch (s.state) {
            case OK:
                if (holds) {
                    if (hold == 0) fire(s, f, now);
                    else move(s, AlertStatus.State.PENDING, now);
                }
                break;
            case PENDING:
                if (!holds) move(s, AlertStatus.State.OK, now);
                else if (now - s.sinceNanos >= hold) fire(s, f, now);
                break;
            case FIRING:
                if (!holds) {
                    if (hold == 0) recover(s, f, now);
                    else move(s, AlertStatus.State.RECOVERING, now);
                }
                break;
            default: // RECOVERING
                if (holds) move(s, AlertStatus.State.FIRING, now);
                else if (now - s.sinceNanos >= hold) recover(s, f, now);
        }
    }

    private static void move(RuleState s, AlertStatus.State to, long now) {
        s.state = to;
        s.sinceNanos = now;
    }

    private void fire(RuleState s, Figures f, long now) {
        s.state = AlertStatus.State.FIRING;
        s.sinceNanos = now;
        s.sinceEpochMillis = System.currentTimeMillis();
        s.fired++;
        s.detail = s.rule.condition().describe(f);
        s.cause = "condition";
        announce(s, now);
    }

    private void recover(RuleState s, Figures f, long now) {
        s.state = AlertStatus.State.OK;
        s.sinceNanos = now;
        s.sinceEpochMillis = System.currentTimeMillis();
        s.detail = s.rule.condition().describe(f);
        s.cause = "condition";
        announce(s, now);
    }

    private void announce(RuleState s, long now) {
        boolean on = s.on();
        String what = "alert '" + s.rule.name() + "' on endpoint '" + s.endpoint + "' "
                + (on ? "fired: " + s.rule.condition().text() + " (" + s.detail + ")"
                      : "recovered" + ("condition".equals(s.cause) ? " (" + s.detail + ")" : " (" + s.cause + ")"))
                + (s.rule.shedsLow() ? (on ? "; shedding low-priority calls" : "; low-priority calls admitted again") : "");
        log.change("alert:" + s.rule.name() + ":" + s.endpoint, on ? SluiceLog.Level.WARN : SluiceLog.Level.INFO, what, now);
        if (s.rule.notifies()) {
            try {
                events.alert(s.snapshot());
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "watcher-notify", "could not send an alert notification", t);
            }
        }
    }

    private void applyShedding() {
        Map<String, List<String>> by = new HashMap<>();
        for (RuleState s : states.values()) {
            if (s.on() && s.rule.shedsLow()) by.computeIfAbsent(s.endpoint, k -> new ArrayList<>()).add(s.rule.name());
        }
        for (Endpoint e : endpoints.values()) {
            boolean want = by.containsKey(e.target.id());
            if (want == e.shedApplied) continue;
            try {
                e.target.forceShedLow(want);
                e.shedApplied = want;
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "watcher-shed", "could not switch shed-low on endpoint '"
                        + e.target.id() + "' (logged once)", t);
            }
        }
        Map<String, List<String>> frozen = new HashMap<>();
        by.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        shedding = Collections.unmodifiableMap(frozen);
    }

    private void publish() {
        List<AlertStatus> out = new ArrayList<>();
        for (RuleState s : states.values()) out.add(s.snapshot());
        statuses = Collections.unmodifiableList(out);
    }

    /** The endpoint's figures at the last tick; {@link Figures#EMPTY} before the first. */
    public Figures figures(String endpointId) {
        Figures f = figures.get(endpointId);
        return f == null ? Figures.EMPTY : f;
    }

    /** Every rule on every endpoint it applies to, as of the last tick. */
    public List<AlertStatus> alerts() {
        return statuses;
    }

    /** The rules that hold shed-low on this endpoint now (empty when none). */
    public List<String> sheddingLow(String endpointId) {
        List<String> l = shedding.get(endpointId);
        return l == null ? List.of() : l;
    }

    /** Rules in force (after validation). */
    public synchronized List<AlertRule> rules() {
        return rules;
    }
}
