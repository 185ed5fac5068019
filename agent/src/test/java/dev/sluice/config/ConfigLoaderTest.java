package dev.sluice.config;

import dev.sluice.core.GateLimits;
import dev.sluice.core.Mode;
import dev.sluice.core.Overflow;
import dev.sluice.core.Priority;
import dev.sluice.log.SluiceLog;
import dev.sluice.provider.Estimator;
import dev.sluice.provider.ProviderKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private static final String EP = "sluice.endpoint.openai.";
    private static final String MATCH = EP + "match=https://api.openai.com/v1\n";

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path f = Files.createTempFile(dir, "sluice-", ".properties");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private ConfigLoadResult load(String text) throws IOException {
        return ConfigLoader.load(write(text).toString(), new Properties(), Map.of());
    }

    private static String only(ConfigLoadResult r) {
        assertEquals(1, r.problems().size(), () -> "exactly one problem: " + r.problems());
        return r.problems().get(0);
    }

    private static void assertNoProblems(ConfigLoadResult r) {
        assertEquals(List.of(), r.problems());
    }

    // ------------------------------------------------------------------------------ defaults and every key

    @Test
    void noFileAndNoOverridesGiveDefaultsWithoutProblems() {
        ConfigLoadResult r = ConfigLoader.load(null, new Properties(), Map.of());
        assertNoProblems(r);
        assertTrue(r.fileRead());
        SluiceConfig c = r.config();
        assertTrue(c.enabled());
        assertEquals(Mode.ENFORCE, c.mode());
        assertEquals(5_000_000_000L, c.reloadNanos());
        assertTrue(c.jmx());
        assertNull(c.logLevel());
        assertEquals(List.of(), c.endpoints());
        assertEquals(List.of(), c.alerts());
        assertTrue(c.clientEnabled("okhttp"));
    }

    @Test
    void endpointDefaults() throws IOException {
        ConfigLoadResult r = load(MATCH);
        assertNoProblems(r);
        EndpointConfig e = r.config().endpoints().get(0);
        assertEquals("openai", e.id());
        assertEquals(List.of("https://api.openai.com/v1"), e.match());
        assertEquals(ProviderKind.GENERIC, e.provider());
        assertEquals("X-Sluice-Priority", e.priorityHeader());
        assertEquals(Priority.NORMAL, e.priorityDefault());
        assertNull(e.priorityForThread("main"));
        assertEquals(512, e.outputDefaultTokens());
        assertEquals(Estimator.CHARS, e.estimator());
        assertEquals(EndpointConfig.Reject.EXCEPTION, e.reject());
        assertEquals("local", e.store());
        assertEquals(EndpointConfig.FALLBACK_SHARE_AUTO, e.storeFallbackShare());
        assertEquals("openai", e.storeQuota(), "the quota is named after the endpoint");
        assertEquals(50_000_000L, e.storeTimeoutNanos());
        assertNull(e.storePasswordEnv());
        assertEquals(300_000_000_000L, e.maxPauseNanos());
        GateLimits l = e.limits();
        GateLimits d = GateLimits.defaults();
        assertEquals(Mode.ENFORCE, l.mode());
        assertEquals(0, l.rpm());
        assertEquals(0, l.tpm());
        assertEquals(1.0, l.burst());
        assertEquals(0, l.maxConcurrent());
        assertEquals(100, l.queueCapacity());
        assertEquals(80, l.highWater());
        assertEquals(20, l.lowWater());
        assertEquals(d.maxWaitNanos(), l.maxWaitNanos());
        assertEquals(Overflow.REJECT_NEW, l.overflow());
        assertEquals(0.9, l.shedThreshold(Priority.LOW));
        assertEquals(0.95, l.shedThreshold(Priority.NORMAL));
        assertEquals(0.98, l.shedThreshold(Priority.HIGH));
        assertEquals(5, l.breakerFailures());
        assertEquals(0, l.breakerFailureRatePercent());
        assertEquals(20, l.breakerWindow());
        assertEquals(30_000_000_000L, l.breakerOpenNanos());
        assertEquals(1, l.breakerHalfOpenCalls());
    }

    @Test
    void everyKeyIsParsed() throws IOException {
        ConfigLoadResult r = load(String.join("\n",
                "sluice.enabled=no",
                "sluice.mode=observe",
                "sluice.reload=250ms",
                "sluice.jmx=off",
                "sluice.log.level=debug",
                "sluice.client.okhttp.enabled=false",
                "sluice.client.jdk-httpclient.enabled=yes",
                EP + "match=HTTPS://API.OpenAI.com:443/v1/, https://*.openai.azure.com",
                EP + "provider=openai",
                EP + "mode=off",
                EP + "rpm=6_000",
                EP + "tpm=2M",
                EP + "burst=1/60",
                EP + "max-concurrent=64",
                EP + "queue.capacity=1,000",
                EP + "queue.high-water=50%",
                EP + "queue.low-water=100",
                EP + "queue.max-wait=1m30s",
                EP + "queue.overflow=drop-lowest-priority",
                EP + "shed.threshold=80%",
                EP + "shed.normal=0.85",
                EP + "shed.high=1",
                EP + "priority.header=X-Prio",
                EP + "priority.default=low",
                EP + "priority.threads.high=api-.*",
                EP + "priority.threads.low=batch-\\\\d+",
                EP + "breaker.failures=3",
                EP + "breaker.failure-rate=50%",
                EP + "breaker.window=40",
                EP + "breaker.open-for=2s",
                EP + "breaker.half-open-calls=2",
                EP + "tokens.estimator=tiktoken",
                EP + "tokens.output-default=1024",
                EP + "reject=http",
                EP + "store=redis://:pw@localhost:6379",
                EP + "store.fallback-share=1/3",
                EP + "store.quota=team-a:gpt4o",
                EP + "store.timeout=20ms",
                EP + "store.password-env=REDIS_PW",
                EP + "max-pause=2h",
                "sluice.alert.deep.endpoint=openai",
                "sluice.alert.deep.when=queue.depth > 100",
                "sluice.alert.deep.for=10s",
                "sluice.alert.deep.action=notify",
                ""));
        assertNoProblems(r);
        SluiceConfig c = r.config();
        assertFalse(c.enabled());
        assertEquals(Mode.OBSERVE, c.mode());
        assertEquals(250_000_000L, c.reloadNanos());
        assertFalse(c.jmx());
        assertEquals(SluiceLog.Level.DEBUG, c.logLevel());
        assertFalse(c.clientEnabled("okhttp"));
        assertFalse(c.clientEnabled("OKHTTP"));
        assertTrue(c.clientEnabled("jdk-httpclient"));
        assertTrue(c.clientEnabled("httpurlconnection"));

        EndpointConfig e = c.endpoints().get(0);
        assertEquals(List.of("https://api.openai.com/v1", "https://*.openai.azure.com"), e.match());
        assertEquals(ProviderKind.OPENAI, e.provider());
        GateLimits l = e.limits();
        assertEquals(Mode.OFF, l.mode());
        assertEquals(6000, l.rpm());
        assertEquals(2_000_000, l.tpm());
        assertEquals(1.0 / 60, l.burst(), 1e-12);
        assertEquals(64, l.maxConcurrent());
        assertEquals(1000, l.queueCapacity());
        assertEquals(500, l.highWater());
        assertEquals(100, l.lowWater());
        assertEquals(90_000_000_000L, l.maxWaitNanos());
        assertEquals(Overflow.DROP_LOWEST_PRIORITY, l.overflow());
        assertEquals(0.8, l.shedThreshold(Priority.LOW), 1e-12);
        assertEquals(0.85, l.shedThreshold(Priority.NORMAL), 1e-12);
        assertEquals(1.0, l.shedThreshold(Priority.HIGH), 1e-12);
        assertEquals("X-Prio", e.priorityHeader());
        assertEquals(Priority.LOW, e.priorityDefault());
        assertEquals(Priority.HIGH, e.priorityForThread("api-7"));
        assertEquals(Priority.LOW, e.priorityForThread("batch-12"));
        assertNull(e.priorityForThread("batch-x"));
        assertEquals(3, l.breakerFailures());
        assertEquals(50, l.breakerFailureRatePercent());
        assertEquals(40, l.breakerWindow());
        assertEquals(2_000_000_000L, l.breakerOpenNanos());
        assertEquals(2, l.breakerHalfOpenCalls());
        assertEquals(Estimator.TIKTOKEN, e.estimator());
        assertEquals(1024, e.outputDefaultTokens());
        assertEquals(EndpointConfig.Reject.HTTP, e.reject());
        assertEquals("redis://:pw@localhost:6379", e.store());
        assertFalse(e.toString().contains("pw@"), e.toString());
        assertEquals(1.0 / 3, e.storeFallbackShare(), 1e-12);
        assertEquals("team-a:gpt4o", e.storeQuota());
        assertEquals(20_000_000L, e.storeTimeoutNanos());
        assertEquals("REDIS_PW", e.storePasswordEnv());
        assertEquals(7_200_000_000_000L, e.maxPauseNanos());

        AlertConfig a = c.alerts().get(0);
        assertEquals("deep", a.name());
        assertEquals("openai", a.endpoint());
        assertEquals("queue.depth > 100", a.when());
        assertEquals(10_000_000_000L, a.forNanos());
        assertEquals("notify", a.action());
    }

    @Test
    void endpointModeDefaultsToTheGlobalMode() throws IOException {
        ConfigLoadResult r = load("sluice.mode=observe\n" + MATCH);
        assertNoProblems(r);
        assertEquals(Mode.OBSERVE, r.config().endpoints().get(0).limits().mode());
    }

    @Test
    void endpointsKeepTheOrderOfFirstAppearance() throws IOException {
        ConfigLoadResult r = load(String.join("\n",
                "sluice.endpoint.b.match=http://b.example/v1",
                "sluice.endpoint.a.match=http://a.example/v1",
                "sluice.endpoint.b.rpm=5",
                "sluice.endpoint.c.match=http://c.example/v1"));
        assertNoProblems(r);
        assertEquals(List.of("b", "a", "c"), r.config().endpoints().stream().map(EndpointConfig::id).toList());
    }

    @Test
    void shedLevelsFollowAThresholdSetAlone() throws IOException {
        GateLimits l = load(MATCH + EP + "shed.threshold=0.97\n").config().endpoints().get(0).limits();
        assertEquals(0.97, l.shedThreshold(Priority.LOW));
        assertEquals(0.97, l.shedThreshold(Priority.NORMAL));
        assertEquals(0.98, l.shedThreshold(Priority.HIGH));
    }

    @Test
    void alertDefaultsAreEveryEndpointNoDelayAndLog() throws IOException {
        ConfigLoadResult r = load("sluice.alert.x.when=wait.avg > 10s\n");
        assertNoProblems(r);
        AlertConfig a = r.config().alerts().get(0);
        assertEquals("*", a.endpoint());
        assertEquals(0, a.forNanos());
        assertEquals("log", a.action());
    }

    @Test
    void inlineCommentsAndEmptyValuesAsTheReadmeWritesThem() throws IOException {
        ConfigLoadResult r = load(MATCH + EP + "rpm=5000            # your tier's limits\n" + EP + "tpm=\n");
        assertNoProblems(r);
        assertEquals(5000, r.config().endpoints().get(0).limits().rpm());
        assertEquals(0, r.config().endpoints().get(0).limits().tpm());
    }

    // ------------------------------------------------------------------------------ bad values: one message each

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "sluice.enabled|maybe|true or false|using true",
            "sluice.mode|fast|enforce or observe|using enforce",
            "sluice.mode|off|sluice.enabled=false|using enforce",
            "sluice.reload|soon|a duration|using 5s",
            "sluice.reload|-1s|a duration|using 5s",
            "sluice.jmx|2|true or false|using true",
            "sluice.log.level|loud|one of error, warn, info, debug|using info",
            "sluice.client.okhttp.enabled|nope|true or false|using true",
            "sluice.endpoint.openai.provider|openia|one of openai, anthropic, gemini, generic|using generic",
            "sluice.endpoint.openai.mode|on|one of enforce, observe, off|using enforce (sluice.mode)",
            "sluice.endpoint.openai.rpm|lots|a whole number >= 0|using 0 (unlimited)",
            "sluice.endpoint.openai.rpm|-5|a whole number >= 0|using 0 (unlimited)",
            "sluice.endpoint.openai.rpm|1,00|a whole number >= 0|using 0 (unlimited)",
            "sluice.endpoint.openai.tpm|1.5|a whole number >= 0|using 0 (unlimited)",
            "sluice.endpoint.openai.burst|-2|a number > 0 and <= 1000|using 1.0",
            "sluice.endpoint.openai.burst|0|a number > 0 and <= 1000|using 1.0",
            "sluice.endpoint.openai.burst|1/0|a number > 0 and <= 1000|using 1.0",
            "sluice.endpoint.openai.burst|NaN|a number > 0 and <= 1000|using 1.0",
            "sluice.endpoint.openai.max-concurrent|99999999999|a whole number >= 0|using 0 (unlimited)",
            "sluice.endpoint.openai.queue.capacity|big|a whole number >= 0|using 100",
            "sluice.endpoint.openai.queue.high-water|150%|a count (like 80) or a share|using 80% of queue.capacity (80)",
            "sluice.endpoint.openai.queue.high-water|500|is more than queue.capacity (100)|using 100",
            "sluice.endpoint.openai.queue.low-water|-1|a count (like 80) or a share|using 20% of queue.capacity (20)",
            "sluice.endpoint.openai.queue.low-water|90|is more than queue.high-water (80)|using 80",
            "sluice.endpoint.openai.queue.max-wait|soon|a duration|using 30s",
            "sluice.endpoint.openai.queue.overflow|drop-everyone|one of reject-new, drop-oldest|using reject-new",
            "sluice.endpoint.openai.shed.threshold|90|a share between 0 and 1|using 0.9",
            "sluice.endpoint.openai.shed.normal|0.5|is below shed.threshold (0.9)|using 0.9",
            "sluice.endpoint.openai.shed.high|x|a share between 0 and 1|using 0.98",
            "sluice.endpoint.openai.priority.header|X Prio|an HTTP header name|using X-Sluice-Priority",
            "sluice.endpoint.openai.priority.default|urgent|one of high, normal, low|using normal",
            "sluice.endpoint.openai.priority.threads.high|api-(|not a valid regular expression|the rule is ignored",
            "sluice.endpoint.openai.priority.threads.urgent|api-.*|is not a priority|the rule is ignored",
            "sluice.endpoint.openai.breaker.failures|0|a whole number >= 1|using 5",
            "sluice.endpoint.openai.breaker.failure-rate|150|a percentage 0..100|using 0 (off)",
            "sluice.endpoint.openai.breaker.window|0|a whole number 1..10000|using 20",
            "sluice.endpoint.openai.breaker.open-for|forever|a duration|using 30s",
            "sluice.endpoint.openai.breaker.half-open-calls|none|a whole number >= 1|using 1",
            "sluice.endpoint.openai.tokens.estimator|exact|chars or tiktoken|using chars",
            "sluice.endpoint.openai.tokens.output-default|-1|a whole number >= 0|using 512",
            "sluice.endpoint.openai.reject|silently|exception or http|using exception",
            "sluice.endpoint.openai.store|memcached://x|local or a redis://host:port URI|using local",
            "sluice.endpoint.openai.store.fallback-share|2|auto or a share between 0 and 1|using auto",
            "sluice.endpoint.openai.store|redis://h:6379/x|local or a redis://host:port URI|using local",
            "sluice.endpoint.openai.store.quota|a b|a quota name|using openai (the endpoint id)",
            "sluice.endpoint.openai.store.quota|{x}|a quota name|using openai (the endpoint id)",
            "sluice.endpoint.openai.store.timeout|0|a duration > 0|using 50ms",
            "sluice.endpoint.openai.store.password-env|REDIS-PW|an environment variable name|using none",
            "sluice.endpoint.openai.max-pause|0|a duration > 0|using 5m",
            "sluice.alert.a.for|later|a duration|using 0",
            "sluice.alert.a.action|page|one of log, notify, shed-low|using log",
    })
    void aBadValueGivesOneMessageNamingKeyValueAndDefault(String key, String value, String expected, String using)
            throws IOException {
        String text = MATCH + "sluice.alert.a.when=queue.depth > 1\n" + key + "=" + value + "\n";
        ConfigLoadResult r = load(text);
        String p = only(r);
        assertTrue(p.contains(key), p);
        assertTrue(p.contains(expected), p);
        assertTrue(p.contains(using), p);
        if (!key.contains("threads.urgent")) assertTrue(p.startsWith(key + "=" + value), p);
        assertTrue(p.contains("line 3 of "), "names where the value came from: " + p);
        // Still a usable config: the endpoint is there, the global switch at its default.
        assertEquals(1, r.config().endpoints().size());
    }

    @Test
    void theMessageOfTheDesignExample() throws IOException {
        String p = only(load(MATCH + EP + "rpm=lots\n"));
        assertTrue(p.startsWith("sluice.endpoint.openai.rpm=lots is not a whole number >= 0; using 0 (unlimited)"), p);
    }

    @Test
    void aBadValueFallsBackToTheDefault() throws IOException {
        GateLimits l = load(MATCH + EP + "rpm=lots\n" + EP + "queue.max-wait=soon\n" + EP + "burst=-2\n")
                .config().endpoints().get(0).limits();
        assertEquals(0, l.rpm());
        assertEquals(GateLimits.DEFAULT_MAX_WAIT_NANOS, l.maxWaitNanos());
        assertEquals(1.0, l.burst());
    }

    @Test
    void unknownKeySuggestsTheNearestKnownOne() throws IOException {
        // A value that cannot turn up by chance in the message (the temp file's random name once held "100").
        String p = only(load(MATCH + EP + "rmp=value-of-a-typo\n"));
        assertTrue(p.contains("unknown key sluice.endpoint.openai.rmp"), p);
        assertTrue(p.contains("did you mean sluice.endpoint.openai.rpm"), p);
        assertFalse(p.contains("value-of-a-typo"), "an unknown key's value is not shown: " + p);
    }

    @ParameterizedTest
    @CsvSource({
            "sluice.endpont.openai.rpm, sluice.endpoint.openai.rpm",
            "sluice.endpoint.openai.queue.maxwait, sluice.endpoint.openai.queue.max-wait",
            "sluice.endpoint.openai.max_concurrent, sluice.endpoint.openai.max-concurrent",
            "sluice.endpoint.openai.capacity, sluice.endpoint.openai.queue.capacity",
            "sluice.endpoint.openai.RPM, sluice.endpoint.openai.rpm",
            "sluice.enable, sluice.enabled",
            "mode, sluice.mode",
            "sluice.alert.x.wen, sluice.alert.x.when",
    })
    void didYouMean(String typo, String meant) throws IOException {
        String p = only(load(MATCH + typo + "=1\n"));
        assertTrue(p.contains("unknown key " + typo), p);
        assertTrue(p.contains("did you mean " + meant + "?"), p);
    }

    @Test
    void unknownKeyFarFromAnyGetsNoSuggestion() throws IOException {
        String p = only(load(MATCH + EP + "colour=blue\n"));
        assertTrue(p.contains("unknown key sluice.endpoint.openai.colour"), p);
        assertFalse(p.contains("did you mean"), p);
    }

    @Test
    void aLineThatIsNotKeyValueIsAnUnknownKey() throws IOException {
        String p = only(load(MATCH + "this line is not a key value pair at all\n"));
        assertTrue(p.contains("unknown key this"), p);
        assertTrue(p.contains("not key=value"), p);
        assertTrue(p.contains("line 2"), p);
    }

    @Test
    void theIntegrationTestsBadFileNamesEveryKey() throws IOException {
        ConfigLoadResult r = load(String.join("\n",
                "sluice.reload=0",
                "sluice.endpoint.mock.match=http://127.0.0.1:8080/v1",
                "sluice.endpoint.mock.provider=openai",
                "sluice.endpoint.mock.rmp=100",
                "sluice.endpoint.mock.rpm=lots",
                "sluice.endpoint.mock.queue.max-wait=soon",
                "sluice.endpoint.mock.queue.overflow=drop-everyone",
                "sluice.endpoint.mock.burst=-2",
                "this line is not a key value pair at all"));
        assertEquals(6, r.problems().size(), r.problems()::toString);
        String all = String.join("\n", r.problems());
        for (String s : new String[]{"sluice.endpoint.mock.rmp", "sluice.endpoint.mock.rpm=lots",
                "sluice.endpoint.mock.queue.max-wait=soon", "drop-everyone", "sluice.endpoint.mock.burst=-2",
                "did you mean sluice.endpoint.mock.rpm"}) {
            assertTrue(all.contains(s), s + " in\n" + all);
        }
        assertEquals(1, r.config().endpoints().size(), "the endpoint itself is still governed");
    }

    @Test
    void aKeySetTwiceIsReportedOnceAndTheLastWins() throws IOException {
        ConfigLoadResult r = load(MATCH + EP + "rpm=1\n" + EP + "rpm=2\n");
        String p = only(r);
        assertTrue(p.contains(EP + "rpm is set twice (lines 2 and 3)"), p);
        assertEquals(2, r.config().endpoints().get(0).limits().rpm());
    }

    // ------------------------------------------------------------------------------ endpoints skipped

    @Test
    void anEndpointWithoutMatchIsReportedOnceAndSkipped() throws IOException {
        ConfigLoadResult r = load(MATCH + "sluice.endpoint.vllm.rpm=10\nsluice.endpoint.vllm.tpm=10\n");
        String p = only(r);
        assertTrue(p.contains("endpoint vllm has no sluice.endpoint.vllm.match"), p);
        assertEquals(List.of("openai"), r.config().endpoints().stream().map(EndpointConfig::id).toList());
    }

    @Test
    void anEndpointWithABadIdIsReportedOnceAndSkipped() throws IOException {
        ConfigLoadResult r = load(MATCH + "sluice.endpoint.my.api.match=https://x.example\nsluice.endpoint.my.api.rpm=1\n");
        String p = only(r);
        assertTrue(p.contains("endpoint id 'my.api'"), p);
        assertEquals(1, r.config().endpoints().size());
    }

    @Test
    void badMatchPrefixes() throws IOException {
        String p = only(load(EP + "match=api.openai.com/v1\n"));
        assertTrue(p.startsWith(EP + "match=api.openai.com/v1"), p);
        assertTrue(p.contains("the endpoint is ignored"), p);

        ConfigLoadResult r = load(EP + "match=ftp://x.example, https://api.openai.com/v1\n");
        p = only(r);
        assertTrue(p.contains("ftp"), p);
        assertTrue(p.contains("the other prefixes are used"), p);
        assertEquals(List.of("https://api.openai.com/v1"), r.config().endpoints().get(0).match());
    }

    @Test
    void aPrefixClaimedByTwoEndpointsGoesToTheFirst() throws IOException {
        ConfigLoadResult r = load(MATCH + "sluice.endpoint.copy.match=https://api.openai.com/v1/\n");
        String p = only(r);
        assertTrue(p.contains("already matched by endpoint openai"), p);
        assertEquals(1, r.config().endpoints().size());
    }

    @Test
    void alertsThatCannotWorkAreReportedAndSkipped() throws IOException {
        ConfigLoadResult r = load(MATCH + "sluice.alert.a.action=log\n");
        assertTrue(only(r).contains("alert a has no sluice.alert.a.when"));
        assertEquals(List.of(), r.config().alerts());

        r = load(MATCH + "sluice.alert.b.when=queue.depth > 1\nsluice.alert.b.endpoint=nope\n");
        assertTrue(only(r).contains("sluice.alert.b.endpoint=nope names no configured endpoint (openai, or * for all)"));
        assertEquals(List.of(), r.config().alerts());
    }

    @Test
    void theStoreKeys() throws IOException {
        ConfigLoadResult r = load(MATCH + EP + "store=rediss://redis.internal:6380/3\n" + EP + "store.fallback-share=auto\n"
                + EP + "store.timeout=75ms\n");
        assertNoProblems(r);
        EndpointConfig e = r.config().endpoints().get(0);
        assertEquals("rediss://redis.internal:6380/3", e.store());
        assertEquals(EndpointConfig.FALLBACK_SHARE_AUTO, e.storeFallbackShare());
        assertEquals(75_000_000L, e.storeTimeoutNanos());
        assertEquals("openai", e.storeQuota());
        r = load(MATCH + EP + "store.password-env=not a name\n");
        assertTrue(only(r).contains("=not a name is not an environment variable name"), "a variable's name is shown");
    }

    // ------------------------------------------------------------------------------ secrets

    @Test
    void aStorePasswordIsNeverShown() throws IOException {
        String p = only(load(MATCH + EP + "store=redis://:hunter2@/nohost\n"));
        assertFalse(p.contains("hunter2"), p);
        assertTrue(p.contains("redis://:****@"), p);
        p = only(load(MATCH + EP + "store=redis://me:hunter2@\n"));
        assertFalse(p.contains("hunter2"), p);
    }

    // ------------------------------------------------------------------------------ overrides

    @Test
    void systemPropertiesOverrideTheFile() throws IOException {
        Properties sys = new Properties();
        sys.setProperty(EP + "rpm", "300");
        sys.setProperty("sluice.mode", "observe");
        sys.setProperty("sluice.config", "/elsewhere.properties"); // names the file: not a key
        sys.setProperty("java.version", "17");                     // not ours
        ConfigLoadResult r = ConfigLoader.load(write(MATCH + EP + "rpm=100\n").toString(), sys, Map.of());
        assertNoProblems(r);
        assertEquals(300, r.config().endpoints().get(0).limits().rpm());
        assertEquals(Mode.OBSERVE, r.config().mode());
    }

    @Test
    void environmentOverridesTheFileAndSystemPropertiesOverrideTheEnvironment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SLUICE_ENDPOINT_OPENAI_RPM", "200");
        env.put("SLUICE_ENDPOINT_OPENAI_TPM", "9000");
        env.put("SLUICE_ENABLED", "false");
        env.put("SLUICE_CONFIG", "/x.properties");
        env.put("PATH", "/usr/bin");
        Properties sys = new Properties();
        sys.setProperty(EP + "tpm", "7000");
        ConfigLoadResult r = ConfigLoader.load(write(MATCH + EP + "rpm=100\n").toString(), sys, env);
        assertNoProblems(r);
        assertEquals(200, r.config().endpoints().get(0).limits().rpm());
        assertEquals(7000, r.config().endpoints().get(0).limits().tpm());
        assertFalse(r.config().enabled());
    }

    @Test
    void agentArgumentsOverrideEverything() throws IOException {
        Properties sys = new Properties();
        sys.setProperty("sluice.mode", "enforce");
        ConfigLoadResult r = ConfigLoader.load(write(MATCH).toString(),
                AgentArgs.parse("config=/ignored,sluice.mode=observe,sluice.endpoint.openai.rpm=42"), sys, Map.of());
        assertNoProblems(r);
        assertEquals(Mode.OBSERVE, r.config().mode());
        assertEquals(42, r.config().endpoints().get(0).limits().rpm());
    }

    @Test
    void environmentNamesResolveIdsWithDashesAndMultiWordSuffixes() throws IOException {
        Map<String, String> env = Map.of(
                "SLUICE_ENDPOINT_MY_VLLM_QUEUE_MAX_WAIT", "5s",
                "SLUICE_ENDPOINT_MY_VLLM_MAX_CONCURRENT", "8",
                "SLUICE_ENDPOINT_MY_VLLM_PRIORITY_THREADS_HIGH", "api-.*",
                "SLUICE_ALERT_SLOW_WAITS_ACTION", "notify",
                "SLUICE_CLIENT_JDK_HTTPCLIENT_ENABLED", "false",
                "SLUICE_LOG_LEVEL", "warn");
        ConfigLoadResult r = ConfigLoader.load(write(String.join("\n",
                "sluice.endpoint.my-vllm.match=http://gpu-1:8000/v1",
                "sluice.alert.slow-waits.when=wait.avg > 10s")).toString(), new Properties(), env);
        assertNoProblems(r);
        EndpointConfig e = r.config().endpoints().get(0);
        assertEquals("my-vllm", e.id());
        assertEquals(5_000_000_000L, e.limits().maxWaitNanos());
        assertEquals(8, e.limits().maxConcurrent());
        assertEquals(Priority.HIGH, e.priorityForThread("api-1"));
        assertEquals("notify", r.config().alerts().get(0).action());
        assertFalse(r.config().clientEnabled("jdk-httpclient"));
        assertEquals(SluiceLog.Level.WARN, r.config().logLevel());
    }

    @Test
    void environmentAloneMayDefineAnEndpointOfAnUnknownId() {
        Map<String, String> env = Map.of(
                "SLUICE_ENDPOINT_VLLM_MATCH", "http://localhost:8000/v1",
                "SLUICE_ENDPOINT_VLLM_SHED_HIGH", "99%");
        ConfigLoadResult r = ConfigLoader.load(null, new Properties(), env);
        assertNoProblems(r);
        EndpointConfig e = r.config().endpoints().get(0);
        assertEquals("vllm", e.id());
        assertEquals(0.99, e.limits().shedThreshold(Priority.HIGH), 1e-12);
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() throws IOException {
        ConfigLoadResult r = ConfigLoader.load(write(MATCH).toString(), new Properties(),
                Map.of("SLUICE_ENDPOINT_OPENAI_RPM", "lots"));
        String p = only(r);
        assertTrue(p.startsWith("sluice.endpoint.openai.rpm=lots is not a whole number >= 0"), p);
        assertTrue(p.contains("environment variable SLUICE_ENDPOINT_OPENAI_RPM"), p);
    }

    @Test
    void anUnknownEnvironmentVariableIsReportedWithASuggestion() throws IOException {
        ConfigLoadResult r = ConfigLoader.load(write(MATCH).toString(), new Properties(),
                Map.of("SLUICE_ENDPOINT_OPENAI_RMP", "5"));
        String p = only(r);
        assertTrue(p.contains("unknown environment variable SLUICE_ENDPOINT_OPENAI_RMP"), p);
        assertTrue(p.contains("did you mean SLUICE_ENDPOINT_OPENAI_RPM"), p);
    }

    @Test
    void anUnknownSystemPropertyIsReported() throws IOException {
        Properties sys = new Properties();
        sys.setProperty("sluice.endpoint.openai.rmp", "5");
        String p = only(ConfigLoader.load(write(MATCH).toString(), sys, Map.of()));
        assertTrue(p.contains("did you mean sluice.endpoint.openai.rpm"), p);
        assertTrue(p.contains("system property"), p);
    }

    // ------------------------------------------------------------------------------ the file

    @Test
    void aMissingFileIsReportedByPathAndDefaultsApply() {
        String missing = dir.resolve("no-such-dir/sluice.properties").toString();
        Properties sys = new Properties();
        sys.setProperty("sluice.endpoint.x.match", "https://x.example");
        ConfigLoadResult r = ConfigLoader.load(missing, sys, Map.of());
        assertFalse(r.fileRead());
        assertTrue(only(r).contains(missing), r.problems()::toString);
        assertTrue(r.config().enabled());
        assertEquals(1, r.config().endpoints().size(), "the overrides still apply");
    }

    @Test
    void aDirectoryIsReportedAsUnreadable() {
        ConfigLoadResult r = ConfigLoader.load(dir.toString(), new Properties(), Map.of());
        assertFalse(r.fileRead());
        assertTrue(only(r).contains(dir.toString()));
    }

    @Test
    void aFileThatIsNotUtf8IsReadAsLatin1AndReported() throws IOException {
        Path f = dir.resolve("latin1.properties");
        Files.write(f, (MATCH + "# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        ConfigLoadResult r = ConfigLoader.load(f.toString(), new Properties(), Map.of());
        assertTrue(only(r).contains("not valid UTF-8"));
        assertEquals(1, r.config().endpoints().size());
    }

    @Test
    void loadNeverThrows() {
        ConfigLoadResult r = ConfigLoader.load("\u0000bad", null, null);
        assertFalse(r.fileRead());
        assertEquals(1, r.problems().size());
        assertTrue(r.config().enabled());
    }

    // ------------------------------------------------------------------------------ config path

    @Test
    void configPathComesFromTheAgentArgumentThenSystemPropertyThenEnvironment() {
        Properties sys = new Properties();
        sys.setProperty("sluice.config", "/sys.properties");
        Map<String, String> env = Map.of("SLUICE_CONFIG", "/env.properties");
        assertEquals("/arg.properties", ConfigLoader.configPath(Map.of("config", "/arg.properties"), sys, env));
        assertEquals("/sys.properties", ConfigLoader.configPath(Map.of(), sys, env));
        assertEquals("/env.properties", ConfigLoader.configPath(Map.of(), new Properties(), env));
        assertNull(ConfigLoader.configPath(Map.of(), new Properties(), Map.of()));
        assertNull(ConfigLoader.configPath(null, null, null));
    }
}
