package dev.sluice.alert;

import dev.sluice.config.AlertConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One validated alert rule: {@code sluice.alert.<name>.endpoint / .when / .for / .action}.
 *
 * Every rule logs its transitions (a WARN line when it fires, an INFO line when it recovers). {@code notify}
 * also sends a JMX notification; {@code shed-low} also sends it and refuses every {@code low} call on the
 * endpoint while the rule holds. Several actions may be listed ({@code notify, shed-low}).
 */
public final class AlertRule {
    public enum Action {
        LOG("log"), NOTIFY("notify"), SHED_LOW("shed-low");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Action parse(String s) {
            for (Action a : values()) if (a.label.equals(s)) return a;
            return null;
        }
    }

    private final String name;
    private final String endpoint;
    private final Condition condition;
    private final long forNanos;
    private final Set<Action> actions;

    AlertRule(String name, String endpoint, Condition condition, long forNanos, Set<Action> actions) {
        this.name = name;
        this.endpoint = endpoint;
        this.condition = condition;
        this.forNanos = forNanos;
        this.actions = actions;
    }

    public String name() { return name; }
    /** Endpoint id or {@code *}. */
    public String endpoint() { return endpoint; }
    public Condition condition() { return condition; }
    public long forNanos() { return forNanos; }
    public Set<Action> actions() { return actions; }

    public boolean appliesTo(String endpointId) {
        return endpoint.equals("*") || endpoint.equals(endpointId);
    }

    public boolean notifies() {
        return actions.contains(Action.NOTIFY) || actions.contains(Action.SHED_LOW);
    }

    public boolean shedsLow() {
        return actions.contains(Action.SHED_LOW);
    }

    public String actionLabel() {
        StringBuilder sb = new StringBuilder();
        for (Action a : actions) {
            if (sb.length() > 0) sb.append(',');
            sb.append(a.label());
        }
        return sb.toString();
    }

    /** Same definition (a reload that keeps it keeps its state). */
    boolean sameAs(AlertRule o) {
        return o != null && name.equals(o.name) && endpoint.equals(o.endpoint)
                && condition.text().equals(o.condition.text()) && forNanos == o.forNanos && actions.equals(o.actions);
    }

    /** What compiling the configured rules produced: the usable rules and one message per rule skipped. */
    public static final class Compiled {
        private final List<AlertRule> rules;
        private final List<String> problems;

        Compiled(List<AlertRule> rules, List<String> problems) {
            this.rules = List.copyOf(rules);
            this.problems = List.copyOf(problems);
        }

        public List<AlertRule> rules() { return rules; }
        public List<String> problems() { return problems; }
    }

    /**
     * Validates every configured rule. A rule with a bad condition, action or endpoint is skipped with a
     * message naming its key and why; the others are kept.
     */
    public static Compiled compile(Collection<AlertConfig> configs, Set<String> endpointIds) {
        List<AlertRule> rules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (configs == null) return new Compiled(rules, problems);
        for (AlertConfig c : configs) {
            String key = "sluice.alert." + c.name();
            try {
                rules.add(compile(c, endpointIds));
            } catch (IllegalArgumentException e) {
                problems.add(key + e.getMessage() + "; the alert is skipped");
            }
        }
        return new Compiled(rules, problems);
    }

    /** @throws IllegalArgumentException with ".when: why" (the key's suffix first) */
    static AlertRule compile(AlertConfig c, Set<String> endpointIds) {
        String endpoint = c.endpoint() == null || c.endpoint().isBlank() ? "*" : c.endpoint().trim();
        if (!endpoint.equals("*") && endpointIds != null && !endpointIds.contains(endpoint)) {
            throw new IllegalArgumentException(".endpoint: no endpoint '" + endpoint + "' is configured (ids: "
                    + String.join(", ", endpointIds) + ", or * for every endpoint)");
        }
        if (c.when() == null || c.when().isBlank()) {
            throw new IllegalArgumentException(".when is missing (e.g. sluice.alert." + c.name()
                    + ".when=queue.depth > 100)");
        }
        Condition cond;
        try {
            cond = Condition.parse(c.when());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(".when: '" + c.when() + "': " + e.getMessage());
        }
        if (c.forNanos() < 0) throw new IllegalArgumentException(".for must not be negative");
        Set<Action> actions = EnumSet.noneOf(Action.class);
        String raw = c.action() == null || c.action().isBlank() ? "log" : c.action();
        for (String part : raw.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) continue;
            Action a = Action.parse(p);
            if (a == null) {
                throw new IllegalArgumentException(".action: '" + part.trim() + "' is not an action (log, notify, shed-low)");
            }
            actions.add(a);
        }
        if (actions.isEmpty()) actions.add(Action.LOG);
        return new AlertRule(c.name(), endpoint, cond, c.forNanos(), actions);
    }

    @Override
    public String toString() {
        return name + "[" + endpoint + ": " + condition.text() + " for " + forNanos / 1_000_000 + "ms -> " + actionLabel() + "]";
    }
}
