package dev.sluice.it.isolation;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.ReactorNettyLoad;
import dev.sluice.it.apps.WebClientLoad;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenTelemetry Java agent and Sluice in one JVM, in either order on the command line, with OTel's default
 * instrumentation (it instruments OkHttp and the JDK HttpClient too): the app (the own-dependencies app: OkHttp
 * execute/enqueue, JDK send/sendAsync) runs as it does alone; Sluice governs its calls (one at a time reaches the
 * upstream); OTel traces them (one CLIENT span per call, logged by its logging exporter, for each client); and
 * neither agent reports a warning or an error.
 */
class OpenTelemetryIT {
    static final int CALLS = 4;

    @ParameterizedTest(name = "JDK {0}, OTel first: {1}")
    @CsvSource({"17,true", "17,false", "25,true", "25,false"})
    void bothAgentsWork(int jdk, boolean otelFirst) throws Exception {
        String home = IsolationApps.javaHome(jdk);
        try (Upstream up = Upstream.start(b -> b.latencyMillis(150))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("max-concurrent", 1).write();
            ChildJvm.Result r = ChildJvm.ofClassPath(IsolationApps.OWN_DEPS_MAIN, IsolationApps.ownDepsClassPath())
                    .javaHome(home).withAgent(cfg).otherAgent(IsolationApps.OTEL_AGENT, null, otelFirst)
                    .jvmArg("-Dotel.traces.exporter=logging").jvmArg("-Dotel.metrics.exporter=none")
                    .jvmArg("-Dotel.logs.exporter=none").jvmArg("-Dotel.service.name=own-deps")
                    .args("baseUrl=" + up.baseUrl() + "/v1", "calls=" + CALLS).run(180);
            List<String> spans = r.stderr.lines()
                    .filter(l -> l.contains("LoggingSpanExporter") && l.contains("'POST'") && l.contains(" CLIENT ")
                            && l.contains("url.full=" + up.baseUrl() + "/v1/chat/completions"))
                    .collect(Collectors.toList());
            long okhttpSpans = spans.stream().filter(l -> l.contains("[tracer: io.opentelemetry.okhttp")).count();
            long jdkSpans = spans.stream().filter(l -> l.contains("[tracer: io.opentelemetry.java-http-client")).count();
            System.out.printf("FIGURES OTel + Sluice, JDK %d, %s first: %d ok, upstream overlap %d, OTel client spans:"
                            + " okhttp %d, java-http-client %d%n", jdk, otelFirst ? "OTel" : "Sluice", r.num("ok"),
                    up.maxConcurrent(), okhttpSpans, jdkSpans);

            assertEquals(2 * CALLS, r.num("ok"), r.toString());
            assertEquals(1, up.maxConcurrent(), "Sluice let one call at a time reach the upstream\n" + r);
            assertTrue(r.stderr.contains("[sluice] INFO Sluice") && r.stderr.contains("okhttp")
                    && r.stderr.contains("jdk-httpclient"), "Sluice active with both clients\n" + r.stderr);
            assertEquals(CALLS, okhttpSpans, "one OTel span per OkHttp call\n" + r.stderr);
            assertEquals(CALLS, jdkSpans, "one OTel span per JDK HttpClient call\n" + r.stderr);
            List<String> trouble = r.stderr.lines()
                    .filter(l -> l.contains(" WARN") || l.contains("ERROR") || l.contains("Exception")
                            || l.contains("WARNING"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), trouble, "no warning or error from either agent\n" + r.stderr);
        }
    }

    /**
     * The same with Reactor Netty, which OTel instruments around the connect Mono (its {@code mapConnect}) while Sluice
     * holds the subscription to the Mono inside it: HttpClient and WebClient, fully reactive, run with one call at a
     * time reaching the upstream, one OTel CLIENT span per call (for WebClient, OTel's WebClient span: it suppresses
     * the nested Reactor Netty one), and no warning or error from either agent.
     */
    @ParameterizedTest(name = "{0}, OTel first: {1}")
    @CsvSource({"reactor-netty,true", "reactor-netty,false", "webclient,true"})
    void bothAgentsWorkOnReactorNetty(String client, boolean otelFirst) throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(150))) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("max-concurrent", 1).write();
            ChildJvm.Result r = ChildJvm.of(client.equals("webclient") ? WebClientLoad.class : ReactorNettyLoad.class)
                    .withAgent(cfg).otherAgent(IsolationApps.OTEL_AGENT, null, otelFirst)
                    .jvmArg("-Dotel.traces.exporter=logging").jvmArg("-Dotel.metrics.exporter=none")
                    .jvmArg("-Dotel.logs.exporter=none").jvmArg("-Dotel.service.name=reactor")
                    .args("url=" + up.chatUrl(), "calls=" + CALLS, "mode=async").run(180);
            long spans = r.stderr.lines()
                    .filter(l -> l.contains("LoggingSpanExporter") && l.contains("'POST'") && l.contains(" CLIENT ")
                            && (l.contains("[tracer: io.opentelemetry.reactor-netty")
                            || l.contains("[tracer: io.opentelemetry.spring-webflux"))) // WebClient's span, its own
                    .count();
            System.out.printf("FIGURES OTel + Sluice, %s, %s first: %d ok, upstream overlap %d, OTel client spans"
                    + " %d%n", client, otelFirst ? "OTel" : "Sluice", r.num("ok"), up.maxConcurrent(), spans);
            assertEquals(CALLS, r.num("ok"), r.toString());
            assertEquals(1, up.maxConcurrent(), "Sluice let one call at a time reach the upstream\n" + r);
            assertEquals(0, r.num("inFlight"), r.toString());
            assertEquals(CALLS, spans, "one OTel span per call\n" + r.stderr);
            List<String> trouble = r.stderr.lines()
                    .filter(l -> l.contains(" WARN") || l.contains("ERROR") || l.contains("Exception")
                            || l.contains("WARNING"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), trouble, "no warning or error from either agent\n" + r.stderr);
        }
    }
}
