package dev.sluice.mock;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small, fast mock LLM server on loopback, for tests (in-process) and the demo: OpenAI chat completions and
 * Responses, Anthropic messages, streaming and not, with provider-style rate limits, rate-limit headers and
 * failures, and exact, documented token counting ({@link TokenCount}).
 *
 * <pre>{@code
 * try (MockLlmServer s = MockLlmServer.builder().rpm(600).burstSeconds(1).start()) {
 *     URI chat = URI.create(s.chatUrl());
 *     ...
 *     assertEquals(0, s.rateLimited());
 * }
 * }</pre>
 *
 * <p>Endpoints (matched by path suffix, so {@code /openai/v1/chat/completions} works too):
 * {@code POST /v1/chat/completions}, {@code POST /v1/responses}, {@code POST /v1/messages}, {@code GET /v1/models}.
 *
 * <p>What one POST goes through, in order: counted in {@link #requests()}; the auth check
 * ({@link Builder#requireHeader}, else 401); JSON parse (else 400); {@code failStatus} (every call fails with it,
 * after the latency); {@code overloadedEvery} (every n-th call gets 529 on /v1/messages, 503 elsewhere, after the
 * latency); the rate limit (1 request + prompt tokens + output bound, at arrival; 429 at once without charging when
 * either bucket lacks); then {@code latencyMillis}, and the answer.
 *
 * <p>Every knob has a live setter of the same name on the server (thread-safe); {@code completionTokens(int)} is the
 * setting and {@code completionTokens()} the counter.
 */
public final class MockLlmServer implements AutoCloseable {
    static {
        // Without it the JDK server's small responses wait for delayed ACKs (~40 ms). Read once per JVM, when the
        // server implementation is first loaded, so it must be set before the first HttpServer.create.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        // The JDK server closes a connection that turns idle while 200 others are idle, though its answer promised
        // keep-alive; a client that reuses it at once fails with "connection reset". Hundreds of concurrent callers
        // are normal here, so keep them all. And keep idle connections longer than clients usually do (30 s).
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "100000");
        setIfAbsent("sun.net.httpserver.idleInterval", "300");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    private final HttpServer http;
    private final ThreadPoolExecutor executor;
    private final RateLimiter limiter = new RateLimiter();
    private final Object configLock = new Object();

    // Settings (the rate-limit ones are also pushed into the limiter under configLock).
    private long rpm;
    private long tpm;
    private long enforcedRpm;
    private long enforcedTpm;
    private double quotaShare;
    private double burstSeconds;
    private volatile long latencyMillis;
    private volatile int failStatus;
    private volatile long failRetryAfterMillis;
    private volatile int overloadedEvery;
    private volatile int streamChunks;
    private volatile long streamChunkDelayMillis;
    private volatile long streamPauseAfterFirstMillis;
    private volatile int streamErrorAfterChunks;
    private volatile long hugeStreamBytes;
    private volatile long completionTokensSetting;
    private volatile boolean includeUsageAlways;
    private volatile boolean omitUsage;
    private volatile ChargeMode chargeMode;
    private volatile String requiredHeaderName;
    private volatile String requiredHeaderValue;

    // Counters.
    private final AtomicLong requests = new AtomicLong();
    private final LongAdder ok = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder overloaded = new LongAdder();
    private final LongAdder streamErrors = new LongAdder();
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder badRequests = new LongAdder();
    private final LongAdder cuts = new LongAdder();
    private final LongAdder tokensCharged = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final Map<Long, LongAdder> acceptedPerSecond = new ConcurrentHashMap<>();
    private volatile long epochNanos = System.nanoTime();
    private volatile String lastRequestBody;

    private MockLlmServer(Builder b) throws IOException {
        this.rpm = b.rpm;
        this.tpm = b.tpm;
        this.enforcedRpm = b.enforcedRpm;
        this.enforcedTpm = b.enforcedTpm;
        this.quotaShare = b.quotaShare;
        this.burstSeconds = b.burstSeconds;
        this.latencyMillis = b.latencyMillis;
        this.failStatus = b.failStatus;
        this.failRetryAfterMillis = b.failRetryAfterMillis;
        this.overloadedEvery = b.overloadedEvery;
        this.streamChunks = b.streamChunks;
        this.streamChunkDelayMillis = b.streamChunkDelayMillis;
        this.streamPauseAfterFirstMillis = b.streamPauseAfterFirstMillis;
        this.streamErrorAfterChunks = b.streamErrorAfterChunks;
        this.hugeStreamBytes = b.hugeStreamBytes;
        this.completionTokensSetting = b.completionTokens;
        this.includeUsageAlways = b.includeUsageAlways;
        this.omitUsage = b.omitUsage;
        this.chargeMode = b.chargeMode;
        this.requiredHeaderName = b.requiredHeaderName;
        this.requiredHeaderValue = b.requiredHeaderValue;
        pushLimits();

        AtomicInteger n = new AtomicInteger();
        // Bounded, but threads are made only as needed and die when idle: a "cached pool" with a ceiling.
        executor = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "mock-llm-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 1024);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
    }

    /** A builder with the defaults: no limits, burst 60 s, 8 completion tokens, OpenAI charging, ephemeral port. */
    public static Builder builder() {
        return new Builder();
    }

    private MockLlmServer startServer() {
        http.start();
        epochNanos = System.nanoTime();
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Addresses

    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String baseUrl() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    public String chatUrl() {
        return baseUrl() + "/v1/chat/completions";
    }

    public String responsesUrl() {
        return baseUrl() + "/v1/responses";
    }

    public String messagesUrl() {
        return baseUrl() + "/v1/messages";
    }

    public String modelsUrl() {
        return baseUrl() + "/v1/models";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Counters

    /** Every POST received (any path), whatever was answered. */
    public long requests() {
        return requests.get();
    }

    /** 200 answers, counted when the server decides to answer 200 (before the latency and the body). */
    public long ok() {
        return ok.sum();
    }

    /** 429s sent by the rate limiter (not by {@code failStatus(429)}). */
    public long rateLimited() {
        return rateLimited.sum();
    }

    /** Deliberate failures: {@code failStatus} answers and {@code overloadedEvery} answers. */
    public long failed() {
        return failed.sum();
    }

    /** The {@code overloadedEvery} answers (also counted in {@link #failed()}). */
    public long overloaded() {
        return overloaded.sum();
    }

    /** Streams cut by an in-stream overload error ({@code streamErrorAfterChunks}); they were counted in {@link #ok()}. */
    public long streamErrors() {
        return streamErrors.sum();
    }

    /** 401s for a missing or wrong {@code requireHeader}. */
    public long unauthorized() {
        return unauthorized.sum();
    }

    /** 400s (body not JSON) and 404/405s. */
    /** Answers whose connection was cut mid-body on an x-mock-chaos {@code cut-after} directive. */
    public long cuts() {
        return cuts.sum();
    }

    public long badRequests() {
        return badRequests.sum();
    }

    /**
     * Net tokens charged against the TPM bucket: prompt tokens + output bound for every admitted call, less the
     * unused output refunded in {@link ChargeMode#ANTHROPIC_ADJUST_AT_END} mode. Counted whether or not a TPM
     * limit is set.
     */
    public long tokensCharged() {
        return tokensCharged.sum();
    }

    /** Prompt (input) tokens of the admitted calls, as their usage reports them. */
    public long promptTokens() {
        return promptTokens.sum();
    }

    /** Completion (output) tokens of the admitted calls, as their usage reports them. (The setting is {@code completionTokens(int)}.) */
    public long completionTokens() {
        return completionTokens.sum();
    }

    /** The most POSTs in progress at once. */
    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    /** POSTs in progress now (from the request read until the answer's last byte). */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Admitted (200) calls per second since the server started or {@link #reset()}: element k counts the calls
     * admitted during second k. Up to the last second with an admission.
     */
    public long[] acceptedPerSecond() {
        long max = -1;
        for (Long k : acceptedPerSecond.keySet()) max = Math.max(max, k);
        long[] out = new long[(int) (max + 1)];
        acceptedPerSecond.forEach((k, v) -> out[k.intValue()] = v.sum());
        return out;
    }

    /** The last POST body received (any path), or null. */
    public String lastRequestBody() {
        return lastRequestBody;
    }

    /** Tokens the TPM bucket holds now (infinite when unlimited). */
    public double availableTokens() {
        return limiter.availableTokens();
    }

    /** Requests the RPM bucket holds now (infinite when unlimited). */
    public double availableRequests() {
        return limiter.availableRequests();
    }

    /** Zeroes every counter and the timeline (second 0 starts now). The buckets are left as they are. */
    public MockLlmServer reset() {
        requests.set(0);
        for (LongAdder a : new LongAdder[]{ok, rateLimited, failed, overloaded, streamErrors, unauthorized, badRequests, cuts, tokensCharged,
                promptTokens, completionTokens}) {
            a.reset();
        }
        maxConcurrent.set(inFlight.get());
        acceptedPerSecond.clear();
        epochNanos = System.nanoTime();
        lastRequestBody = null;
        return this;
    }

    /** Fills both buckets, as after a long quiet spell. */
    public MockLlmServer refill() {
        limiter.fill();
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Live settings (same meaning as the builder's)

    public MockLlmServer rpm(long v) {
        synchronized (configLock) {
            rpm = v;
            pushLimits();
        }
        return this;
    }

    public MockLlmServer tpm(long v) {
        synchronized (configLock) {
            tpm = v;
            pushLimits();
        }
        return this;
    }

    public MockLlmServer enforcedRpm(long v) {
        synchronized (configLock) {
            enforcedRpm = v;
            pushLimits();
        }
        return this;
    }

    public MockLlmServer enforcedTpm(long v) {
        synchronized (configLock) {
            enforcedTpm = v;
            pushLimits();
        }
        return this;
    }

    public MockLlmServer quotaShare(double v) {
        synchronized (configLock) {
            double old = quotaShare;
            quotaShare = v;
            try {
                pushLimits();
            } catch (IllegalArgumentException e) {
                quotaShare = old;
                throw e;
            }
        }
        return this;
    }

    public MockLlmServer burstSeconds(double v) {
        synchronized (configLock) {
            double old = burstSeconds;
            burstSeconds = v;
            try {
                pushLimits();
            } catch (IllegalArgumentException e) {
                burstSeconds = old;
                throw e;
            }
        }
        return this;
    }

    private void pushLimits() {
        synchronized (configLock) {
            limiter.configure(rpm, tpm, enforcedRpm, enforcedTpm, quotaShare, burstSeconds);
        }
    }

    public MockLlmServer latencyMillis(long v) {
        latencyMillis = Math.max(0, v);
        return this;
    }

    public MockLlmServer failStatus(int v) {
        failStatus = v;
        return this;
    }

    public MockLlmServer failRetryAfterMillis(long v) {
        failRetryAfterMillis = Math.max(0, v);
        return this;
    }

    public MockLlmServer overloadedEvery(int v) {
        overloadedEvery = Math.max(0, v);
        return this;
    }

    public MockLlmServer streamChunks(int v) {
        streamChunks = Math.max(0, v);
        return this;
    }

    public MockLlmServer streamChunkDelayMillis(long v) {
        streamChunkDelayMillis = Math.max(0, v);
        return this;
    }

    public MockLlmServer streamPauseAfterFirstMillis(long v) {
        streamPauseAfterFirstMillis = Math.max(0, v);
        return this;
    }

    public MockLlmServer streamErrorAfterChunks(int v) {
        streamErrorAfterChunks = v < 0 ? -1 : v;
        return this;
    }

    public MockLlmServer hugeStreamBytes(long v) {
        hugeStreamBytes = Math.max(0, v);
        return this;
    }

    /** The setting (the counter is {@link #completionTokens()}). */
    public MockLlmServer completionTokens(int v) {
        completionTokensSetting = Math.max(0, v);
        return this;
    }

    public MockLlmServer includeUsageAlways(boolean v) {
        includeUsageAlways = v;
        return this;
    }

    public MockLlmServer omitUsage(boolean v) {
        omitUsage = v;
        return this;
    }

    public MockLlmServer chargeMode(ChargeMode v) {
        chargeMode = v == null ? ChargeMode.OPENAI_AT_ARRIVAL : v;
        return this;
    }

    /** Require this header (any value when {@code value} is null); null name turns the check off. */
    public MockLlmServer requireHeader(String name, String value) {
        requiredHeaderValue = value;
        requiredHeaderName = name;
        return this;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Handling

    private void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if ("POST".equals(method)) {
                post(ex, apiOf(path));
            } else if (path.endsWith("/models") && ("GET".equals(method) || "HEAD".equals(method))) {
                drain(ex);
                sendJson(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"mock-model\",\"object\":\"model\","
                        + "\"created\":0,\"owned_by\":\"sluice-mock\"}]}");
            } else {
                drain(ex);
                badRequests.increment();
                boolean known = apiOf(path) != null || path.endsWith("/models");
                sendError(ex, known ? 405 : 404, apiOf(path) == Call.Api.MESSAGES,
                        known ? "invalid_request_error" : "not_found_error",
                        known ? "Method " + method + " not allowed on " + path : "No such endpoint: " + path, null);
            }
        } catch (IOException e) {
            // The client went away, or the server is closing: nothing to answer.
        } catch (RuntimeException e) {
            try {
                sendJson(ex, 500, "{\"error\":{\"message\":" + Json.quote("mock server bug: " + e) + ",\"type\":\"server_error\"}}");
            } catch (IOException | RuntimeException ignored) {
                // headers may already be sent
            }
        } finally {
            ex.close();
        }
    }

    private static Call.Api apiOf(String path) {
        if (path.endsWith("/chat/completions")) return Call.Api.CHAT;
        if (path.endsWith("/responses")) return Call.Api.RESPONSES;
        if (path.endsWith("/messages")) return Call.Api.MESSAGES;
        return null;
    }

    private void post(HttpExchange ex, Call.Api api) throws IOException {
        long seq = requests.incrementAndGet();
        int now = inFlight.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String text = new String(raw, StandardCharsets.UTF_8);
            lastRequestBody = text;
            if (api == null) {
                badRequests.increment();
                sendError(ex, 404, false, "not_found_error", "No such endpoint: " + ex.getRequestURI().getPath(), null);
                return;
            }
            boolean anthropic = api.anthropic();
            String hName = requiredHeaderName;
            if (hName != null) {
                String got = ex.getRequestHeaders().getFirst(hName);
                String want = requiredHeaderValue;
                if (got == null || (want != null && !want.equals(got))) {
                    unauthorized.increment();
                    sendError(ex, 401, anthropic, anthropic ? "authentication_error" : "invalid_request_error",
                            anthropic ? "invalid x-api-key" : "Incorrect API key provided.", "invalid_api_key");
                    return;
                }
            }
            Map<String, Object> body;
            try {
                Object parsed = Json.parse(text);
                if (!(parsed instanceof Map)) throw new IllegalArgumentException("the body is not a JSON object");
                @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) parsed;
                body = m;
            } catch (IllegalArgumentException e) {
                badRequests.increment();
                sendError(ex, 400, anthropic, "invalid_request_error", "We could not parse the JSON body of your request. ("
                        + e.getMessage() + ")", null);
                return;
            }

            boolean stream = Boolean.TRUE.equals(body.get("stream"));
            Object so = body.get("stream_options");
            boolean askedUsage = so instanceof Map && Boolean.TRUE.equals(((Map<?, ?>) so).get("include_usage"));
            String model = body.get("model") instanceof String ? (String) body.get("model") : "mock-model";
            long prompt = TokenCount.promptTokens(body);
            long bound = TokenCount.outputBound(body);
            long huge = hugeStreamBytes;
            long hugeBytes = huge > 0 ? (huge + 3) / 4 * 4 : 0;
            long setting = completionTokensSetting;
            long out = hugeBytes > 0 ? hugeBytes / 4 : TokenCount.outputTokens(bound, setting);
            boolean truncated = hugeBytes == 0 && setting > bound;

            Chaos chaos = Chaos.of(ex.getRequestHeaders());
            if (chaos != null && chaos.status != 0) {
                Answers.sleep(chaos.latencyMillis);
                failed.increment();
                chaosFailure(ex, api, chaos, model);
                return;
            }

            int fail = failStatus;
            if (fail != 0) {
                Answers.sleep(latencyMillis);
                failed.increment();
                sendFailure(ex, api, fail, model);
                return;
            }
            int every = overloadedEvery;
            if (every > 0 && seq % every == 0) {
                Answers.sleep(latencyMillis);
                failed.increment();
                overloaded.increment();
                sendFailure(ex, api, anthropic ? 529 : 503, model);
                return;
            }

            long cost = prompt + bound;
            RateLimiter.Decision d = limiter.tryAcquire(cost);
            if (!d.admitted) {
                rateLimited.increment();
                send429(ex, api, d, model, cost);
                return;
            }
            tokensCharged.add(cost);
            promptTokens.add(prompt);
            completionTokens.add(out);
            ok.increment();
            acceptedPerSecond.computeIfAbsent(Math.max(0, System.nanoTime() - epochNanos) / 1_000_000_000L, k -> new LongAdder())
                    .increment();

            long refund = chargeMode == ChargeMode.ANTHROPIC_ADJUST_AT_END ? bound - out : 0;
            Runnable settle = refund == 0 ? null : () -> {
                limiter.creditTokens(refund);
                tokensCharged.add(-refund);
            };
            Call call = new Call(api, seq, model, stream, !omitUsage && (askedUsage || includeUsageAlways), omitUsage,
                    prompt, bound, out, hugeBytes, streamChunks,
                    chaos != null && chaos.chunkDelayMillis >= 0 ? chaos.chunkDelayMillis : streamChunkDelayMillis,
                    streamPauseAfterFirstMillis,
                    stream ? streamErrorAfterChunks : -1, streamErrors::increment, truncated, settle);
            try {
                Answers.sleep(chaos != null && chaos.latencyMillis >= 0 ? chaos.latencyMillis : latencyMillis);
                rateHeaders(ex.getResponseHeaders(), api, d);
                HttpExchange answer = chaos == null ? ex : chaos.exchange(ex);
                if (answer != ex) cuts.increment();
                if (stream) Answers.stream(answer, call);
                else Answers.json(answer, call);
            } finally {
                call.settle(); // the answer was cut short: settle all the same
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Errors and headers

    private void send429(HttpExchange ex, Call.Api api, RateLimiter.Decision d, String model, long cost) throws IOException {
        Headers h = ex.getResponseHeaders();
        rateHeaders(h, api, d);
        boolean requestsDim = "requests".equals(d.limitedBy);
        RateLimiter.View v = requestsDim ? d.requests : d.tokens;
        long requested = requestsDim ? 1 : cost;
        String json;
        if (d.tooLarge()) {
            String msg = api.anthropic()
                    ? "This request would exceed your organization's rate limit of " + v.limit + " tokens per minute on its own"
                    + " (requested " + requested + ", the bucket holds at most " + v.capacity + "). Reduce the prompt or max_tokens."
                    : "Request too large for " + model + " in organization org-mock on tokens per min (TPM): Limit " + v.limit
                    + ", Requested " + requested + ". The input or output tokens must be reduced in order to run successfully.";
            json = api.anthropic() ? anthropicError("rate_limit_error", msg) : openAiError(msg, "tokens", "rate_limit_exceeded");
        } else {
            long ms = Math.max(1, (d.waitNanos + 999_999) / 1_000_000);
            h.set("retry-after", String.valueOf((ms + 999) / 1000));
            h.set("retry-after-ms", String.valueOf(ms));
            String wait = goDuration(d.waitNanos);
            String msg = api.anthropic()
                    ? "This request would exceed your organization's rate limit of " + v.limit
                    + (requestsDim ? " requests" : " tokens") + " per minute. Please try again in " + wait + "."
                    : "Rate limit reached for " + model + " in organization org-mock on "
                    + (requestsDim ? "requests per min (RPM)" : "tokens per min (TPM)") + ": Limit " + v.limit
                    + ", Remaining " + v.remaining + ", Requested " + requested + ". Please try again in " + wait + ".";
            json = api.anthropic() ? anthropicError("rate_limit_error", msg) : openAiError(msg, d.limitedBy, "rate_limit_exceeded");
        }
        sendJson(ex, 429, json);
    }

    private void sendFailure(HttpExchange ex, Call.Api api, int status, String model) throws IOException {
        sendFailure(ex, api, status, model, failRetryAfterMillis);
    }

    private void sendFailure(HttpExchange ex, Call.Api api, int status, String model, long ra) throws IOException {
        Headers h = ex.getResponseHeaders();
        rateHeaders(h, api, limiter.peek());
        if (ra > 0) {
            h.set("retry-after", String.valueOf((ra + 999) / 1000));
            h.set("retry-after-ms", String.valueOf(ra));
        }
        String json;
        if (api.anthropic()) {
            String type;
            String msg;
            switch (status) {
                case 400: type = "invalid_request_error"; msg = "Invalid request"; break;
                case 401: type = "authentication_error"; msg = "invalid x-api-key"; break;
                case 403: type = "permission_error"; msg = "Your API key does not have permission to use the specified resource."; break;
                case 404: type = "not_found_error"; msg = "Not found"; break;
                case 413: type = "request_too_large"; msg = "Request exceeds the maximum allowed number of bytes."; break;
                case 429: type = "rate_limit_error"; msg = "You have reached your specified workspace API usage limits."; break;
                case 503: case 529: type = "overloaded_error"; msg = "Overloaded"; break;
                default: type = "api_error"; msg = "Internal server error"; break;
            }
            json = anthropicError(type, msg);
        } else {
            switch (status) {
                case 429:
                    json = openAiError("You exceeded your current quota, please check your plan and billing details.",
                            "insufficient_quota", "insufficient_quota");
                    break;
                case 500:
                    json = openAiError("The server had an error while processing your request. Sorry about that!",
                            "server_error", null);
                    break;
                case 502: case 503: case 504: case 529:
                    json = openAiError("The engine is currently overloaded, please try again later.", "server_error", null);
                    break;
                default:
                    json = openAiError("Mock failure (status " + status + ") for " + model + ".",
                            status >= 500 ? "server_error" : "invalid_request_error", null);
            }
        }
        sendJson(ex, status, json);
    }

    /** An x-mock-chaos status: 429 as a rate limit with the directive's retry time, else as failStatus answers it. */
    private void chaosFailure(HttpExchange ex, Call.Api api, Chaos chaos, String model) throws IOException {
        if (chaos.status != 429) {
            sendFailure(ex, api, chaos.status, model, chaos.retryMillis);
            return;
        }
        Headers h = ex.getResponseHeaders();
        if (chaos.retryMillis > 0) {
            h.set("retry-after", String.valueOf((chaos.retryMillis + 999) / 1000));
            h.set("retry-after-ms", String.valueOf(chaos.retryMillis));
        }
        String msg = "Rate limit reached for " + model + " in organization org-mock (x-mock-chaos).";
        sendJson(ex, 429, api.anthropic() ? anthropicError("rate_limit_error", msg)
                : openAiError(msg, "requests", "rate_limit_exceeded"));
    }

    private void sendError(HttpExchange ex, int status, boolean anthropic, String type, String msg, String code) throws IOException {
        sendJson(ex, status, anthropic ? anthropicError(type, msg) : openAiError(msg, type, code));
    }

    static String openAiError(String message, String type, String code) {
        return "{\"error\":{\"message\":" + Json.quote(message) + ",\"type\":" + Json.quote(type)
                + ",\"param\":null,\"code\":" + (code == null ? "null" : Json.quote(code)) + "}}";
    }

    static String anthropicError(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":" + Json.quote(type) + ",\"message\":" + Json.quote(message) + "}}";
    }

    /** OpenAI-style headers everywhere but /v1/messages, which gets Anthropic-style ones. Unlimited dimensions get none. */
    static void rateHeaders(Headers h, Call.Api api, RateLimiter.Decision d) {
        if (api != null && api.anthropic()) {
            Instant now = Instant.now();
            if (d.requests != null) anthropicDim(h, "requests", d.requests, now);
            if (d.tokens != null) {
                anthropicDim(h, "tokens", d.tokens, now);
                anthropicDim(h, "input-tokens", d.tokens, now);
                anthropicDim(h, "output-tokens", d.tokens, now);
            }
            return;
        }
        if (d.requests != null) openAiDim(h, "requests", d.requests);
        if (d.tokens != null) openAiDim(h, "tokens", d.tokens);
    }

    private static void openAiDim(Headers h, String dim, RateLimiter.View v) {
        h.set("x-ratelimit-limit-" + dim, String.valueOf(v.limit));
        h.set("x-ratelimit-remaining-" + dim, String.valueOf(v.remaining));
        h.set("x-ratelimit-reset-" + dim, goDuration(v.resetNanos));
    }

    private static void anthropicDim(Headers h, String dim, RateLimiter.View v, Instant now) {
        h.set("anthropic-ratelimit-" + dim + "-limit", String.valueOf(v.limit));
        h.set("anthropic-ratelimit-" + dim + "-remaining", String.valueOf(v.remaining));
        h.set("anthropic-ratelimit-" + dim + "-reset", rfc3339(now, v.resetNanos));
    }

    /** {@code now + nanos}, rounded up to the millisecond, as RFC 3339 in UTC ({@code 2026-05-01T12:00:07.250Z}). */
    static String rfc3339(Instant now, long nanos) {
        Instant t = now.plusNanos(nanos);
        Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
        if (ms.isBefore(t)) ms = ms.plusMillis(1);
        return ms.toString();
    }

    /**
     * A duration as Go prints it, at millisecond resolution (rounded up): {@code 0s}, {@code 20ms}, {@code 1s},
     * {@code 1.5s}, {@code 6m0s}, {@code 1h2m3.25s}.
     */
    public static String goDuration(long nanos) {
        if (nanos <= 0) return "0s";
        long ms = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1);
        if (ms < 1000) return ms + "ms";
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        long s = ms / 1000 % 60;
        long frac = ms % 1000;
        StringBuilder b = new StringBuilder();
        if (h > 0) b.append(h).append('h');
        if (h > 0 || m > 0) b.append(m).append('m');
        b.append(s);
        if (frac > 0) {
            String f = String.format(Locale.ROOT, "%03d", frac);
            while (f.endsWith("0")) f = f.substring(0, f.length() - 1);
            b.append('.').append(f);
        }
        return b.append('s').toString();
    }

    private static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/json");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : b.length);
        if (head) return;
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Builder

    /** Settings for a new server. Every one also has a live setter on the server. */
    public static final class Builder {
        private int port;
        private int threads = 512;
        private long rpm;
        private long tpm;
        private long enforcedRpm;
        private long enforcedTpm;
        private double quotaShare = 1.0;
        private double burstSeconds = 60;
        private long latencyMillis;
        private int failStatus;
        private long failRetryAfterMillis;
        private int overloadedEvery;
        private int streamChunks;
        private long streamChunkDelayMillis;
        private long streamPauseAfterFirstMillis;
        private int streamErrorAfterChunks = -1;
        private long hugeStreamBytes;
        private int completionTokens = 8;
        private boolean includeUsageAlways;
        private boolean omitUsage;
        private ChargeMode chargeMode = ChargeMode.OPENAI_AT_ARRIVAL;
        private String requiredHeaderName;
        private String requiredHeaderValue;

        private Builder() {
        }

        /** Port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int v) {
            port = v;
            return this;
        }

        /** Handler threads at most (made as needed, dropped when idle); default 512. */
        public Builder threads(int v) {
            if (v < 1) throw new IllegalArgumentException("threads must be >= 1");
            threads = v;
            return this;
        }

        /** Requests per minute the quota advertises (and enforces, unless shared); 0 (default) = unlimited. */
        public Builder rpm(long v) {
            rpm = v;
            return this;
        }

        /** Tokens per minute the quota advertises (and enforces, unless shared); 0 (default) = unlimited. */
        public Builder tpm(long v) {
            tpm = v;
            return this;
        }

        /**
         * Bucket capacity in seconds of the per-second rate; default 60 (a full minute, like OpenAI). The requests
         * bucket holds at least 1.
         */
        public Builder burstSeconds(double v) {
            if (!(v > 0)) throw new IllegalArgumentException("burstSeconds must be > 0");
            burstSeconds = v;
            return this;
        }

        /**
         * A quota shared with another consumer: the server enforces {@code enforcedRpm} (capped at {@link #rpm}) and
         * reports the remaining of that smaller bucket, while {@code x-ratelimit-limit-requests} still says
         * {@link #rpm}. 0 (default) = derive from {@link #quotaShare}. E.g. {@code .rpm(6000).enforcedRpm(3000)}.
         */
        public Builder enforcedRpm(long v) {
            enforcedRpm = v;
            return this;
        }

        /** As {@link #enforcedRpm}, for tokens. */
        public Builder enforcedTpm(long v) {
            enforcedTpm = v;
            return this;
        }

        /**
         * The fraction (0, 1] of the advertised RPM and TPM that this client really gets (the rest is a neighbour's):
         * enforced = advertised x share, where no explicit enforced limit is set. Default 1.
         */
        public Builder quotaShare(double v) {
            if (!(v > 0) || v > 1) throw new IllegalArgumentException("quotaShare must be in (0, 1]");
            quotaShare = v;
            return this;
        }

        /** Wait before the response head of a 200 or a deliberate failure (never before a 429). */
        public Builder latencyMillis(long v) {
            latencyMillis = Math.max(0, v);
            return this;
        }

        /** Answer every POST with this status and a provider-style error body; 0 (default) = off. */
        public Builder failStatus(int v) {
            failStatus = v;
            return this;
        }

        /** With {@link #failStatus} and {@link #overloadedEvery}: send {@code retry-after}(-ms) headers; 0 = none. */
        public Builder failRetryAfterMillis(long v) {
            failRetryAfterMillis = Math.max(0, v);
            return this;
        }

        /** Every n-th POST gets 529 overloaded_error (/v1/messages) or 503 (OpenAI paths); 0 = off. */
        public Builder overloadedEvery(int v) {
            overloadedEvery = Math.max(0, v);
            return this;
        }

        /** Content deltas per stream (the text split evenly); 0 (default) = one delta per token. */
        public Builder streamChunks(int v) {
            streamChunks = Math.max(0, v);
            return this;
        }

        /** Wait between content deltas. */
        public Builder streamChunkDelayMillis(long v) {
            streamChunkDelayMillis = Math.max(0, v);
            return this;
        }

        /** After a stream's first event (written and flushed), wait this long before the rest. */
        public Builder streamPauseAfterFirstMillis(long v) {
            streamPauseAfterFirstMillis = Math.max(0, v);
            return this;
        }

        /**
         * Streams end after this many content deltas with an in-stream overload error, as the providers send one after
         * a 200: Anthropic {@code event: error} with {@code overloaded_error}; OpenAI chat {@code data: {"error":{...
         * "type":"server_error"}}}; Responses {@code event: error}. No finish, usage or [DONE] follows. -1 (default) =
         * off; 0 = before any content.
         */
        public Builder streamErrorAfterChunks(int v) {
            streamErrorAfterChunks = v < 0 ? -1 : v;
            return this;
        }

        /**
         * Answer with about this many bytes of content (rounded up to a multiple of 4), in 64 KiB deltas when
         * streaming, generated as written (never held in memory); output tokens = bytes / 4 whatever the bound.
         * 0 (default) = off.
         */
        public Builder hugeStreamBytes(long v) {
            hugeStreamBytes = Math.max(0, v);
            return this;
        }

        /** Output tokens of an answer when the request's bound allows; default 8. */
        public Builder completionTokens(int v) {
            completionTokens = Math.max(0, v);
            return this;
        }

        /** OpenAI chat streams end with a usage chunk even without {@code stream_options.include_usage}. */
        public Builder includeUsageAlways(boolean v) {
            includeUsageAlways = v;
            return this;
        }

        /** No usage anywhere (body, stream events). */
        public Builder omitUsage(boolean v) {
            omitUsage = v;
            return this;
        }

        public Builder chargeMode(ChargeMode v) {
            chargeMode = v == null ? ChargeMode.OPENAI_AT_ARRIVAL : v;
            return this;
        }

        /** Answer 401 unless the request has this header (with this exact value, unless null). */
        public Builder requireHeader(String name, String value) {
            requiredHeaderName = name;
            requiredHeaderValue = value;
            return this;
        }

        /** Creates, binds and starts the server. */
        public MockLlmServer start() throws IOException {
            return new MockLlmServer(this).startServer();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Standalone

    private static final String USAGE = String.join("\n",
            "usage: java -cp mock-llm.jar dev.sluice.mock.MockLlmServer [options]",
            "  --port N                      (0 = any free port; default 0)",
            "  --rpm N  --tpm N              advertised limits per minute (0 = unlimited)",
            "  --burst-seconds D             bucket capacity in seconds of quota (default 60)",
            "  --enforced-rpm N --enforced-tpm N --quota-share D   a quota shared with a neighbour",
            "  --latency-ms N                before each answer's head",
            "  --fail-status N  --fail-retry-after-ms N  --overloaded-every N",
            "  --completion-tokens N         output tokens when the bound allows (default 8)",
            "  --stream-chunks N  --stream-chunk-delay-ms N  --stream-pause-after-first-ms N",
            "  --huge-stream-bytes N  --stream-error-after-chunks N  --include-usage-always  --omit-usage",
            "  --charge-mode openai|anthropic",
            "  --require-header NAME[=VALUE]",
            "  --threads N");

    private static final java.util.Set<String> VALUED = java.util.Set.of("--port", "--rpm", "--tpm", "--burst-seconds",
            "--enforced-rpm", "--enforced-tpm", "--quota-share", "--latency-ms", "--fail-status", "--fail-retry-after-ms",
            "--overloaded-every", "--completion-tokens", "--stream-chunks", "--stream-chunk-delay-ms",
            "--stream-pause-after-first-ms", "--huge-stream-bytes", "--stream-error-after-chunks", "--threads", "--charge-mode", "--require-header");

    /** Runs the server until the process is stopped; prints its URL first. */
    public static void main(String[] args) throws Exception {
        Builder b = builder();
        List<String> a = new ArrayList<>(List.of(args));
        try {
            for (int k = 0; k < a.size(); k++) {
                String opt = a.get(k);
                String val = null;
                int eq = opt.indexOf('=');
                if (opt.startsWith("--") && eq > 0 && !opt.startsWith("--require-header")) {
                    val = opt.substring(eq + 1);
                    opt = opt.substring(0, eq);
                }
                switch (opt) {
                    case "-h": case "--help": System.out.println(USAGE); return;
                    case "--include-usage-always": b.includeUsageAlways(true); continue;
                    case "--omit-usage": b.omitUsage(true); continue;
                    default: break;
                }
                if (!VALUED.contains(opt)) throw new IllegalArgumentException("unknown option " + opt);
                if (val == null) {
                    if (k + 1 >= a.size()) throw new IllegalArgumentException(opt + " needs a value");
                    val = a.get(++k);
                }
                switch (opt) {
                    case "--port": b.port(Integer.parseInt(val)); break;
                    case "--rpm": b.rpm(Long.parseLong(val)); break;
                    case "--tpm": b.tpm(Long.parseLong(val)); break;
                    case "--burst-seconds": b.burstSeconds(Double.parseDouble(val)); break;
                    case "--enforced-rpm": b.enforcedRpm(Long.parseLong(val)); break;
                    case "--enforced-tpm": b.enforcedTpm(Long.parseLong(val)); break;
                    case "--quota-share": b.quotaShare(Double.parseDouble(val)); break;
                    case "--latency-ms": b.latencyMillis(Long.parseLong(val)); break;
                    case "--fail-status": b.failStatus(Integer.parseInt(val)); break;
                    case "--fail-retry-after-ms": b.failRetryAfterMillis(Long.parseLong(val)); break;
                    case "--overloaded-every": b.overloadedEvery(Integer.parseInt(val)); break;
                    case "--completion-tokens": b.completionTokens(Integer.parseInt(val)); break;
                    case "--stream-chunks": b.streamChunks(Integer.parseInt(val)); break;
                    case "--stream-chunk-delay-ms": b.streamChunkDelayMillis(Long.parseLong(val)); break;
                    case "--stream-pause-after-first-ms": b.streamPauseAfterFirstMillis(Long.parseLong(val)); break;
                    case "--huge-stream-bytes": b.hugeStreamBytes(Long.parseLong(val)); break;
                    case "--stream-error-after-chunks": b.streamErrorAfterChunks(Integer.parseInt(val)); break;
                    case "--threads": b.threads(Integer.parseInt(val)); break;
                    case "--charge-mode":
                        b.chargeMode(val.toLowerCase(Locale.ROOT).startsWith("anthropic")
                                ? ChargeMode.ANTHROPIC_ADJUST_AT_END : ChargeMode.OPENAI_AT_ARRIVAL);
                        break;
                    case "--require-header": {
                        int e = val.indexOf('=');
                        b.requireHeader(e < 0 ? val : val.substring(0, e), e < 0 ? null : val.substring(e + 1));
                        break;
                    }
                    default: throw new IllegalArgumentException("unknown option " + opt);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        MockLlmServer s = b.start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("mock-llm: requests=" + s.requests() + " ok=" + s.ok() + " rateLimited=" + s.rateLimited()
                    + " failed=" + s.failed() + " tokensCharged=" + s.tokensCharged() + " maxConcurrent=" + s.maxConcurrent());
            s.close();
            stop.countDown();
        }, "mock-llm-shutdown"));
        System.out.println("MockLlmServer listening on " + s.baseUrl());
        System.out.println("  " + s.chatUrl());
        System.out.println("  " + s.responsesUrl());
        System.out.println("  " + s.messagesUrl());
        System.out.flush();
        stop.await();
    }
}
