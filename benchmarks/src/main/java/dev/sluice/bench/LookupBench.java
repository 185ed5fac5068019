package dev.sluice.bench;

import dev.sluice.config.EndpointConfig;
import dev.sluice.config.EndpointMatcher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint lookup every outbound call of the application pays, matched or not: {@code EndpointMatcher.match}
 * with the parts of a URL as the client instrumentation has them (scheme, host, port, raw path).
 *
 * <p>{@code endpoints} endpoints, laid out as {@code layout}: {@code hosts}, one host each
 * ({@code https://llm-7.example.com/v1}); {@code paths}, all on one host with a path each (Azure deployments:
 * {@code https://acme.openai.azure.com/openai/deployments/d7}), the worst case, a linear scan of that host's
 * prefixes; {@code wildcards}, a {@code *.} domain each ({@code https://*.tenant-7.example.com}), where a lookup
 * tries every dot-suffix of the host. The matched URL is the last endpoint's; the unmatched one is an ordinary
 * non-LLM call ({@code https://api.github.com/repos/o/r/issues}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LookupBench {
    @Param({"1", "10", "100"})
    public int endpoints;

    @Param({"hosts", "paths", "wildcards"})
    public String layout;

    EndpointMatcher matcher;
    String matchHost;
    String matchPath;

    @Setup
    public void setUp() {
        List<EndpointConfig> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            String prefix;
            switch (layout) {
                case "hosts": prefix = "https://llm-" + i + ".example.com/v1"; break;
                case "paths": prefix = "https://acme.openai.azure.com/openai/deployments/d" + i; break;
                case "wildcards": prefix = "https://*.tenant-" + i + ".example.com"; break;
                default: throw new IllegalArgumentException(layout);
            }
            list.add(EndpointConfig.builder("e" + i).match(prefix).build());
        }
        matcher = new EndpointMatcher(list);
        int last = endpoints - 1;
        switch (layout) {
            case "hosts":
                matchHost = "llm-" + last + ".example.com";
                matchPath = "/v1/chat/completions";
                break;
            case "paths":
                matchHost = "acme.openai.azure.com";
                matchPath = "/openai/deployments/d" + last + "/chat/completions";
                break;
            default:
                matchHost = "eastus.tenant-" + last + ".example.com";
                matchPath = "/v1/chat/completions";
        }
        if (matcher.match("https", matchHost, -1, matchPath) != list.get(last)) throw new IllegalStateException("no match");
        if (matcher.match("https", "api.github.com", -1, "/repos/o/r/issues") != null) throw new IllegalStateException("match");
    }

    @Benchmark
    public EndpointConfig unmatched() {
        return matcher.match("https", "api.github.com", -1, "/repos/o/r/issues");
    }

    @Benchmark
    public EndpointConfig matched() {
        return matcher.match("https", matchHost, -1, matchPath);
    }
}
