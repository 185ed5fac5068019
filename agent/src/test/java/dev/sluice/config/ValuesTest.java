package dev.sluice.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValuesTest {
    @ParameterizedTest
    @CsvSource({"0,0", "6000,6000", "6_000,6000", "'6,000',6000", "'1,000,000',1000000", "6k,6000", "2M,2000000",
            "' 42 ',42", "-5,-5", "+7,7", "1_0,10"})
    void wholeNumbers(String text, long value) {
        assertEquals(value, Values.wholeNumber(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "1.5", "1,00", "1,0000", "_1", "1_", ",100", "1e3", "2m", "99999999999999999999",
            "--1", "0x10", "k"})
    void notWholeNumbers(String text) {
        assertNull(Values.wholeNumber(text));
    }

    @ParameterizedTest
    @CsvSource({"250ms,250000000", "30s,30000000000", "2m,120000000000", "1h,3600000000000", "1d,86400000000000",
            "1.5s,1500000000", "1m30s,90000000000", "'1m 30s',90000000000", "30 s,30000000000", "30S,30000000000",
            "0,0", "250,250000000", "1_000,1000000000", "5min,300000000000", "10sec,10000000000", "0s,0"})
    void durations(String text, long nanos) {
        assertEquals(nanos, Values.durationNanos(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "-1s", "s", "10 parsecs", "1.2.3s", "30s30", "1e3s", "9999999999999d"})
    void notDurations(String text) {
        assertEquals(-1, Values.durationNanos(text));
    }

    @ParameterizedTest
    @CsvSource({"0.8,0.8", "80%,0.8", "90 %,0.9", "1,1.0", "0,0.0", "1/3,0.3333333333333333", "12.5%,0.125"})
    void shares(String text, double share) {
        assertEquals(share, Values.share(text), 1e-12);
    }

    @Test
    void decimalsRefuseWhatDoubleParseDoubleWouldTake() {
        for (String s : new String[]{"NaN", "Infinity", "1d", "1f", "0x1p3", "", ".", "1e", "abc"}) {
            assertNull(Values.decimal(s), s);
        }
        assertEquals(0.016666, Values.decimal("0.016666"));
        assertEquals(1e-3, Values.decimal("1e-3"));
        assertEquals(1.0 / 60, Values.decimalOrFraction("1/60"));
        assertNull(Values.decimalOrFraction("1/0"));
        assertNull(Values.decimalOrFraction("1/x"));
    }

    @Test
    void booleans() {
        for (String t : new String[]{"true", "TRUE", "yes", "on", " On "}) assertEquals(Boolean.TRUE, Values.bool(t), t);
        for (String f : new String[]{"false", "no", "off", "OFF"}) assertEquals(Boolean.FALSE, Values.bool(f), f);
        for (String x : new String[]{"1", "0", "y", "", "maybe"}) assertNull(Values.bool(x), x);
    }

    @Test
    void percents() {
        assertEquals(50L, Values.percent("50"));
        assertEquals(50L, Values.percent("50%"));
        assertNull(Values.percent("5k"));
        assertNull(Values.percent("half"));
    }

    @Test
    void names() {
        assertTrue(Values.isName("openai"));
        assertTrue(Values.isName("my-vllm_2"));
        assertFalse(Values.isName("my.api"));
        assertFalse(Values.isName(""));
        assertFalse(Values.isName("a b"));
    }

    @Test
    void formattedDurations() {
        assertEquals("30s", Values.formatDuration(30_000_000_000L));
        assertEquals("5m", Values.formatDuration(300_000_000_000L));
        assertEquals("250ms", Values.formatDuration(250_000_000L));
        assertEquals("0", Values.formatDuration(0));
    }
}
