package dev.sluice.config;

import dev.sluice.core.GateLimits;
import dev.sluice.core.Mode;
import dev.sluice.core.Overflow;
import dev.sluice.core.Priority;
import dev.sluice.log.SluiceLog;
import dev.sluice.provider.Estimator;
import dev.sluice.provider.ProviderKind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.PatternSyntaxException;

/**
 * Reads sluice.properties, then overrides from system properties ({@code -Dsluice.endpoint.openai.rpm=...}) and
 * environment variables ({@code SLUICE_ENDPOINT_OPENAI_RPM}); validates every value.
 *
 * <p>Precedence, lowest first: the file, environment variables, system properties, agent arguments. Each key's
 * winning value alone is checked. A bad value or an unknown key gives exactly one message that names the key,
 * the value (never a secret's) and what is used instead; the result is always a usable configuration.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** The config file path: agent argument {@code config}, else -Dsluice.config, else SLUICE_CONFIG; null = none. */
    public static String configPath(Map<String, String> agentArgs, Properties system, Map<String, String> env) {
        String p = agentArgs == null ? null : agentArgs.get(AgentArgs.CONFIG);
        if (p == null || p.isBlank()) p = system == null ? null : system.getProperty(Keys.CONFIG);
        if (p == null || p.isBlank()) p = env == null ? null : env.get(Keys.CONFIG_ENV);
        return p == null || p.isBlank() ? null : p.trim();
    }

    /**
     * Never throws. {@code path} null = no file (overrides alone may still define endpoints; {@code fileRead()}
     * is then true: nothing named was missing).
     */
    public static ConfigLoadResult load(String path, Properties system, Map<String, String> env) {
        return load(path, Collections.emptyMap(), system, env);
    }

    /**
     * As {@link #load(String, Properties, Map)}, with the agent arguments other than {@code config}
     * ({@code -javaagent:sluice-agent.jar=config=/p,sluice.mode=observe}) overriding everything else.
     */
    public static ConfigLoadResult load(String path, Map<String, String> agentArgs, Properties system,
                                        Map<String, String> env) {
        try {
            return new Run(path).run(agentArgs, system, env);
        } catch (Throwable t) {
            return new ConfigLoadResult(SluiceConfig.defaults(), List.of("could not load the configuration ("
                    + t.getClass().getName() + "); Sluice uses its defaults with no endpoints"), false);
        }
    }

    /** One key's value and where it came from. */
    private static final class Entry {
        final String key;
        final String value;
        final String where;
        /** False for a file line with no '=' or ':'. */
        final boolean separated;

        Entry(String key, String value, String where, boolean separated) {
            this.key = key;
            this.value = value == null ? "" : value.trim();
            this.where = where;
            this.separated = separated;
        }
    }

    private static final class Run {
        private final String path;
        private final Set<String> problems = new LinkedHashSet<>();
        private boolean fileRead = true;

        Run(String path) {
            this.path = path == null || path.isBlank() ? null : path.trim();
        }

        ConfigLoadResult run(Map<String, String> agentArgs, Properties system, Map<String, String> env) {
            List<Entry> file = readFile();
            List<Entry> sys = new ArrayList<>();
            if (system != null) {
                for (String name : new TreeMap<>(toMap(system)).keySet()) {
                    if (name.startsWith(Keys.PREFIX) && !name.equals(Keys.CONFIG)) {
                        sys.add(new Entry(name, system.getProperty(name), "system property", true));
                    }
                }
            }
            List<Entry> args = new ArrayList<>();
            if (agentArgs != null) {
                for (Map.Entry<String, String> a : agentArgs.entrySet()) {
                    if (a.getKey() == null || a.getKey().equals(AgentArgs.CONFIG)) continue;
                    if (a.getValue() == null || a.getValue().isEmpty()) {
                        problems.add("agent argument " + a.getKey() + " is not key=value; ignored");
                        continue;
                    }
                    args.add(new Entry(a.getKey(), a.getValue(), "agent argument", true));
                }
            }
            // Endpoint ids and alert names the file and the other overrides know, to read env names by.
            Set<String> ids = new LinkedHashSet<>();
            Set<String> alertNames = new LinkedHashSet<>();
            for (List<Entry> list : List.of(file, sys, args)) {
                for (Entry e : list) {
                    Keys.Parsed k = Keys.classify(e.key);
                    if (k != null && k.kind == Keys.Kind.ENDPOINT) ids.add(k.owner);
                    if (k != null && k.kind == Keys.Kind.ALERT) alertNames.add(k.owner);
                }
            }
            List<Entry> environment = new ArrayList<>();
            if (env != null) {
                for (Map.Entry<String, String> v : new TreeMap<>(env).entrySet()) {
                    String name = v.getKey();
                    if (name == null || !name.toUpperCase(Locale.ROOT).startsWith("SLUICE_")
                            || name.equalsIgnoreCase(Keys.CONFIG_ENV)) continue;
                    String key = Keys.keyOfEnv(name, ids, alertNames);
                    if (key == null) {
                        String hint = Keys.suggestEnv(name, ids, alertNames);
                        problems.add("unknown environment variable " + Keys.clip(name)
                                + (hint == null ? "" : " (did you mean " + hint + "?)") + "; ignored");
                        continue;
                    }
                    environment.add(new Entry(key, v.getValue(), "environment variable " + name, true));
                }
            }
            Map<String, Entry> effective = new LinkedHashMap<>();
            for (List<Entry> list : List.of(file, environment, sys, args)) {
                for (Entry e : list) effective.put(e.key, e);
            }
            return build(effective);
        }

        private static Map<String, String> toMap(Properties p) {
            Map<String, String> m = new HashMap<>();
            for (String name : p.stringPropertyNames()) m.put(name, p.getProperty(name));
            return m;
        }

        private List<Entry> readFile() {
            List<Entry> out = new ArrayList<>();
            if (path == null) return out;
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(Path.of(path));
            } catch (NoSuchFileException e) {
                fileRead = false;
                problems.add("configuration file " + path + " not found; Sluice uses its defaults"
                        + " (and any sluice.* system properties or SLUICE_* environment variables)");
                return out;
            } catch (IOException | InvalidPathException | SecurityException e) {
                fileRead = false;
                problems.add("cannot read configuration file " + path + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); Sluice uses its defaults");
                return out;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                text = new String(bytes, StandardCharsets.ISO_8859_1);
                problems.add("configuration file " + path + " is not valid UTF-8; read as ISO-8859-1");
            }
            PropertiesText parsed = PropertiesText.parse(text);
            String fileName = fileName(path);
            for (String error : parsed.errors) problems.add(error + " [" + fileName + "]");
            Map<String, Integer> seen = new HashMap<>();
            for (PropertiesText.Line l : parsed.lines) {
                Integer before = seen.put(l.key, l.number);
                if (before != null) {
                    problems.add(l.key + " is set twice (lines " + before + " and " + l.number + "); line "
                            + l.number + " wins [" + fileName + "]");
                }
                out.add(new Entry(l.key, l.value, "line " + l.number + " of " + fileName, l.separated));
            }
            return out;
        }

        private static String fileName(String path) {
            try {
                Path f = Path.of(path).getFileName();
                return f == null ? path : f.toString();
            } catch (InvalidPathException e) {
                return path;
            }
        }

        // ------------------------------------------------------------------------------------------ building

        private ConfigLoadResult build(Map<String, Entry> effective) {
            Map<String, Entry> globals = new HashMap<>();
            Map<String, Map<String, Entry>> endpoints = new LinkedHashMap<>();
            Map<String, Map<String, Entry>> alerts = new LinkedHashMap<>();
            Map<String, Entry> clients = new LinkedHashMap<>();
            List<Entry> unknown = new ArrayList<>();
            for (Entry e : effective.values()) {
                Keys.Parsed k = Keys.classify(e.key);
                if (k == null) {
                    if (e.key.equals(Keys.CONFIG)) {
                        problems.add(Keys.CONFIG + " only names the configuration file (-Dsluice.config or"
                                + " SLUICE_CONFIG); ignored [" + e.where + "]");
                    } else {
                        unknown.add(e);
                    }
                    continue;
                }
                switch (k.kind) {
                    case GLOBAL: globals.put(k.suffix, e); break;
                    case ENDPOINT: endpoints.computeIfAbsent(k.owner, x -> new LinkedHashMap<>()).put(k.suffix, e); break;
                    case ALERT: alerts.computeIfAbsent(k.owner, x -> new LinkedHashMap<>()).put(k.suffix, e); break;
                    default: clients.put(k.owner, e);
                }
            }
            for (Entry e : unknown) {
                if (e.key.isEmpty()) {
                    problems.add("a line with no key before its '='; ignored [" + e.where + "]");
                    continue;
                }
                String hint = e.separated ? Keys.suggest(e.key, endpoints.keySet(), alerts.keySet()) : null;
                problems.add("unknown key " + Keys.clip(e.key) + (hint == null ? "" : " (did you mean " + hint + "?)")
                        + (e.separated ? "" : ": the line is not key=value") + "; ignored [" + e.where + "]");
            }

            SluiceConfig.Builder cb = SluiceConfig.builder();
            Boolean enabled = bool(globals.get(Keys.ENABLED), "true");
            if (enabled != null) cb.enabled(enabled);
            Mode globalMode = Mode.ENFORCE;
            Entry mode = value(globals.get(Keys.MODE));
            if (mode != null) {
                Mode m = Mode.parse(mode.value);
                if (m == Mode.ENFORCE || m == Mode.OBSERVE) globalMode = m;
                else bad(mode, m == Mode.OFF ? "enforce or observe (to switch Sluice off use sluice.enabled=false)"
                        : "enforce or observe", "enforce");
            }
            cb.mode(globalMode);
            long reload = duration(globals.get(Keys.RELOAD), false, SluiceConfig.DEFAULT_RELOAD_NANOS);
            cb.reloadNanos(reload);
            Boolean jmx = bool(globals.get(Keys.JMX), "true");
            if (jmx != null) cb.jmx(jmx);
            Entry level = value(globals.get(Keys.LOG_LEVEL));
            if (level != null) {
                SluiceLog.Level l = SluiceLog.parse(level.value);
                if (l == null) bad(level, "one of error, warn, info, debug", "info");
                else cb.logLevel(l);
            }

            Map<String, String> prefixOwner = new HashMap<>();
            Set<String> built = new LinkedHashSet<>();
            for (Map.Entry<String, Map<String, Entry>> ep : endpoints.entrySet()) {
                EndpointConfig ec = endpoint(ep.getKey(), ep.getValue(), globalMode, prefixOwner);
                if (ec != null) {
                    cb.endpoint(ec);
                    built.add(ec.id());
                }
            }
            for (Map.Entry<String, Map<String, Entry>> a : alerts.entrySet()) {
                AlertConfig ac = alert(a.getKey(), a.getValue(), built);
                if (ac != null) cb.alert(ac);
            }
            for (Map.Entry<String, Entry> c : clients.entrySet()) {
                if (!Values.isName(c.getKey())) {
                    problems.add("client name '" + c.getKey() + "' may hold only letters, digits, '-' and '_'; "
                            + c.getValue().key + " is ignored [" + c.getValue().where + "]");
                    continue;
                }
                Boolean on = bool(c.getValue(), "true");
                if (on != null) cb.clientEnabled(c.getKey(), on);
            }
            return new ConfigLoadResult(cb.build(), new ArrayList<>(problems), fileRead);
        }

        private EndpointConfig endpoint(String id, Map<String, Entry> keys, Mode globalMode,
                                        Map<String, String> prefixOwner) {
            Entry any = keys.values().iterator().next();
            if (!Values.isName(id)) {
                problems.add("endpoint id '" + id + "' may hold only letters, digits, '-' and '_'; its "
                        + keys.size() + " key(s) are ignored, e.g. " + any.key + " [" + any.where + "]");
                return null;
            }
            Entry match = value(keys.get("match"));
            if (match == null) {
                problems.add("endpoint " + id + " has no " + Keys.ENDPOINT + id + ".match (URL prefixes like"
                        + " https://api.openai.com/v1); the endpoint is ignored [" + any.where + "]");
                return null;
            }
            EndpointConfig.Builder b = EndpointConfig.builder(id);
            List<String> badPrefixes = new ArrayList<>();
            List<String> taken = new ArrayList<>();
            int good = 0;
            for (String raw : match.value.split(",")) {
                if (raw.isBlank()) continue;
                MatchPrefix p;
                try {
                    p = MatchPrefix.parse(raw);
                } catch (IllegalArgumentException e) {
                    badPrefixes.add(Keys.clip(Keys.maskUserInfo(raw.trim())) + " " + Keys.clip(e.getMessage()));
                    continue;
                }
                String owner = prefixOwner.putIfAbsent(p.text, id);
                if (owner != null && !owner.equals(id)) {
                    taken.add(p.text + " is already matched by endpoint " + owner);
                    continue;
                }
                b.addPrefix(p);
                good++;
            }
            if (!badPrefixes.isEmpty() || !taken.isEmpty()) {
                List<String> all = new ArrayList<>(badPrefixes);
                all.addAll(taken);
                String using = good == 0 ? "the endpoint is ignored (no usable prefix)"
                        : "the other prefixes are used";
                problems.add(match.key + "=" + Keys.display(match.key, match.value) + ": " + String.join("; ", all)
                        + "; " + using + " [" + match.where + "]");
            }
            if (good == 0) return null;

            Entry provider = value(keys.get("provider"));
            if (provider != null) {
                ProviderKind p = ProviderKind.parse(provider.value);
                if (p == null) bad(provider, "one of openai, anthropic, gemini, generic", "generic");
                else b.provider(p);
            }
            b.limits(limits(keys, globalMode));
            Entry header = value(keys.get("priority.header"));
            if (header != null) {
                if (Values.isHeaderName(header.value)) b.priorityHeader(header.value);
                else bad(header, "an HTTP header name", EndpointConfig.DEFAULT_PRIORITY_HEADER);
            }
            Entry pdefault = value(keys.get("priority.default"));
            if (pdefault != null) {
                Priority p = Priority.parse(pdefault.value);
                if (p == null) bad(pdefault, "one of high, normal, low", "normal");
                else b.priorityDefault(p);
            }
            for (Map.Entry<String, Entry> k : keys.entrySet()) {
                if (!k.getKey().startsWith(Keys.THREADS)) continue;
                Entry e = value(k.getValue());
                if (e == null) continue;
                String levelName = k.getKey().substring(Keys.THREADS.length());
                Priority level = Priority.parse(levelName);
                if (level == null || !levelName.equals(level.label())) {
                    problems.add(e.key + ": " + levelName + " is not a priority (high, normal or low); the rule is"
                            + " ignored [" + e.where + "]");
                    continue;
                }
                try {
                    b.priorityThreads(level, e.value);
                } catch (PatternSyntaxException x) {
                    problems.add(e.key + "=" + Keys.display(e.key, e.value) + " is not a valid regular expression ("
                            + x.getDescription() + " near index " + x.getIndex() + "); the rule is ignored ["
                            + e.where + "]");
                }
            }
            Entry estimator = value(keys.get("tokens.estimator"));
            if (estimator != null) {
                Estimator est = Estimator.parse(estimator.value);
                if (est == null) bad(estimator, "chars or tiktoken", "chars");
                else b.estimator(est);
            }
            Long output = whole(keys.get("tokens.output-default"), 0, Long.MAX_VALUE, "a whole number >= 0",
                    String.valueOf(EndpointConfig.DEFAULT_OUTPUT_TOKENS));
            if (output != null) b.outputDefaultTokens(output);
            Entry reject = value(keys.get("reject"));
            if (reject != null) {
                EndpointConfig.Reject r = EndpointConfig.Reject.parse(reject.value);
                if (r == null) bad(reject, "exception or http", "exception");
                else b.reject(r);
            }
            Entry store = value(keys.get("store"));
            if (store != null) {
                String problem = EndpointConfig.storeProblem(store.value);
                if (problem == null) b.store(store.value);
                else bad(store, "local or a redis://host:port URI", "local");
            }
            Double share = share(keys.get("store.fallback-share"), "a share between 0 and 1 (like 0.5, 50% or 1/3)",
                    "1.0");
            if (share != null) b.storeFallbackShare(share);
            b.maxPauseNanos(duration(keys.get("max-pause"), true, EndpointConfig.DEFAULT_MAX_PAUSE_NANOS));
            return b.build();
        }

        private GateLimits limits(Map<String, Entry> keys, Mode globalMode) {
            GateLimits.Builder lb = GateLimits.builder();
            Mode mode = globalMode;
            Entry m = value(keys.get("mode"));
            if (m != null) {
                Mode parsed = Mode.parse(m.value);
                if (parsed == null) bad(m, "one of enforce, observe, off", globalMode.label() + " (sluice.mode)");
                else mode = parsed;
            }
            lb.mode(mode);
            setLong(keys.get("rpm"), "a whole number >= 0", "0 (unlimited)", lb::rpm);
            setLong(keys.get("tpm"), "a whole number >= 0", "0 (unlimited)", lb::tpm);
            Entry burst = value(keys.get("burst"));
            if (burst != null) {
                Double v = Values.decimalOrFraction(burst.value);
                if (!apply(v == null ? null : () -> lb.burst(v))) {
                    bad(burst, "a number > 0 and <= 1000 (like 1.0, 0.5 or 1/60)", String.valueOf(GateLimits.DEFAULT_BURST));
                }
            }
            setInt(keys.get("max-concurrent"), "a whole number >= 0", "0 (unlimited)", lb::maxConcurrent);
            setInt(keys.get("queue.capacity"), "a whole number >= 0", String.valueOf(GateLimits.DEFAULT_QUEUE_CAPACITY),
                    lb::queueCapacity);
            int capacity = lb.build().queueCapacity();
            int high = (int) Math.ceil(capacity * 0.8);
            Entry hw = value(keys.get("queue.high-water"));
            if (hw != null) {
                Integer v = water(hw, capacity, true, "80% of queue.capacity (" + high + ")");
                if (v != null) {
                    if (v > capacity) {
                        problem(hw, "is more than queue.capacity (" + capacity + ")", String.valueOf(capacity));
                        v = capacity;
                    }
                    high = v;
                    lb.highWater(v);
                }
            }
            Entry lw = value(keys.get("queue.low-water"));
            if (lw != null) {
                int dflt = Math.min(high, (int) Math.floor(capacity * 0.2));
                Integer v = water(lw, capacity, false, "20% of queue.capacity (" + dflt + ")");
                if (v != null) {
                    if (v > high) {
                        problem(lw, "is more than queue.high-water (" + high + ")", String.valueOf(high));
                        v = high;
                    }
                    lb.lowWater(v);
                }
            }
            long maxWait = duration(keys.get("queue.max-wait"), false, GateLimits.DEFAULT_MAX_WAIT_NANOS);
            lb.maxWaitNanos(maxWait);
            Entry overflow = value(keys.get("queue.overflow"));
            if (overflow != null) {
                Overflow o = Overflow.parse(overflow.value);
                if (o == null) bad(overflow, "one of reject-new, drop-oldest, drop-random, drop-lowest-priority", "reject-new");
                else lb.overflow(o);
            }
            String shedExpect = "a share between 0 and 1 (like 0.9 or 90%)";
            Double low = share(keys.get("shed.threshold"), shedExpect, String.valueOf(GateLimits.DEFAULT_SHED_LOW));
            double shedLow = low == null ? GateLimits.DEFAULT_SHED_LOW : low;
            Double normal = share(keys.get("shed.normal"), shedExpect,
                    String.valueOf(Math.max(GateLimits.DEFAULT_SHED_NORMAL, shedLow)));
            double shedNormal;
            if (normal == null) {
                shedNormal = Math.max(GateLimits.DEFAULT_SHED_NORMAL, shedLow);
            } else if (normal < shedLow) {
                problem(keys.get("shed.normal"), "is below shed.threshold (" + shedLow + ")", String.valueOf(shedLow));
                shedNormal = shedLow;
            } else {
                shedNormal = normal;
            }
            Double highShed = share(keys.get("shed.high"), shedExpect,
                    String.valueOf(Math.max(GateLimits.DEFAULT_SHED_HIGH, shedNormal)));
            double shedHigh;
            if (highShed == null) {
                shedHigh = Math.max(GateLimits.DEFAULT_SHED_HIGH, shedNormal);
            } else if (highShed < shedNormal) {
                problem(keys.get("shed.high"), "is below shed.normal (" + shedNormal + ")", String.valueOf(shedNormal));
                shedHigh = shedNormal;
            } else {
                shedHigh = highShed;
            }
            lb.shedLow(shedLow).shedNormal(shedNormal).shedHigh(shedHigh);
            setInt(keys.get("breaker.failures"), "a whole number >= 1",
                    String.valueOf(GateLimits.DEFAULT_BREAKER_FAILURES), lb::breakerFailures);
            Entry rate = value(keys.get("breaker.failure-rate"));
            if (rate != null) {
                Long v = Values.percent(rate.value);
                if (v == null || v < 0 || v > 100 || !apply(() -> lb.breakerFailureRatePercent(v.intValue()))) {
                    bad(rate, "a percentage 0..100 (like 50 or 50%)", "0 (off)");
                }
            }
            setInt(keys.get("breaker.window"), "a whole number 1..10000",
                    String.valueOf(GateLimits.DEFAULT_BREAKER_WINDOW), lb::breakerWindow);
            lb.breakerOpenNanos(duration(keys.get("breaker.open-for"), false, GateLimits.DEFAULT_BREAKER_OPEN_NANOS));
            setInt(keys.get("breaker.half-open-calls"), "a whole number >= 1",
                    String.valueOf(GateLimits.DEFAULT_HALF_OPEN_CALLS), lb::breakerHalfOpenCalls);
            return lb.build();
        }

        /** A watermark: a count ({@code 80}) or a share of the capacity ({@code 80%}, {@code 0.8}). */
        private Integer water(Entry e, int capacity, boolean roundUp, String dflt) {
            String expect = "a count (like 80) or a share of queue.capacity (like 80% or 0.8)";
            if (Values.looksLikeShare(e.value)) {
                Double s = Values.share(e.value);
                if (s == null || s < 0 || s > 1) {
                    bad(e, expect, dflt);
                    return null;
                }
                return (int) (roundUp ? Math.ceil(capacity * s) : Math.floor(capacity * s));
            }
            Long v = Values.wholeNumber(e.value);
            if (v == null || v < 0 || v > Integer.MAX_VALUE) {
                bad(e, expect, dflt);
                return null;
            }
            return v.intValue();
        }

        private AlertConfig alert(String name, Map<String, Entry> keys, Set<String> endpointIds) {
            Entry any = keys.values().iterator().next();
            if (!Values.isName(name)) {
                problems.add("alert name '" + name + "' may hold only letters, digits, '-' and '_'; its "
                        + keys.size() + " key(s) are ignored, e.g. " + any.key + " [" + any.where + "]");
                return null;
            }
            Entry when = value(keys.get("when"));
            if (when == null) {
                problems.add("alert " + name + " has no " + Keys.ALERT + name + ".when (a condition like"
                        + " queue.depth > 100); the rule is ignored [" + any.where + "]");
                return null;
            }
            String endpoint = "*";
            Entry ep = value(keys.get("endpoint"));
            if (ep != null) {
                if (!ep.value.equals("*") && !endpointIds.contains(ep.value)) {
                    problems.add(ep.key + "=" + Keys.display(ep.key, ep.value) + " names no configured endpoint"
                            + (endpointIds.isEmpty() ? "" : " (" + String.join(", ", endpointIds) + ", or * for all)")
                            + "; the rule is ignored [" + ep.where + "]");
                    return null;
                }
                endpoint = ep.value;
            }
            long forNanos = duration(keys.get("for"), false, 0);
            String action = "log";
            Entry a = value(keys.get("action"));
            if (a != null) {
                String v = a.value.toLowerCase(Locale.ROOT);
                if (v.equals("log") || v.equals("notify") || v.equals("shed-low")) action = v;
                else bad(a, "one of log, notify, shed-low", "log");
            }
            return new AlertConfig(name, endpoint, when.value, forNanos, action);
        }

        // ------------------------------------------------------------------------------------------ values

        /** The entry, or null when it is absent or its value is empty (an empty value means "not set"). */
        private static Entry value(Entry e) {
            return e == null || e.value.isEmpty() ? null : e;
        }

        private void bad(Entry e, String expected, String using) {
            problem(e, "is not " + expected, using);
        }

        /** {@code key=value <saying>; using <using> [where]}: the one shape of every bad-value message. */
        private void problem(Entry e, String saying, String using) {
            problems.add(e.key + "=" + Keys.display(e.key, e.value) + " " + saying + "; using " + using
                    + " [" + e.where + "]");
        }

        private interface LongSetter {
            void set(long v);
        }

        private interface IntSetter {
            void set(int v);
        }

        /** Runs a builder setter; false when there was nothing to run or the builder refused the value. */
        private static boolean apply(Runnable setter) {
            if (setter == null) return false;
            try {
                setter.run();
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private void setLong(Entry entry, String expected, String using, LongSetter setter) {
            Entry e = value(entry);
            if (e == null) return;
            Long v = Values.wholeNumber(e.value);
            if (!apply(v == null ? null : () -> setter.set(v))) bad(e, expected, using);
        }

        private void setInt(Entry entry, String expected, String using, IntSetter setter) {
            Entry e = value(entry);
            if (e == null) return;
            Long v = Values.wholeNumber(e.value);
            boolean fits = v != null && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            if (!apply(fits ? () -> setter.set(v.intValue()) : null)) bad(e, expected, using);
        }

        private Long whole(Entry entry, long min, long max, String expected, String using) {
            Entry e = value(entry);
            if (e == null) return null;
            Long v = Values.wholeNumber(e.value);
            if (v == null || v < min || v > max) {
                bad(e, expected, using);
                return null;
            }
            return v;
        }

        private Double share(Entry entry, String expected, String using) {
            Entry e = value(entry);
            if (e == null) return null;
            Double v = Values.share(e.value);
            if (v == null || v < 0 || v > 1) {
                bad(e, expected, using);
                return null;
            }
            return v;
        }

        private Boolean bool(Entry entry, String using) {
            Entry e = value(entry);
            if (e == null) return null;
            Boolean v = Values.bool(e.value);
            if (v == null) bad(e, "true or false (also yes/no, on/off)", using);
            return v;
        }

        /** A duration in nanos; {@code dflt} when absent or bad. {@code positive}: 0 is not allowed. */
        private long duration(Entry entry, boolean positive, long dflt) {
            Entry e = value(entry);
            if (e == null) return dflt;
            long n = Values.durationNanos(e.value);
            if (n < 0 || (positive && n == 0)) {
                bad(e, positive ? "a duration > 0 (like 30s, 5m)" : "a duration (like 250ms, 30s, 2m)",
                        Values.formatDuration(dflt));
                return dflt;
            }
            return n;
        }
    }
}
