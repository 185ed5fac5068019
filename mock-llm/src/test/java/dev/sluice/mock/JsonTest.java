package dev.sluice.mock;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\":1,\"b\":-2.5e1,\"c\":[true,false,null],\"d\":{\"e\":\"x\\n\\\"y\\u00e9\\/\"},\"f\":[]} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(1L, m.get("a"));
        assertEquals(-25.0, m.get("b"));
        assertEquals(List.of(true, false), ((List<?>) m.get("c")).subList(0, 2));
        assertNull(((List<?>) m.get("c")).get(2));
        assertEquals("x\n\"yé/", ((Map<?, ?>) m.get("d")).get("e"));
        assertEquals(List.of(), m.get("f"));
        assertEquals(List.copyOf(m.keySet()), List.of("a", "b", "c", "d", "f"), "keys in order");
    }

    @Test
    void rejectsBrokenJson() {
        for (String bad : new String[]{"", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "\"abc", "{\"a\":tru}", "{} x", "01x"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void quotesWhatNeedsQuoting() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.quote("a\"b\\c\nd\u0001"));
        assertEquals("a\"b\\c\nd\u0001", Json.parse(Json.quote("a\"b\\c\nd\u0001")));
    }
}
