package dev.sluice.client;

import dev.sluice.SluiceRejectedException;
import dev.sluice.core.Refusal;
import dev.sluice.core.RefusalReason;
import dev.sluice.provider.ProviderKind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer a refused call gets with {@code reject=http}: described once here, for every client; each client unit
 * only turns it into its own response type (the JDK HttpClient's {@code HttpResponse} through the application's own
 * body handler, OkHttp's {@code Response}).
 *
 * <ul>
 * <li>Status 503 when the circuit breaker is open (the provider is failing), else 429 (shed, waiting room full,
 *     dropped, expected wait too long, client timeout reached while waiting).</li>
 * <li>{@code retry-after} (whole seconds, rounded up) and {@code retry-after-ms}: the gate's estimate of when a retry
 *     could be admitted; {@value #DEFAULT_RETRY_MILLIS} ms when it has none, so an SDK never retries at once.
 *     openai-java and anthropic-java wait {@code retry-after-ms} first.</li>
 * <li>{@code x-should-retry: true}: a refusal is transient by nature, and both SDKs honour the header before
 *     their own status rules.</li>
 * <li>{@code x-sluice-reason}: {@code breaker-open}, {@code shed}, {@code queue-full}, {@code dropped},
 *     {@code wait-too-long}, {@code timeout}; {@code x-sluice-endpoint}: the endpoint id.</li>
 * <li>A JSON error body in the provider's own shape, so an SDK parses it as that provider's error: OpenAI (and
 *     generic) {@code {"error":{"message","type","param","code"}}}, Anthropic
 *     {@code {"type":"error","error":{"type","message"}}}, Gemini
 *     {@code {"error":{"code","message","status","details":[RetryInfo]}}}.</li>
 * </ul>
 * It never reaches the provider and is not counted as an upstream 429: only the refusal counters move.
 */
public final class SyntheticResponse {
    /** The retry time sent when the gate has no estimate. */
    public static final long DEFAULT_RETRY_MILLIS = 1000;
    public static final String REASON_HEADER = "x-sluice-reason";
    public static final String ENDPOINT_HEADER = "x-sluice-endpoint";

    private final int status;
    private final String reason;
    private final long retryAfterMillis;
    private final byte[] body;
    private final List<String> names;
    private final List<String> values;

    private SyntheticResponse(int status, String reason, long retryAfterMillis, byte[] body, List<String> names,
                              List<String> values) {
        this.status = status;
        this.reason = reason;
        this.retryAfterMillis = retryAfterMillis;
        this.body = body;
        this.names = names;
        this.values = values;
    }

    public static SyntheticResponse of(Refusal r, ProviderKind provider) {
        return of(r.endpoint(), r.reason().label(), r.retryAfterNanos() / 1_000_000L, r.getMessage(), provider);
    }

    public static SyntheticResponse of(SluiceRejectedException e, ProviderKind provider) {
        return of(e.getEndpoint(), e.getReason(), e.getRetryAfterMillis(), e.getMessage(), provider);
    }

    /** {@code reason}: a {@link RefusalReason} label; {@code retryAfterMillis} 0 or less: unknown. */
    public static SyntheticResponse of(String endpoint, String reason, long retryAfterMillis, String message,
                                       ProviderKind provider) {
        boolean breaker = RefusalReason.BREAKER_OPEN.label().equals(reason);
        int status = breaker ? 503 : 429;
        long retryMs = retryAfterMillis > 0 ? retryAfterMillis : DEFAULT_RETRY_MILLIS;
        String msg = message == null ? "Sluice refused the call" : message;
        byte[] body = body(provider == null ? ProviderKind.GENERIC : provider, status, reason, msg, retryMs)
                .getBytes(StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>(8);
        List<String> values = new ArrayList<>(8);
        add(names, values, "content-type", "application/json");
        add(names, values, "content-length", String.valueOf(body.length));
        add(names, values, "retry-after", String.valueOf((retryMs + 999) / 1000));
        add(names, values, "retry-after-ms", String.valueOf(retryMs));
        add(names, values, "x-should-retry", "true");
        add(names, values, REASON_HEADER, reason == null ? "unknown" : reason);
        if (endpoint != null) add(names, values, ENDPOINT_HEADER, endpoint);
        return new SyntheticResponse(status, reason, retryMs, body, Collections.unmodifiableList(names),
                Collections.unmodifiableList(values));
    }

    private static void add(List<String> names, List<String> values, String name, String value) {
        names.add(name);
        values.add(value);
    }

    private static String body(ProviderKind provider, int status, String reason, String msg, long retryMs) {
        String m = quote(msg);
        switch (provider) {
            case ANTHROPIC:
                return "{\"type\":\"error\",\"error\":{\"type\":\"" + (status == 503 ? "overloaded_error" : "rate_limit_error")
                        + "\",\"message\":" + m + "}}";
            case GEMINI:
                return "{\"error\":{\"code\":" + status + ",\"message\":" + m + ",\"status\":\""
                        + (status == 503 ? "UNAVAILABLE" : "RESOURCE_EXHAUSTED") + "\",\"details\":[{\"@type\":"
                        + "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"" + seconds(retryMs) + "\"}]}}";
            default:
                return "{\"error\":{\"message\":" + m + ",\"type\":\""
                        + (status == 503 ? "service_unavailable" : "rate_limit_exceeded") + "\",\"param\":null,\"code\":\""
                        + "sluice_" + (reason == null ? "refused" : reason.replace('-', '_')) + "\"}}";
        }
    }

    /** {@code 1.5s}, {@code 30s}: protobuf's Duration in JSON. */
    private static String seconds(long ms) {
        return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(Locale.ROOT, "%d.%03ds", ms / 1000, ms % 1000);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    public int status() {
        return status;
    }

    /** The HTTP reason phrase of {@link #status()}. */
    public String statusText() {
        return status == 503 ? "Service Unavailable" : "Too Many Requests";
    }

    /** The refusal reason label. */
    public String reason() {
        return reason;
    }

    /** The retry time sent (milliseconds). */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    public String contentType() {
        return "application/json";
    }

    /** The body (a fresh copy). */
    public byte[] body() {
        return body.clone();
    }

    public int headerCount() {
        return names.size();
    }

    /** Header name {@code i}, lower case. */
    public String headerName(int i) {
        return names.get(i);
    }

    public String headerValue(int i) {
        return values.get(i);
    }

    /** The first value of a header (name in any case), or null. */
    public String header(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) return values.get(i);
        }
        return null;
    }

    /** The headers as a map of lower-case names to single values, in order. */
    public Map<String, List<String>> headerMap() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), List.of(values.get(i)));
        return m;
    }

    @Override
    public String toString() {
        return "SyntheticResponse{" + status + ", reason=" + reason + ", retryAfterMillis=" + retryAfterMillis + "}";
    }
}
