package dev.sluice.bench;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.config.EndpointConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.GateLimits;
import dev.sluice.core.TokenBucket;
import dev.sluice.provider.HeaderLookup;
import dev.sluice.provider.ProviderKind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything Sluice does for one governed call that is not the HTTP client's own work: the endpoint lookup, the
 * request scan and estimate, admission, the response head (status, OpenAI's rate-limit headers reconciled with the
 * bucket), the usage read from the body as it passes, and the settlement (refund, permit back). Each client unit
 * adds only its own wrapping on top of this. One OpenAI chat call with a 1,600-byte prompt; the answer is a JSON
 * completion of 200 tokens ({@code jsonCall}) or the same streamed as server-sent events in 8 KiB slices
 * ({@code streamedCall}). Two cut-down calls tell the steps apart: {@code jsonCallNoHeaders} (an answer without
 * rate-limit headers) and {@code bodilessCall} (no request body to scan, no answer body to read: lookup, estimate
 * from the length, admission, release). Limits far above what a benchmark reaches, so every call is admitted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CallBench {
    static final int SLICE = 8192;

    SluiceRuntime runtime;
    byte[] request;
    byte[] json;
    byte[] sse;
    HeaderLookup headers;

    @Setup
    public void setUp() throws Exception {
        EndpointConfig ep = EndpointConfig.builder("openai").match("https://api.openai.com/v1")
                .provider(ProviderKind.OPENAI)
                .limits(GateLimits.builder().rpm(TokenBucket.MAX_RATE).tpm(TokenBucket.MAX_RATE).burst(1000)
                        .maxConcurrent(1_000_000).build())
                .build();
        runtime = SluiceRuntime.build(SluiceConfig.builder().endpoint(ep).build(), null);
        request = Bodies.chatRequest(1600).getBytes(StandardCharsets.UTF_8);
        json = Bodies.chatCompletion(200).getBytes(StandardCharsets.UTF_8);
        sse = Bodies.chatStream(200).getBytes(StandardCharsets.UTF_8);
        // What OpenAI sends on every answer: remaining figures far above the bucket's, so nothing is lowered.
        Map<String, String> h = new HashMap<>();
        h.put("x-ratelimit-limit-requests", "30000");
        h.put("x-ratelimit-limit-tokens", "150000000");
        h.put("x-ratelimit-remaining-requests", "29999");
        h.put("x-ratelimit-remaining-tokens", "149999000");
        h.put("x-ratelimit-reset-requests", "2ms");
        h.put("x-ratelimit-reset-tokens", "0s");
        headers = h::get;
        if (jsonCall() <= 0 || streamedCall() <= 0) throw new IllegalStateException("not governed");
    }

    @Benchmark
    public long jsonCall() throws Exception {
        return call(json, "application/json");
    }

    @Benchmark
    public long streamedCall() throws Exception {
        return call(sse, "text/event-stream");
    }

    @Benchmark
    public long jsonCallNoHeaders() throws Exception {
        return call(request, null, json, "application/json");
    }

    @Benchmark
    public long bodilessCall() throws Exception {
        return call(null, null, null, "application/json");
    }

    private long call(byte[] answer, String contentType) throws Exception {
        return call(request, headers, answer, contentType);
    }

    private long call(byte[] body, HeaderLookup head, byte[] answer, String contentType) throws Exception {
        EndpointRuntime ep = runtime.match("https", "api.openai.com", -1, "/v1/chat/completions");
        GovernedCall c = GovernedCall.prepare(ep, null, body, request.length);
        c.admit(0);
        c.onResponse(200, head, contentType);
        if (answer == null) {
            c.onComplete();
            return c.estimate();
        }
        for (int off = 0; off < answer.length; off += SLICE) {
            c.onBody(ByteBuffer.wrap(answer, off, Math.min(SLICE, answer.length - off)));
        }
        c.onComplete();
        return c.estimate();
    }
}
