package dev.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalogue of keys: which names are keys at all, how a key splits into endpoint id / alert name and
 * suffix, the environment-variable form of a key, the nearest known key to a misspelt one, and which values
 * must never be printed.
 */
final class Keys {
    static final String PREFIX = "sluice.";
    static final String ENDPOINT = "sluice.endpoint.";
    static final String ALERT = "sluice.alert.";
    static final String CLIENT = "sluice.client.";
    static final String CLIENT_SUFFIX = ".enabled";
    static final String THREADS = "priority.threads.";

    static final String ENABLED = "sluice.enabled";
    static final String MODE = "sluice.mode";
    static final String RELOAD = "sluice.reload";
    static final String JMX = "sluice.jmx";
    static final String LOG_LEVEL = "sluice.log.level";
    /** Names the file; not a key inside it. */
    static final String CONFIG = "sluice.config";
    static final String CONFIG_ENV = "SLUICE_CONFIG";

    static final List<String> GLOBAL = List.of(ENABLED, MODE, RELOAD, JMX, LOG_LEVEL);

    static final List<String> ENDPOINT_SUFFIXES = List.of(
            "match", "provider", "mode", "rpm", "tpm", "burst", "max-concurrent",
            "queue.capacity", "queue.high-water", "queue.low-water", "queue.max-wait", "queue.overflow",
            "shed.threshold", "shed.normal", "shed.high",
            "priority.header", "priority.default",
            THREADS + "high", THREADS + "normal", THREADS + "low",
            "breaker.failures", "breaker.failure-rate", "breaker.window", "breaker.open-for",
            "breaker.half-open-calls",
            "tokens.estimator", "tokens.output-default",
            "reject", "store", "store.fallback-share", "max-pause");

    static final List<String> ALERT_SUFFIXES = List.of("endpoint", "when", "for", "action");

    private static final Set<String> ENDPOINT_SUFFIX_SET = Set.copyOf(ENDPOINT_SUFFIXES);
    private static final Set<String> ALERT_SUFFIX_SET = Set.copyOf(ALERT_SUFFIXES);

    private Keys() {
    }

    enum Kind { GLOBAL, ENDPOINT, ALERT, CLIENT }

    /** A key split into its parts: {@code sluice.endpoint.<owner>.<suffix>}; owner null for global keys. */
    static final class Parsed {
        final Kind kind;
        final String owner;
        final String suffix;

        Parsed(Kind kind, String owner, String suffix) {
            this.kind = kind;
            this.owner = owner;
            this.suffix = suffix;
        }
    }

    static boolean isEndpointSuffix(String suffix) {
        if (ENDPOINT_SUFFIX_SET.contains(suffix)) return true;
        // priority.threads.<level>: a bad level is reported as a bad value of a known key, not as an unknown key.
        return suffix.startsWith(THREADS) && suffix.length() > THREADS.length()
                && suffix.indexOf('.', THREADS.length()) < 0;
    }

    /** Null when the key is not one Sluice knows. The owner (endpoint id, alert or client name) is not checked. */
    static Parsed classify(String key) {
        if (GLOBAL.contains(key)) return new Parsed(Kind.GLOBAL, null, key);
        if (key.startsWith(ENDPOINT)) return split(key.substring(ENDPOINT.length()), Kind.ENDPOINT);
        if (key.startsWith(ALERT)) return split(key.substring(ALERT.length()), Kind.ALERT);
        if (key.startsWith(CLIENT) && key.endsWith(CLIENT_SUFFIX)
                && key.length() > CLIENT.length() + CLIENT_SUFFIX.length()) {
            return new Parsed(Kind.CLIENT, key.substring(CLIENT.length(), key.length() - CLIENT_SUFFIX.length()),
                    "enabled");
        }
        return null;
    }

    /** {@code <owner>.<suffix>}: the first split whose right side is a known suffix (shortest owner). */
    private static Parsed split(String rest, Kind kind) {
        for (int dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.', dot + 1)) {
            String suffix = rest.substring(dot + 1);
            boolean known = kind == Kind.ENDPOINT ? isEndpointSuffix(suffix) : ALERT_SUFFIX_SET.contains(suffix);
            if (known) return new Parsed(kind, rest.substring(0, dot), suffix);
        }
        return null;
    }

