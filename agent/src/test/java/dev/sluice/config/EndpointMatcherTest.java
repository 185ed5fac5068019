package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EndpointMatcherTest {
    private static EndpointConfig ep(String id, String... match) {
        return EndpointConfig.builder(id).match(match).build();
    }

    private static String id(EndpointMatcher m, String scheme, String host, int port, String path) {
        EndpointConfig e = m.match(scheme, host, port, path);
        return e == null ? null : e.id();
    }

    @Test
    void pathPrefixMatchesOnSegmentBoundaries() {
        EndpointMatcher m = new EndpointMatcher(List.of(ep("openai", "https://api.openai.com/v1")));
        assertEquals("openai", id(m, "https", "api.openai.com", -1, "/v1"));
        assertEquals("openai", id(m, "https", "api.openai.com", -1, "/v1/"));
        assertEquals("openai", id(m, "https", "api.openai.com", -1, "/v1/chat/completions"));
        assertNull(id(m, "https", "api.openai.com", -1, "/v10/chat"));
        assertNull(id(m, "https", "api.openai.com", -1, "/v"));
        assertNull(id(m, "https", "api.openai.com", -1, "/"));
        assertNull(id(m, "https", "api.openai.com", -1, ""));
        assertNull(id(m, "https", "api.openai.com", -1, null));
        assertNull(id(m, "https", "api.openai.com", -1, "/V1/chat"), "paths are case-sensitive");
        assertEquals("openai", id(m, "https", "api.openai.com", -1, "/v1?stream=true"), "a query ends the path");
        assertEquals("openai", id(m, "https", "api.openai.com", -1, "/v1#top"));
        assertNull(id(m, "https", "api.openai.com", -1, "/v10?x=/v1"));
    }

    @Test
    void thePathReadInPlaceFromAWholeUrlMatchesAsTheCutOutPath() {
        EndpointMatcher m = new EndpointMatcher(List.of(ep("openai", "https://api.openai.com/v1"),
                ep("chat", "https://api.openai.com/v1/chat"), ep("any", "https://*.example.com")));
        String[] paths = {"/v1", "/v1/", "/v1/chat", "/v1/chat/completions", "/v1/chats", "/v10/chat", "/v", "/",
                "/V1/chat", "/x/v1"};
        String[] tails = {"", "?stream=true", "#frag", "?a=/v1/chat", "?"};
        for (String host : new String[]{"api.openai.com", "a.example.com", "example.org"}) {
            for (String path : paths) {
                for (String tail : tails) {
                    String url = "https://" + host + path + tail;
                    int i = m.matchIndex("https", host, -1, url, url.indexOf('/', "https://".length()));
                    assertEquals(m.matchIndex("https", host, -1, path), i, url);
                }
            }
            // no path at all (-1), as a URL without one
            assertEquals(m.matchIndex("https", host, -1, ""), m.matchIndex("https", host, -1, "https://" + host, -1));
        }
        assertEquals(1, m.matchIndex("https", "api.openai.com", 443, "https://api.openai.com:443/v1/chat?x", 26));
        assertEquals(0, m.matchIndex("https", "api.openai.com", -1, "https://api.openai.com/v1?/chat", 22),
                "a query ends the path: /v1, not /v1/chat");
    }

    @Test
    void aPrefixWithoutPathMatchesEveryPath() {
        EndpointMatcher m = new EndpointMatcher(List.of(ep("a", "https://api.anthropic.com/")));
        assertEquals("a", id(m, "https", "api.anthropic.com", -1, null));
        assertEquals("a", id(m, "https", "api.anthropic.com", -1, ""));
        assertEquals("a", id(m, "https", "api.anthropic.com", -1, "/v1/messages"));
    }

    @Test
    void schemeHostAndPortMustAllFit() {
        EndpointMatcher m = new EndpointMatcher(List.of(ep("local", "http://127.0.0.1:8080/v1")));
        assertEquals("local", id(m, "http", "127.0.0.1", 8080, "/v1/chat"));
        assertNull(id(m, "https", "127.0.0.1", 8080, "/v1/chat"));
        assertNull(id(m, "http", "127.0.0.1", 8081, "/v1/chat"));
        assertNull(id(m, "http", "127.0.0.1", -1, "/v1/chat"));
        assertNull(id(m, "http", "127.0.0.2", 8080, "/v1/chat"));
        assertNull(id(m, "ftp", "127.0.0.1", 8080, "/v1/chat"));
    }

    @Test
    void defaultPortsAreTheSameAsNone() {
        EndpointMatcher m = new EndpointMatcher(List.of(
                ep("s", "https://secure.example/v1"), ep("p", "http://plain.example:80/v1"),
                ep("x", "https://explicit.example:443")));
        assertEquals("s", id(m, "https", "secure.example", -1, "/v1"));
        assertEquals("s", id(m, "https", "secure.example", 443, "/v1"));
        assertNull(id(m, "https", "secure.example", 8443, "/v1"));
        assertEquals("p", id(m, "http", "plain.example", -1, "/v1"));
        assertEquals("p", id(m, "http", "plain.example", 80, "/v1"));
        assertEquals("x", id(m, "https", "explicit.example", -1, "/any"));
        assertEquals(List.of("http://plain.example/v1"), m.match("http", "plain.example", 80, "/v1").match());
    }

    @Test
    void caseOfSchemeAndHostDoesNotMatter() {
        EndpointMatcher m = new EndpointMatcher(List.of(ep("openai", "HTTPS://API.OpenAI.COM/v1")));
        assertEquals("openai", id(m, "https", "api.openai.com", -1, "/v1/x"));
        assertEquals("openai", id(m, "HTTPS", "Api.OpenAI.Com", -1, "/v1/x"));
        assertEquals("openai", id(m, "https", "api.openai.com.", -1, "/v1/x"), "a fully qualified host");
    }

    @Test
    void wildcardsMatchSubdomainsNotTheBareDomain() {
        EndpointMatcher m = new EndpointMatcher(List.of(ep("azure", "https://*.openai.azure.com")));
        assertEquals("azure", id(m, "https", "myres.openai.azure.com", -1, "/openai/deployments/x"));
        assertEquals("azure", id(m, "https", "a.b.openai.azure.com", -1, "/"));
        assertEquals("azure", id(m, "https", "MyRes.OpenAI.Azure.com", -1, "/"));
        assertNull(id(m, "https", "openai.azure.com", -1, "/"));
        assertNull(id(m, "https", "xopenai.azure.com", -1, "/"));
        assertNull(id(m, "https", "myres.openai.azure.com.evil.example", -1, "/"));
    }

    @Test
    void longestPrefixWinsAcrossEndpoints() {
        EndpointMatcher m = new EndpointMatcher(List.of(
                ep("all", "https://api.example.com"),
                ep("chat", "https://api.example.com/v1/chat"),
                ep("v1", "https://api.example.com/v1")));
        assertEquals("chat", id(m, "https", "api.example.com", -1, "/v1/chat/completions"));
        assertEquals("v1", id(m, "https", "api.example.com", -1, "/v1/embeddings"));
        assertEquals("v1", id(m, "https", "api.example.com", -1, "/v1/chatty"));
        assertEquals("all", id(m, "https", "api.example.com", -1, "/v2"));
    }

    @Test
    void anExactHostBeatsAWildcardAndALongerWildcardBeatsAShorterOne() {
        EndpointMatcher m = new EndpointMatcher(List.of(
                ep("any", "https://*.example.com"),
                ep("eu", "https://*.eu.example.com"),
                ep("api", "https://api.eu.example.com/v1")));
        assertEquals("api", id(m, "https", "api.eu.example.com", -1, "/v1/x"));
        assertEquals("eu", id(m, "https", "api.eu.example.com", -1, "/v2"), "exact host, but its path does not fit");
        assertEquals("eu", id(m, "https", "other.eu.example.com", -1, "/"));
        assertEquals("any", id(m, "https", "us.example.com", -1, "/"));
    }

    @Test
    void oneEndpointMayHaveSeveralPrefixes() {
        EndpointConfig openai = ep("openai", "https://api.openai.com/v1", "https://*.openai.azure.com");
        EndpointMatcher m = new EndpointMatcher(List.of(openai));
        assertSame(openai, m.match("https", "api.openai.com", -1, "/v1/chat"));
        assertSame(openai, m.match("https", "x.openai.azure.com", -1, "/chat"));
    }

    @Test
    void noEndpointsNoMatch() {
        EndpointMatcher m = new EndpointMatcher(List.of());
        assertNull(m.match("https", "api.openai.com", -1, "/v1"));
        assertNull(m.match(null, "api.openai.com", -1, "/v1"));
        assertNull(m.match("https", null, -1, "/v1"));
        assertNull(m.match("https", "", -1, "/v1"));
    }

    @Test
    void manyHostsAreIndexed() {
        EndpointConfig[] eps = new EndpointConfig[200];
        for (int i = 0; i < eps.length; i++) eps[i] = ep("e" + i, "https://host" + i + ".example/v1");
        EndpointMatcher m = new EndpointMatcher(List.of(eps));
        for (int i = 0; i < eps.length; i++) assertSame(eps[i], m.match("https", "HOST" + i + ".example", -1, "/v1"));
        assertNull(m.match("https", "host200.example", -1, "/v1"));
    }

    @Test
    void badPrefixesAreRefused() {
        for (String bad : new String[]{"api.openai.com/v1", "ftp://x.example", "https://", "https://*", "https://a..b",
                "https://x.example:0", "https://x.example:99999", "https://x.example:8o", "https://u:p@x.example",
                "https://x.example/v1?x=1", "https://x.example/v*/chat", "https://x.*.example"}) {
            assertThrows(IllegalArgumentException.class, () -> MatchPrefix.parse(bad), bad);
        }
        assertEquals("https://api.openai.com/v1", MatchPrefix.parse(" https://API.openai.com:443/v1/* ").text);
        assertEquals("http://[::1]:8080/v1", MatchPrefix.parse("http://[::1]:8080/v1/").text);
    }

    @Test
    void matchingAllocatesNothing() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "HotSpot's ThreadMXBean");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "allocation counting supported");
        if (!mx.isThreadAllocatedMemoryEnabled()) mx.setThreadAllocatedMemoryEnabled(true);

        EndpointMatcher m = new EndpointMatcher(List.of(
                ep("openai", "https://api.openai.com/v1"),
                ep("azure", "https://*.openai.azure.com"),
                ep("local", "http://127.0.0.1:8080/v1")));
        // Hosts as the application's URI would hand them over: mixed case, never lower-cased by the matcher.
        String[][] misses = {
                {"https", "www.Example.com", "/index.html"},
                {"https", "API.OpenAI.com", "/v10/chat"},
                {"http", "api.openai.com", "/v1/chat"},
                {"https", "a.b.c.d.example.org", "/"},
                {"https", "openai.azure.com", "/x"},
        };
        String[][] hits = {
                {"https", "API.OpenAI.com", "/v1/chat/completions"},
                {"https", "MyRes.openai.Azure.com", "/openai/deployments"},
        };
        long tid = Thread.currentThread().getId();
        int calls = 100_000;
        for (int round = 0; round < 3; round++) { // warm up: let the JIT settle before measuring
            run(m, misses, calls, true);
            run(m, hits, calls, false);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        long misses0 = run(m, misses, calls, true);
        long afterMisses = mx.getThreadAllocatedBytes(tid);
        long hits0 = run(m, hits, calls, false);
        long afterHits = mx.getThreadAllocatedBytes(tid);
        assertEquals(calls, misses0);
        assertEquals(calls, hits0);
        long slack = 64 * 1024; // the measurement itself, JIT and safepoint noise; one allocation per call would be >= 1.6 MB
        assertEquals(0, Math.max(0, afterMisses - before - slack),
                "no-match path allocated " + (afterMisses - before) + " bytes over " + calls + " calls");
        assertEquals(0, Math.max(0, afterHits - afterMisses - slack),
                "match path allocated " + (afterHits - afterMisses) + " bytes over " + calls + " calls");
    }

    private static long run(EndpointMatcher m, String[][] urls, int calls, boolean expectMiss) {
        long ok = 0;
        for (int i = 0; i < calls; i++) {
            String[] u = urls[i % urls.length];
            EndpointConfig e = m.match(u[0], u[1], -1, u[2]);
            if ((e == null) == expectMiss) ok++;
        }
        return ok;
    }
}
