package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PropertiesTextTest {
    private static Map<String, String> map(PropertiesText t) {
        Map<String, String> m = new LinkedHashMap<>();
        for (PropertiesText.Line l : t.lines) m.put(l.key, l.value);
        return m;
    }

    @Test
    void readsWhatPropertiesReads() throws IOException {
        String text = String.join("\r\n",
                "# comment",
                "! also a comment",
                "   ",
                "a=1",
                "b : 2",
                "c 3",
                "  d=  spaced value  ",
                "e=continued \\",
                "    line",
                "f=tab\\tand\\u0041",
                "g\\ key=v",
                "h=C:\\\\dir\\\\file",
                "i=",
                "j",
                "k=a=b:c",
                "");
        Properties p = new Properties();
        p.load(new StringReader(text));
        Map<String, String> ours = map(PropertiesText.parse(text));
        Map<String, String> theirs = new LinkedHashMap<>();
        for (String k : ours.keySet()) theirs.put(k, p.getProperty(k));
        assertEquals(p.size(), ours.size());
        assertEquals(theirs, ours);
    }

    @Test
    void keepsLineNumbersAndWhetherALineWasAPair() {
        PropertiesText t = PropertiesText.parse("a=1\n\n# x\nb=2 \\\n  more\nthis line is not a pair\nc:3\n");
        List<PropertiesText.Line> l = t.lines;
        assertEquals(List.of(1, 4, 6, 7), l.stream().map(x -> x.number).toList());
        assertTrue(l.get(0).separated);
        assertFalse(l.get(2).separated);
        assertEquals("this", l.get(2).key);
        assertTrue(l.get(3).separated);
    }

    @Test
    void aHashAfterWhitespaceStartsAComment() {
        Map<String, String> m = map(PropertiesText.parse(
                "rpm=5000   # my tier\nregex=a#b\nescaped=x \\# y\nwhen=queue.depth > 100 # warn\nfirst=#literal\n"));
        assertEquals("5000", m.get("rpm"));
        assertEquals("a#b", m.get("regex"));
        assertEquals("x # y", m.get("escaped"));
        assertEquals("queue.depth > 100", m.get("when"));
        assertEquals("#literal", m.get("first"));
    }

    @Test
    void aMalformedUnicodeEscapeIsReportedAndTheLineSkipped() {
        PropertiesText t = PropertiesText.parse("a=\\u12\nb=2\n");
        assertEquals(1, t.errors.size());
        assertTrue(t.errors.get(0).contains("line 1"));
        assertEquals(Map.of("b", "2"), map(t));
    }

    @Test
    void aByteOrderMarkIsSkipped() {
        assertEquals(Map.of("a", "1"), map(PropertiesText.parse("\uFEFFa=1")));
    }
}
