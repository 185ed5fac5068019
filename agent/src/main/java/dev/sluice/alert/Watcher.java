package dev.sluice.alert;

import dev.sluice.core.BreakerState;
import dev.sluice.core.GateLimits;
import dev.sluice.core.GateListener;
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
import java.util.concurrent.locks.LockSupport;

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
 *
 * Breaker and congestion changes come from the gate itself ({@link GateListener}), on the thread that made
 * them: the listener only queues them and wakes this thread, which logs and notifies; so a breaker that opens
 * and half-opens between two ticks is reported twice, in order, and the application's thread pays a queue
 * insert. A target without a listener is polled every tick instead.
 */
public final class Watcher {
    public static final long TICK_NANOS = 250_000_000L;
    public static final long WINDOW_NANOS = 10_000_000_000L;
    private static final long MIN_WAKE_MILLIS = 20;
    /**
     * The gate logs its own breaker and congestion changes (Gate.breakerMoved / congestionChanged); while it
     * does, the watcher does not log them again for gates that report through a listener (it still notifies).
     * Polled targets are logged here.
     */
    static final boolean GATE_LOGS_ITS_CHANGES = true;

    private final Events events;
    private final NanoClock clock;
    private final long windowNanos;
    private final StateLog log = new StateLog(3, 10_000_000_000L);
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, RuleState> states = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<String> resets = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();
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
        boolean hooked;

        Endpoint(Watched target, long windowNanos) {
            this.target = target;
            this.sampler = new EndpointSampler(windowNanos);
        }
    }

    /** A change the gate reported: breaker from -> to, or congestion on/off (from == null). */
    private static final class Change {
        final Endpoint endpoint;
        final BreakerState from;
        final BreakerState to;
        final boolean congested;

        Change(Endpoint endpoint, BreakerState from, BreakerState to, boolean congested) {
            this.endpoint = endpoint;
            this.from = from;
            this.to = to;
            this.congested = congested;
        }
    }

    private GateListener listenerFor(Endpoint e) {
        return new GateListener() {
            @Override
            public void onBreakerState(BreakerState from, BreakerState to) {
                changes.add(new Change(e, from, to, false));
                wake();
            }

            @Override
            public void onCongested(boolean congested) {
                changes.add(new Change(e, null, null, congested));
                wake();
            }
        };
    }

    private void wake() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
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
        long next = clock.nanoTime() + TICK_NANOS;
        while (!Thread.currentThread().isInterrupted()) {
            long sleep = next - clock.nanoTime();
            if (sleep > 0 && changes.isEmpty()) {
                LockSupport.parkNanos(this, sleep);
                if (changes.isEmpty() && next - clock.nanoTime() > 0) continue; // spurious wake-up
            }
            long now = clock.nanoTime();
            if (next - now <= 0) {
                next += TICK_NANOS;
                if (next - now <= 0) next = now + TICK_NANOS; // fell behind (GC, suspend): no burst of catch-up ticks
            }
            try {
                if (!changes.isEmpty()) Thread.sleep(MIN_WAKE_MILLIS); // let a burst of changes gather
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
            if (e == null) {
                e = new Endpoint(w, windowNanos);
                try {
                    e.hooked = w.setListener(listenerFor(e));
                } catch (Throwable t) {
                    e.hooked = false;
                }
            }
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
        if (e.hooked) {
            try {
                e.target.setListener(null);
            } catch (Throwable ignored) {
                // the gate is going away
            }
            e.hooked = false;
        }
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
        Map<Endpoint, List<Change>> reported = new HashMap<>();
        for (Change c; (c = changes.poll()) != null; ) {
            if (!c.endpoint.hooked || endpoints.get(c.endpoint.target.id()) != c.endpoint) continue; // gone
            if (c.from != null) c.endpoint.sampler.countBreakerTransition();
            else if (c.congested) c.endpoint.sampler.countCongestionEpisode();
            reported.computeIfAbsent(c.endpoint, k -> new ArrayList<>()).add(c);
        }
        Map<String, Figures> fig = new HashMap<>();
        for (Endpoint e : endpoints.values()) {
            String id = e.target.id();
            Figures f;
            try {
                GateLimits limits = e.target.limits();
                f = e.sampler.sample(e.target.monitor(), limits.queueCapacity(), now, !e.hooked);
            } catch (Throwable t) {
                SluiceLog.once(SluiceLog.Level.WARN, "watcher-sample:" + id, "could not read the figures of endpoint '"
                        + id + "' (logged once)", t);
                continue;
            }
            fig.put(id, f);
            if (e.hooked) {
                boolean logIt = !GATE_LOGS_ITS_CHANGES;
                for (Change c : reported.getOrDefault(e, List.of())) {
                    if (c.from != null) breakerChanged(id, c.from, c.to, f, now, logIt);
                    else congestionChanged(id, c.congested, f, now, logIt);
                }
            } else {
                if (e.breaker != null && e.breaker != f.breaker()) breakerChanged(id, e.breaker, f.breaker(), f, now, true);
                if (e.breaker != null && e.congested != f.congested()) congestionChanged(id, f.congested(), f, now, true);
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

    private void breakerChanged(String id, BreakerState from, BreakerState to, Figures f, long now, boolean logIt) {
        if (logIt) log.change("breaker:" + id, to == BreakerState.OPEN ? SluiceLog.Level.WARN : SluiceLog.Level.INFO,
                "endpoint '" + id + "': circuit breaker " + from.label() + " -> " + to.label(), now);
        try {
            events.breaker(id, from, to, f);
        } catch (Throwable t) {
            SluiceLog.once(SluiceLog.Level.WARN, "watcher-notify-breaker", "could not send a breaker notification", t);
        }
    }

    private void congestionChanged(String id, boolean on, Figures f, long now, boolean logIt) {
        if (logIt) log.change("congestion:" + id, on ? SluiceLog.Level.WARN : SluiceLog.Level.INFO,
                "endpoint '" + id + "': " + (on ? "congested" : "no longer congested") + " (" + f.queueDepth()
                        + " waiting)", now);
        try {
            events.congestion(id, on, f);
        } catch (Throwable t) {
            SluiceLog.once(SluiceLog.Level.WARN, "watcher-notify-congestion", "could not send a congestion notification", t);
        }
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
