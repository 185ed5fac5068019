package dev.sluice.bench;

import dev.sluice.provider.ProviderKind;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;
import dev.sluice.provider.UsageParser;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the agent reads of the bodies that pass: the usage parser over a typical JSON chat completion and over an
 * SSE stream of chat chunks (each fed in 8 KiB slices, as a client hands over its buffers, a fresh parser per
 * body as per response), and the request scanner that estimates a request's tokens. Throughput in operations
 * (bodies) per microsecond; the {@code bytes} counter is the same in bytes per microsecond, i.e. MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ParserBench {
    static final int SLICE = 8192;

    byte[] json;
    byte[] sse;
    byte[] request;

    /** Bytes read per second (per microsecond in the report: MB/s). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void clean() {
            bytes = 0;
        }
    }

    @Setup
    public void setUp() {
        json = Bodies.chatCompletion(200).getBytes(StandardCharsets.UTF_8);
        sse = Bodies.chatStream(200).getBytes(StandardCharsets.UTF_8);
        request = Bodies.chatRequest(4000).getBytes(StandardCharsets.UTF_8);
        UsageParser p = parse(json);
        if (!p.found() || p.totalTokens() <= 0) throw new IllegalStateException("no usage in the JSON body");
        p = parse(sse);
        if (!p.found() || p.totalTokens() <= 0) throw new IllegalStateException("no usage in the stream");
    }

    static UsageParser parse(byte[] body) {
        UsageParser p = UsageParser.forResponse(ProviderKind.OPENAI, "application/json");
        for (int off = 0; off < body.length; off += SLICE) p.feed(body, off, Math.min(SLICE, body.length - off));
        p.end();
        return p;
    }

    @Benchmark
    public long usageJson(Bytes b) {
        b.bytes += json.length;
        return parse(json).totalTokens();
    }

    @Benchmark
    public long usageSse(Bytes b) {
        b.bytes += sse.length;
        return parse(sse).totalTokens();
    }

    @Benchmark
    public RequestInfo requestScan(Bytes b) {
        b.bytes += request.length;
        return RequestScanner.scan(request, 0, request.length);
    }
}
