package dev.sluice.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code status} command's output: one column per endpoint, one row per figure. Rows are named as the
 * endpoint MBean's attributes, so what {@code status} prints is what JConsole shows under the same name.
 */
final class StatusTable {
    /** Rows in order; a null attribute starts a section with that title. */
    static final String[][] ROWS = {
            {null, "limits"},
            {"Mode", null}, {"Provider", null}, {"Rpm", "0 = unlimited"}, {"Tpm", "0 = unlimited"}, {"Burst", null},
            {"MaxConcurrent", "0 = unlimited"}, {"QueueCapacity", null}, {"MaxWaitMillis", "queue.max-wait"},
            {"ShedThreshold", null},
            {null, "now"},
            {"BreakerState", null}, {"InFlight", null}, {"QueueDepth", null}, {"Utilization", null},
            {"Congested", null}, {"ShedLowForced", "by an alert"}, {"PausedForMillis", null},
            {"AvailableRequests", "-1 = unlimited"}, {"AvailableTokens", "-1 = unlimited"},
            {null, "per second, recent window"},
            {"EnqueueRate", null}, {"DequeueRate", null}, {"AdmitRate", null}, {"RejectRate", null},
            {"Upstream429Rate", null}, {"WouldRejectRate", "observe mode"}, {"RecentAvgWaitMillis", null},
            {"RecentLongestWaitMillis", null}, {"StatsWindowSeconds", null},
            {null, "since reset"},
            {"Admitted", null}, {"Completed", null}, {"Rejected", null}, {"RejectedByReason", null},
            {"Upstream429", null}, {"Failures", null}, {"WouldRejected", "observe mode"},
            {"WouldRejectByReason", null}, {"WouldWait", null}, {"AvgWaitMillis", null},
            {"LongestWaitMillis", null}, {"TokensReserved", null}, {"TokensCharged", null},
            {"BreakerTransitions", null}, {"CongestionEpisodes", null}, {"Faults", null},
            {"FiringAlerts", null},
    };

    private StatusTable() {
    }

    /** Every attribute the table shows. */
    static String[] attributes() {
        List<String> a = new ArrayList<>();
        for (String[] r : ROWS) if (r[0] != null) a.add(r[0]);
        return a.toArray(new String[0]);
    }

    /**
     * @param agent     the Agent MBean's attributes
     * @param endpoints id -> attribute -> value (maps already converted to {@code Map}, arrays kept)
     * @param alerts    each alert as name/endpoint/state/when/action/detail
     */
    static String render(long pid, Map<String, Object> agent, Map<String, Map<String, Object>> endpoints,
                         List<Map<String, Object>> alerts) {
        StringBuilder sb = new StringBuilder();
        sb.append("Sluice ").append(agent.get("Version")).append(" in pid ").append(pid)
                .append(Boolean.TRUE.equals(agent.get("Attached")) ? " (attached)" : "")
                .append(": mode ").append(agent.get("Mode"))
                .append(", config ").append(agent.get("ConfigPath")).append('\n');
        sb.append("clients ").append(join(agent.get("InstrumentedClients")))
                .append("; faults ").append(agent.get("Faults"))
                .append("; last reload: ").append(agent.get("LastReload")).append('\n');
        if (endpoints.isEmpty()) {
            sb.append("no endpoints\n");
        } else {
            List<String> ids = new ArrayList<>(endpoints.keySet());
            int labelWidth = 24;
            int[] widths = new int[ids.size()];
            List<String[]> lines = new ArrayList<>();
            lines.add(row("", ids));
            for (String[] r : ROWS) {
                if (r[0] == null) {
                    lines.add(new String[]{"-- " + r[1]});
                    continue;
                }
                List<String> vals = new ArrayList<>();
                for (String id : ids) vals.add(format(endpoints.get(id).get(r[0])));
                if (r[1] != null) vals.add("(" + r[1] + ")");
                lines.add(row(r[0], vals));
            }
            for (String[] l : lines) {
                if (l.length == 1) continue;
                for (int i = 1; i < l.length && i <= ids.size(); i++) widths[i - 1] = Math.max(widths[i - 1], l[i].length());
            }
            for (String[] l : lines) {
                if (l.length == 1) {
                    sb.append(l[0]).append('\n');
                    continue;
                }
                sb.append(pad(l[0], labelWidth));
                for (int i = 1; i < l.length; i++) sb.append("  ").append(i <= ids.size() ? pad(l[i], widths[i - 1]) : l[i]);
                trimEnd(sb);
                sb.append('\n');
            }
        }
        Object overrides = agent.get("Overrides");
        if (overrides instanceof String[] && ((String[]) overrides).length > 0) {
            sb.append("-- overrides (JMX writes that differ from the file, until the next reload)\n");
            for (String o : (String[]) overrides) sb.append("  ").append(o).append('\n');
        }
        if (!alerts.isEmpty()) {
            sb.append("-- alerts\n");
            for (Map<String, Object> a : alerts) {
                sb.append("  ").append(a.get("name")).append('@').append(a.get("endpoint")).append("  ")
                        .append(a.get("state")).append("  when ").append(a.get("when"))
                        .append("  -> ").append(a.get("action"));
                Object d = a.get("detail");
                if (d != null && !d.toString().isEmpty()) sb.append("  (").append(d).append(')');
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String[] row(String label, List<String> vals) {
        String[] r = new String[vals.size() + 1];
        r[0] = label;
        for (int i = 0; i < vals.size(); i++) r[i + 1] = vals.get(i);
        return r;
    }

    static String format(Object v) {
        if (v == null) return "-";
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
            // small values (a burst of 1/60, a threshold) keep 4 decimals, the rest 2; no trailing zeros
            String s = String.format(Locale.ROOT, Math.abs(d) < 1 ? "%.4f" : "%.2f", d);
            return s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        if (v instanceof String[]) return ((String[]) v).length == 0 ? "-" : String.join(",", (String[]) v);
        if (v instanceof Map) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (e.getValue() instanceof Number && ((Number) e.getValue()).longValue() == 0) continue;
                if (sb.length() > 0) sb.append(',');
                sb.append(e.getKey()).append('=').append(e.getValue());
            }
            return sb.length() == 0 ? "-" : sb.toString();
        }
        return String.valueOf(v);
    }

    private static String join(Object arr) {
        return arr instanceof String[] ? String.join(",", (String[]) arr) : String.valueOf(arr);
    }

    private static String pad(String s, int w) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < w) sb.append(' ');
        return sb.toString();
    }

    private static void trimEnd(StringBuilder sb) {
        int n = sb.length();
        while (n > 0 && sb.charAt(n - 1) == ' ') n--;
        sb.setLength(n);
    }
}
