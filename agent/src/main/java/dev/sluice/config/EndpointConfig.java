package dev.sluice.config;

import dev.sluice.core.GateLimits;
import dev.sluice.core.Priority;
import dev.sluice.provider.Estimator;
import dev.sluice.provider.ProviderKind;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One endpoint's validated configuration, immutable: {@code sluice.endpoint.<id>.*}.
 * The loader builds it from the properties; code and tests may build one with {@link #builder(String)}.
 *
 * API CONTRACT (implementation owned by config).
 */
public final class EndpointConfig {
    /** How a refusal reaches the application. */
    public enum Reject {
        EXCEPTION, HTTP;

        public static Reject parse(String s) {
            if (s == null) return null;
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "exception": return EXCEPTION;
                case "http": return HTTP;
                default: return null;
            }
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final String DEFAULT_PRIORITY_HEADER = "X-Sluice-Priority";
    public static final long DEFAULT_OUTPUT_TOKENS = 512;
    public static final String LOCAL_STORE = "local";
    /**
     * store.fallback-share {@code auto}: while the shared store is unreachable a JVM uses the limits divided by
     * the replicas that shared the quota recently (all of it when it never saw the store).
     */
    public static final double FALLBACK_SHARE_AUTO = -1.0;
    /** store.timeout: the longest a call waits for the shared store before the local fallback answers it. */
    public static final long DEFAULT_STORE_TIMEOUT_NANOS = 50_000_000L;
    public static final long DEFAULT_MAX_PAUSE_NANOS = 5L * 60 * 1_000_000_000L;

    /** Thread-name → priority answers kept per endpoint; cleared when full (thread names are few in practice). */
    static final int THREAD_CACHE_LIMIT = 1024;
    private static final Object NO_PRIORITY = new Object();

    private final String id;
    private final List<String> match;
    private final List<MatchPrefix> prefixes;
    private final ProviderKind provider;
    private final GateLimits limits;
    private final String priorityHeader;
    private final Priority priorityDefault;
    /** Checked in this order: high, normal, low. */
    private final Priority[] threadPriorities;
    private final Pattern[] threadPatterns;
    private final ConcurrentHashMap<String, Object> threadCache;
    private final long outputDefaultTokens;
    private final Estimator estimator;
    private final Reject reject;
    private final String store;
    private final double storeFallbackShare;
    private final String storeQuota;
    private final long storeTimeoutNanos;
    private final String storePasswordEnv;
    private final long maxPauseNanos;

    private EndpointConfig(Builder b) {
        this.id = b.id;
        this.prefixes = List.copyOf(b.prefixes);
        List<String> texts = new ArrayList<>();
        for (MatchPrefix p : prefixes) texts.add(p.text);
        this.match = Collections.unmodifiableList(texts);
        this.provider = b.provider;
        this.limits = b.limits;
        this.priorityHeader = b.priorityHeader;
        this.priorityDefault = b.priorityDefault;
        List<Priority> levels = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        for (int i = Priority.values().length - 1; i >= 0; i--) {
            if (b.threads[i] != null) {
                levels.add(Priority.ofOrdinal(i));
                patterns.add(b.threads[i]);
            }
        }
        this.threadPriorities = levels.toArray(new Priority[0]);
        this.threadPatterns = patterns.toArray(new Pattern[0]);
        this.threadCache = threadPatterns.length == 0 ? null : new ConcurrentHashMap<>();
        this.outputDefaultTokens = b.outputDefaultTokens;
        this.estimator = b.estimator;
        this.reject = b.reject;
        this.store = b.store;
        this.storeFallbackShare = b.storeFallbackShare;
        this.storeQuota = b.storeQuota == null ? b.id : b.storeQuota;
        this.storeTimeoutNanos = b.storeTimeoutNanos;
        this.storePasswordEnv = b.storePasswordEnv;
        this.maxPauseNanos = b.maxPauseNanos;
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** Letters, digits, '-' and '_' only. */
    public String id() { return id; }

    /** The match prefixes as written (normalised: lower-case scheme and host, no trailing '/'). */
    public List<String> match() { return match; }

    List<MatchPrefix> prefixes() { return prefixes; }

    public ProviderKind provider() { return provider; }

    /** Every gate limit, the endpoint's mode included (its own, else the global one). */
    public GateLimits limits() { return limits; }

    /** priority.header, default X-Sluice-Priority. */
    public String priorityHeader() { return priorityHeader; }

    public Priority priorityDefault() { return priorityDefault; }

    /**
     * The first priority whose priority.threads.<level> regex matches the whole thread name; null = none.
     * Levels are tried from high to low. Answers are cached per thread name (bounded), so the regexes run once
     * per name, not once per call.
     */
    public Priority priorityForThread(String threadName) {
        if (threadCache == null || threadName == null) return null;
        Object cached = threadCache.get(threadName);
        if (cached == null) {
            cached = NO_PRIORITY;
            for (int i = 0; i < threadPatterns.length; i++) {
                if (threadPatterns[i].matcher(threadName).matches()) {
                    cached = threadPriorities[i];
                    break;
                }
            }
            if (threadCache.size() >= THREAD_CACHE_LIMIT) threadCache.clear();
            threadCache.put(threadName, cached);
        }
        return cached == NO_PRIORITY ? null : (Priority) cached;
    }

    /** The regex of priority.threads.<level>, or null when none is set. */
    public String priorityThreads(Priority level) {
        for (int i = 0; i < threadPriorities.length; i++) {
            if (threadPriorities[i] == level) return threadPatterns[i].pattern();
        }
        return null;
    }

    int threadCacheSize() {
        return threadCache == null ? 0 : threadCache.size();
    }

    /** tokens.output-default */
    public long outputDefaultTokens() { return outputDefaultTokens; }

    public Estimator estimator() { return estimator; }

    public Reject reject() { return reject; }

    /** {@code local} or a redis:// / rediss:// URI. */
    public String store() { return store; }

    /** {@link #store()} with any password in it masked: safe to log. */
    public String storeForDisplay() { return Keys.maskUserInfo(store); }

    /**
     * store.fallback-share: share (0..1) of the limits this JVM uses alone while the shared store is unreachable,
     * or {@link #FALLBACK_SHARE_AUTO} (the default).
     */
    public double storeFallbackShare() { return storeFallbackShare; }

    /**
     * store.quota: the name the shared quota goes by in the store (default: the endpoint id). Endpoints, or
     * applications, with the same store and quota name share one RPM/TPM quota; different names keep them apart.
     */
    public String storeQuota() { return storeQuota; }

    /** store.timeout: how long a call waits for the shared store before the local fallback answers it. */
    public long storeTimeoutNanos() { return storeTimeoutNanos; }

    /** store.password-env: the environment variable holding the store's password; null = none (or the URI's). */
    public String storePasswordEnv() { return storePasswordEnv; }

    /** Longest pause a provider's retry time may cause (a provider once said "try again in 114h"). */
    public long maxPauseNanos() { return maxPauseNanos; }

    /** Safe to log: a store password is masked. */
    @Override
    public String toString() {
        return "EndpointConfig{" + id + ", match=" + match + ", provider=" + provider.label() + ", " + limits
                + ", store=" + Keys.maskUserInfo(store) + (LOCAL_STORE.equals(store) ? "" : " as " + storeQuota) + "}";
    }

    /** Checks each value as it is set (IllegalArgumentException with a message); {@link #build()} needs a match. */
    public static final class Builder {
        private final String id;
        private final List<MatchPrefix> prefixes = new ArrayList<>();
        private ProviderKind provider = ProviderKind.GENERIC;
        private GateLimits limits = GateLimits.defaults();
        private String priorityHeader = DEFAULT_PRIORITY_HEADER;
        private Priority priorityDefault = Priority.NORMAL;
        private final Pattern[] threads = new Pattern[Priority.values().length];
        private long outputDefaultTokens = DEFAULT_OUTPUT_TOKENS;
        private Estimator estimator = Estimator.CHARS;
        private Reject reject = Reject.EXCEPTION;
        private String store = LOCAL_STORE;
        private double storeFallbackShare = FALLBACK_SHARE_AUTO;
        private String storeQuota;
        private long storeTimeoutNanos = DEFAULT_STORE_TIMEOUT_NANOS;
        private String storePasswordEnv;
        private long maxPauseNanos = DEFAULT_MAX_PAUSE_NANOS;

        private Builder(String id) {
            if (!Values.isName(id)) {
                throw new IllegalArgumentException("endpoint id '" + id + "' may hold only letters, digits, '-' and '_'");
            }
            this.id = id;
        }

        /** Adds URL prefixes like {@code https://api.openai.com/v1} or {@code https://*.openai.azure.com}. */
        public Builder match(String... urlPrefixes) {
            for (String u : urlPrefixes) addPrefix(MatchPrefix.parse(u));
            return this;
        }

        Builder addPrefix(MatchPrefix p) {
            for (MatchPrefix q : prefixes) if (q.text.equals(p.text)) return this;
            prefixes.add(p);
            return this;
        }

        public Builder provider(ProviderKind v) { provider = require(v, "provider"); return this; }
        public Builder limits(GateLimits v) { limits = require(v, "limits"); return this; }

        public Builder priorityHeader(String v) {
            if (!Values.isHeaderName(v)) throw new IllegalArgumentException("priority.header must be an HTTP header name");
            priorityHeader = v;
            return this;
        }

        public Builder priorityDefault(Priority v) { priorityDefault = require(v, "priority.default"); return this; }

        /** A regex the whole thread name must match; null removes the rule. Bad regex: PatternSyntaxException. */
        public Builder priorityThreads(Priority level, String regex) {
            require(level, "priority level");
            threads[level.ordinal()] = regex == null ? null : Pattern.compile(regex);
            return this;
        }

        public Builder outputDefaultTokens(long v) {
            if (v < 0) throw new IllegalArgumentException("tokens.output-default must be >= 0, was " + v);
            outputDefaultTokens = v;
            return this;
        }

        public Builder estimator(Estimator v) { estimator = require(v, "tokens.estimator"); return this; }
        public Builder reject(Reject v) { reject = require(v, "reject"); return this; }

        /** {@code local}, or {@code redis://host[:port]} / {@code rediss://...}. */
        public Builder store(String v) {
            String problem = storeProblem(v);
            if (problem != null) throw new IllegalArgumentException("store " + problem);
            store = v.trim().equalsIgnoreCase(LOCAL_STORE) ? LOCAL_STORE : v.trim();
            return this;
        }

        /** 0..1, or {@link #FALLBACK_SHARE_AUTO}. */
        public Builder storeFallbackShare(double v) {
            if (!(v >= 0 && v <= 1) && v != FALLBACK_SHARE_AUTO) {
                throw new IllegalArgumentException("store.fallback-share must be 0..1 or auto, was " + v);
            }
            storeFallbackShare = v;
            return this;
        }

        /** Letters, digits, '-', '_', '.' and ':', at most 100; null = the endpoint id. */
        public Builder storeQuota(String v) {
            if (v != null && !isQuotaName(v)) {
                throw new IllegalArgumentException("store.quota may hold only letters, digits, '-', '_', '.' and ':'"
                        + " (at most 100), was '" + v + "'");
            }
            storeQuota = v;
            return this;
        }

        public Builder storeTimeoutNanos(long v) {
            if (v <= 0) throw new IllegalArgumentException("store.timeout must be > 0, was " + v);
            storeTimeoutNanos = v;
            return this;
        }

        /** An environment variable name; null = none. */
        public Builder storePasswordEnv(String v) {
            if (v != null && !isEnvName(v)) {
                throw new IllegalArgumentException("store.password-env must be an environment variable name");
            }
            storePasswordEnv = v;
            return this;
        }

        public Builder maxPauseNanos(long v) {
            if (v <= 0) throw new IllegalArgumentException("max-pause must be > 0, was " + v);
            maxPauseNanos = v;
            return this;
        }

        /** @throws IllegalArgumentException when no match prefix was given */
        public EndpointConfig build() {
            if (prefixes.isEmpty()) throw new IllegalArgumentException("endpoint " + id + " has no match prefix");
            return new EndpointConfig(this);
        }

        private static <T> T require(T v, String what) {
            if (v == null) throw new IllegalArgumentException(what + " must be set");
            return v;
        }
    }

    static boolean isQuotaName(String v) {
        return v != null && v.matches("[A-Za-z0-9._:-]{1,100}");
    }

    static boolean isEnvName(String v) {
        return v != null && v.matches("[A-Za-z_][A-Za-z0-9_]{0,254}");
    }

    /** Null when {@code v} is a store Sluice accepts, else what is wrong with it. */
    static String storeProblem(String v) {
        if (v == null || v.isBlank()) return "must be local or a redis:// URI";
        String t = v.trim();
        if (t.equalsIgnoreCase(LOCAL_STORE)) return null;
        java.net.URI uri;
        try {
            uri = new java.net.URI(t);
        } catch (java.net.URISyntaxException e) {
            return "is neither local nor a redis://host:port URI";
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss"))) {
            return "is neither local nor a redis://host:port URI";
        }
        if (uri.getHost() == null) return "is a redis URI without a host";
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,5}")) {
            return "names no database number (redis://host:port/0)";
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) return "is a redis URI with a query or fragment";
        return null;
    }
}
