package dev.sluice.client;

import dev.sluice.SluiceRejectedException;
import dev.sluice.core.Refusal;
import dev.sluice.core.RefusalReason;
import dev.sluice.provider.ProviderKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticResponseTest {
    private static String body(SyntheticResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aRateRefusalIs429InOpenAisShape() {
        Refusal refusal = new Refusal("openai", RefusalReason.QUEUE_FULL, 1_234_000_000L, null);
        SyntheticResponse r = SyntheticResponse.of(refusal, ProviderKind.OPENAI);
        assertEquals(429, r.status());
        assertEquals("Too Many Requests", r.statusText());
        assertEquals("2", r.header("Retry-After"));
        assertEquals("1234", r.header("retry-after-ms"));
        assertEquals("queue-full", r.header("x-sluice-reason"));
        assertEquals("openai", r.header("x-sluice-endpoint"));
        assertEquals("true", r.header("x-should-retry"));
        assertEquals("application/json", r.header("content-type"));
        assertEquals(String.valueOf(r.body().length), r.header("content-length"));
        assertEquals("{\"error\":{\"message\":\"Sluice refused the call to endpoint 'openai': waiting room full; retry"
                + " after 1234 ms\",\"type\":\"rate_limit_exceeded\",\"param\":null,\"code\":\"sluice_queue_full\"}}", body(r));
    }

    @Test
    void anOpenBreakerIs503() {
        SyntheticResponse r = SyntheticResponse.of(new Refusal("a", RefusalReason.BREAKER_OPEN, 30_000_000_000L, null),
                ProviderKind.ANTHROPIC);
        assertEquals(503, r.status());
        assertEquals("30", r.header("retry-after"));
        assertEquals("30000", r.header("retry-after-ms"));
        assertTrue(body(r).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Sluice"),
                body(r));
        SyntheticResponse openai = SyntheticResponse.of(new Refusal("a", RefusalReason.BREAKER_OPEN, 0, null), ProviderKind.OPENAI);
        assertTrue(body(openai).contains("\"type\":\"service_unavailable\""), body(openai));
    }

    @Test
    void eachProvidersShape() {
        for (RefusalReason reason : RefusalReason.values()) {
            if (reason == RefusalReason.BREAKER_OPEN) continue;
            SyntheticResponse a = SyntheticResponse.of(new Refusal("x", reason, 500_000_000L, null), ProviderKind.ANTHROPIC);
            assertEquals(429, a.status(), reason.label());
            assertTrue(body(a).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\""), body(a));
            assertEquals(reason.label(), a.header("x-sluice-reason"));
            assertEquals("1", a.header("retry-after"));
            assertEquals("500", a.header("retry-after-ms"));
        }
        SyntheticResponse g = SyntheticResponse.of(new Refusal("g", RefusalReason.SHED, 1_500_000_000L, null), ProviderKind.GEMINI);
        assertTrue(body(g).startsWith("{\"error\":{\"code\":429,\"message\":"), body(g));
        assertTrue(body(g).contains("\"status\":\"RESOURCE_EXHAUSTED\""), body(g));
        assertTrue(body(g).contains("\"retryDelay\":\"1.500s\""), body(g));
        SyntheticResponse generic = SyntheticResponse.of(new Refusal("v", RefusalReason.SHED, 0, null), null);
        assertTrue(body(generic).startsWith("{\"error\":{\"message\":"), body(generic));
    }

    @Test
    void anUnknownRetryTimeIsNeverZero() {
        SyntheticResponse r = SyntheticResponse.of(new Refusal("x", RefusalReason.SHED, 0, null), ProviderKind.OPENAI);
        assertEquals(String.valueOf(SyntheticResponse.DEFAULT_RETRY_MILLIS), r.header("retry-after-ms"));
        assertEquals("1", r.header("retry-after"));
    }

    @Test
    void fromTheExceptionTheSameAnswer() {
        Refusal refusal = new Refusal("openai", RefusalReason.WAIT_TOO_LONG, 2_000_000_000L, "expected 45 s");
        SluiceRejectedException e = Refusals.toException(refusal);
        assertEquals(body(SyntheticResponse.of(refusal, ProviderKind.OPENAI)), body(SyntheticResponse.of(e, ProviderKind.OPENAI)));
    }

    @Test
    void messagesAreEscaped() {
        SyntheticResponse r = SyntheticResponse.of("e", "shed", 10, "a \"quoted\" \\ line\nnext\u0001", ProviderKind.OPENAI);
        assertTrue(body(r).contains("a \\\"quoted\\\" \\\\ line\\nnext\\u0001"), body(r));
        assertFalse(body(r).contains("\n"));
    }
}