    /** The environment-variable form of a key: upper case, '.' and '-' become '_'. */
    static String envName(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            sb.append(c == '.' || c == '-' ? '_' : Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /**
     * The key an environment variable stands for, or null when it fits no key. Endpoint ids and alert names are
     * taken from {@code knownEndpoints} / {@code knownAlerts} when one fits (so {@code my-vllm} is found from
     * {@code MY_VLLM}); otherwise the owner is the part before the first known suffix, in lower case.
     */
    static String keyOfEnv(String name, Iterable<String> knownEndpoints, Iterable<String> knownAlerts) {
        String n = name.toUpperCase(Locale.ROOT);
        for (String g : GLOBAL) if (envName(g).equals(n)) return g;
        String key = ownedKeyOfEnv(n, "SLUICE_ENDPOINT_", ENDPOINT, ENDPOINT_SUFFIXES, knownEndpoints);
        if (key != null) return key;
        key = ownedKeyOfEnv(n, "SLUICE_ALERT_", ALERT, ALERT_SUFFIXES, knownAlerts);
        if (key != null) return key;
        if (n.startsWith("SLUICE_CLIENT_") && n.endsWith("_ENABLED") && n.length() > "SLUICE_CLIENT__ENABLED".length()) {
            return CLIENT + n.substring("SLUICE_CLIENT_".length(), n.length() - "_ENABLED".length())
                    .toLowerCase(Locale.ROOT) + CLIENT_SUFFIX;
        }
        return null;
    }

    private static String ownedKeyOfEnv(String n, String envPrefix, String keyPrefix, List<String> suffixes,
                                        Iterable<String> knownOwners) {
        if (!n.startsWith(envPrefix)) return null;
        String rest = n.substring(envPrefix.length());
        // A known owner: the longest whose env form fits.
        String best = null;
        String bestSuffix = null;
        for (String owner : knownOwners) {
            String e = envName(owner) + "_";
            if (rest.startsWith(e) && (best == null || owner.length() > best.length())) {
                String suffix = suffixOfEnv(rest.substring(e.length()), suffixes);
                if (suffix != null) {
                    best = owner;
                    bestSuffix = suffix;
                }
            }
        }
        if (best != null) return keyPrefix + best + "." + bestSuffix;
        for (int us = rest.indexOf('_'); us > 0; us = rest.indexOf('_', us + 1)) {
            String suffix = suffixOfEnv(rest.substring(us + 1), suffixes);
            if (suffix != null) return keyPrefix + rest.substring(0, us).toLowerCase(Locale.ROOT) + "." + suffix;
        }
        return null;
    }

    private static String suffixOfEnv(String envSuffix, List<String> suffixes) {
        for (String s : suffixes) if (envName(s).equals(envSuffix)) return s;
        return null;
    }

    // ---------------------------------------------------------------- did you mean

    /**
     * The known key nearest to an unknown one, or null when none is near enough. Candidates: the global keys,
     * every endpoint, alert and client key of the owners given and of the owner the unknown key seems to name.
     */
    static String suggest(String unknown, Iterable<String> endpointIds, Iterable<String> alertNames) {
        if (!unknown.startsWith(PREFIX) && classify(PREFIX + unknown) != null) return PREFIX + unknown;
        String[] parts = unknown.split("\\.", -1);
        // "sluice.endpoint.x.capacity" -> "sluice.endpoint.x.queue.capacity": the last segment alone.
        if (parts.length == 4 && unknown.startsWith(ENDPOINT)) {
            String match = null;
            int found = 0;
            for (String s : ENDPOINT_SUFFIXES) {
                if (s.endsWith("." + parts[3])) {
                    match = s;
                    found++;
                }
            }
            if (found == 1) return ENDPOINT + parts[2] + "." + match;
        }
        List<String> owners = new ArrayList<>();
        if (parts.length >= 3) owners.add(parts[2]);
        return nearest(unknown.toLowerCase(Locale.ROOT), candidates(owners, endpointIds, alertNames), false);
    }

    /** As {@link #suggest}, for an environment variable: the answer is a variable name. */
    static String suggestEnv(String name, Iterable<String> endpointIds, Iterable<String> alertNames) {
        String n = name.toUpperCase(Locale.ROOT);
        List<String> owners = new ArrayList<>();
        String[] parts = n.split("_", -1);
        if (parts.length >= 3) owners.add(parts[2].toLowerCase(Locale.ROOT));
        return nearest(n, candidates(owners, endpointIds, alertNames), true);
    }

    private static List<String> candidates(List<String> owners, Iterable<String> endpointIds,
                                           Iterable<String> alertNames) {
        List<String> all = new ArrayList<>(owners);
        for (String id : endpointIds) all.add(id);
        for (String a : alertNames) all.add(a);
        List<String> candidates = new ArrayList<>(GLOBAL);
        for (String owner : all) {
            for (String s : ENDPOINT_SUFFIXES) candidates.add(ENDPOINT + owner + "." + s);
            for (String s : ALERT_SUFFIXES) candidates.add(ALERT + owner + "." + s);
            candidates.add(CLIENT + owner + CLIENT_SUFFIX);
        }
        return candidates;
    }

    /** {@code unknown} is lower case (a key) or upper case (an env name, {@code env} true). */
    private static String nearest(String unknown, List<String> candidates, boolean env) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String form = env ? envName(c) : c.toLowerCase(Locale.ROOT);
            int d = distance(unknown, form);
            if (d < bestDistance) { // 0: the key differs only in case
                bestDistance = d;
                best = env ? form : c;
            }
        }
        if (best == null) return null;
        // Allowed edits grow with the length of the part that differs: "rmp" vs "rpm" yes, "foo" vs "mode" no.
        String b = env ? best : best.toLowerCase(Locale.ROOT);
        int common = 0;
        while (common < unknown.length() && common < b.length() && unknown.charAt(common) == b.charAt(common)) common++;
        int differing = Math.max(unknown.length(), b.length()) - common;
        int allowed = Math.min(3, Math.max(1, differing / 3));
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int n = a.length(), m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) d[i][0] = i;
        for (int j = 0; j <= m; j++) d[0][j] = j;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[n][m];
    }

    // ---------------------------------------------------------------- secrets

    /**
     * A key whose name suggests a secret: password, secret, credential, api key, auth, or a {@code token}
     * segment (an API token). {@code tokens.*} and {@code tpm} are counts, not secrets.
     */
    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("passwd") || k.contains("secret") || k.contains("credential")
                || k.contains("apikey") || k.contains("auth") || k.contains("bearer")) {
            return true;
        }
        for (String segment : k.split("[._\\-]")) {
            if (segment.equals("token") || segment.equals("key") || segment.equals("pwd")) return true;
        }
        return false;
    }

    /**
     * A value as it may appear in a message: masked for a secret key, password hidden in a URI's user info, and
     * {@link #clip clipped}.
     */
    static String display(String key, String value) {
        if (value == null) return "";
        if (isSecretKey(key)) return "****";
        return clip(maskUserInfo(value));
    }

    /** Longest text of a value or key quoted whole in a message. */
    static final int CLIP = 100;

    /**
     * Text from the configuration as a message quotes it: control characters escaped (a value must not break or
     * forge a log line), and past {@link #CLIP} characters cut, saying how long it was (a 10,000-character value
     * makes no clearer message than its first 60).
     */
    static String clip(String text) {
        if (text == null) return "";
        boolean clean = text.length() <= CLIP;
        for (int i = 0; clean && i < text.length(); i++) clean = text.charAt(i) >= 0x20 && text.charAt(i) != 0x7f;
        if (clean) return text;
        StringBuilder sb = new StringBuilder(Math.min(text.length(), CLIP) + 32);
        int end = text.length() <= CLIP ? text.length() : 60;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else sb.append(c);
        }
        if (end < text.length()) sb.append("...(").append(text.length()).append(" characters)");
        return sb.toString();
    }

    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\\s,]*)@");

    /** {@code redis://:pw@host} becomes {@code redis://:****@host}, {@code redis://u:pw@h} {@code redis://u:****@h}. */
    static String maskUserInfo(String value) {
        if (value.indexOf('@') < 0) return value;
        Matcher m = USER_INFO.matcher(value);
        StringBuilder sb = new StringBuilder(value.length());
        while (m.find()) {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String masked = colon >= 0 ? info.substring(0, colon + 1) + "****" : "****";
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
