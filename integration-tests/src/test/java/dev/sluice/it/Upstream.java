package dev.sluice.it;

import dev.sluice.mock.MockLlmServer;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The upstream LLM provider of an integration test: a {@link MockLlmServer} on loopback in the test's own JVM,
 * while the application under test runs in a child JVM. A thin wrapper; {@link #server()} has everything else.
 *
 * <pre>{@code
 * try (Upstream up = Upstream.start(b -> b.rpm(6000).burstSeconds(1))) {
 *     ... ChildJvm ... .args("url=" + up.chatUrl()) ...
 *     assertEquals(0, up.rateLimited());
 * }
 * }</pre>
 */
public final class Upstream implements AutoCloseable {
    private final MockLlmServer server;

    private Upstream(MockLlmServer server) {
        this.server = server;
    }

    /** Starts a mock with the builder's defaults changed by {@code config} (no limits unless it sets them). */
    public static Upstream start(Consumer<MockLlmServer.Builder> config) throws IOException {
        MockLlmServer.Builder b = MockLlmServer.builder();
        config.accept(b);
        return new Upstream(b.start());
    }

    /** A mock with no limits and no failures. */
    public static Upstream start() throws IOException {
        return start(b -> { });
    }

    public MockLlmServer server() {
        return server;
    }

    /** {@code http://127.0.0.1:PORT} */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** {@code http://127.0.0.1:PORT/v1/chat/completions} */
    public String chatUrl() {
        return server.chatUrl();
    }

    /** {@code http://127.0.0.1:PORT/v1/responses} */
    public String responsesUrl() {
        return server.responsesUrl();
    }

    /** {@code http://127.0.0.1:PORT/v1/messages} */
    public String messagesUrl() {
        return server.messagesUrl();
    }

    /** Every POST that reached the upstream. */
    public long requests() {
        return server.requests();
    }

    public long ok() {
        return server.ok();
    }

    /** 429s the upstream's rate limiter sent. */
    public long rateLimited() {
        return server.rateLimited();
    }

    /** Calls answered with the deliberate failure status (failStatus, overloadedEvery). */
    public long failed() {
        return server.failed();
    }

    /** Answers cut mid-body on an {@code x-mock-chaos: cut-after=N} directive. */
    public long cuts() {
        return server.cuts();
    }

    /** Net tokens charged against the upstream's TPM (prompt + output bound at arrival, less refunds). */
    public long tokensCharged() {
        return server.tokensCharged();
    }

    public long promptTokens() {
        return server.promptTokens();
    }

    public long completionTokens() {
        return server.completionTokens();
    }

    public int maxConcurrent() {
        return server.maxConcurrent();
    }

    public int inFlight() {
        return server.inFlight();
    }

    /** Live: every call fails with this status from now on; 0 = recover. */
    public Upstream failStatus(int status) {
        server.failStatus(status);
        return this;
    }

    /** Live: wait before each answer's head. */
    public Upstream latencyMillis(long millis) {
        server.latencyMillis(millis);
        return this;
    }

    /** Zeroes the counters. */
    public Upstream reset() {
        server.reset();
        return this;
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Upstream " + baseUrl() + " requests=" + requests() + " ok=" + ok() + " rateLimited=" + rateLimited()
                + " failed=" + failed() + " tokensCharged=" + tokensCharged() + " maxConcurrent=" + maxConcurrent();
    }
}
