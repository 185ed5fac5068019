package dev.sluice.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads properties text the way {@link java.util.Properties#load(java.io.Reader)} does (comments with '#' or
 * '!', '=' ':' or whitespace between key and value, backslash escapes and line continuations), but keeps what
 * Properties throws away: each entry's line number, whether the line had a '=' or ':' at all, and every
 * occurrence of a key (so a key set twice can be reported). One addition: a '#' preceded by whitespace ends the
 * value ({@code rpm=5000   # my tier}), as the README's examples write it; {@code \#} keeps a literal '#'.
 */
final class PropertiesText {
    /** One key = value line. */
    static final class Line {
        final String key;
        final String value;
        final int number;
        /** False for a line like {@code this is not a pair}: no '=' or ':' followed the key. */
        final boolean separated;

        Line(String key, String value, int number, boolean separated) {
            this.key = key;
            this.value = value;
            this.number = number;
            this.separated = separated;
        }
    }

    /** Lines that could not be read at all (a malformed {@code \\uXXXX} escape), as messages. */
    final List<String> errors = new ArrayList<>();
    final List<Line> lines = new ArrayList<>();

    private PropertiesText() {
    }

    static PropertiesText parse(String text) {
        PropertiesText out = new PropertiesText();
        int n = text.length();
        int pos = 0;
        int lineNo = 0;
        if (n > 0 && text.charAt(0) == '\uFEFF') pos = 1;
        while (pos < n) {
            // One logical line: natural lines joined while they end with an odd number of backslashes.
            lineNo++;
            int startLine = lineNo;
            StringBuilder logical = new StringBuilder();
            boolean first = true;
            boolean comment = false;
            while (true) {
                int end = pos;
                while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
                String natural = text.substring(pos, end);
                pos = end;
                if (pos < n && text.charAt(pos) == '\r') pos++;
                if (end < n && text.charAt(end) == '\r' && pos < n && text.charAt(pos) == '\n') pos++;
                else if (end < n && text.charAt(end) == '\n') pos++;
                int s = 0;
                while (s < natural.length() && isBlank(natural.charAt(s))) s++;
                if (first) {
                    if (s < natural.length() && (natural.charAt(s) == '#' || natural.charAt(s) == '!')) comment = true;
                    first = false;
                }
                String part = natural.substring(s);
                if (comment) break;
                int slashes = 0;
                for (int i = part.length() - 1; i >= 0 && part.charAt(i) == '\\'; i--) slashes++;
                if (slashes % 2 == 1 && pos < n) {
                    logical.append(part, 0, part.length() - 1);
                    lineNo++;
                    continue;
                }
                if (slashes % 2 == 1) part = part.substring(0, part.length() - 1);
                logical.append(part);
                break;
            }
            if (comment || logical.length() == 0) continue;
            out.line(logical.toString(), startLine);
        }
        return out;
    }

    private void line(String l, int number) {
        int n = l.length();
        int i = 0;
        // Key: up to the first unescaped '=', ':' or whitespace.
        int keyEnd = n;
        for (int j = 0; j < n; j++) {
            char c = l.charAt(j);
            if (c == '\\') {
                j++;
                continue;
            }
            if (c == '=' || c == ':' || isBlank(c)) {
                keyEnd = j;
                break;
            }
        }
        i = keyEnd;
        while (i < n && isBlank(l.charAt(i))) i++;
        boolean separated = false;
        if (i < n && (l.charAt(i) == '=' || l.charAt(i) == ':')) {
            separated = true;
            i++;
            while (i < n && isBlank(l.charAt(i))) i++;
        }
        try {
            String key = unescape(l.substring(0, keyEnd), false);
            String value = unescape(l.substring(i), true);
            lines.add(new Line(key, value, number, separated));
        } catch (IllegalArgumentException e) {
            errors.add("line " + number + " has a malformed \\uXXXX escape; the line is ignored");
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\f';
    }

    private static String unescape(String s, boolean value) {
        StringBuilder sb = new StringBuilder(s.length());
        int n = s.length();
        int lastLiteral = 0; // length of sb after the last escaped char (trailing trim must not eat it)
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = s.charAt(++i);
                switch (e) {
                    case 't': sb.append('\t'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 'f': sb.append('\f'); break;
                    case 'u':
                        if (i + 4 >= n) throw new IllegalArgumentException("malformed \\u");
                        int cp = 0;
                        for (int k = 1; k <= 4; k++) {
                            int d = Character.digit(s.charAt(i + k), 16);
                            if (d < 0) throw new IllegalArgumentException("malformed \\u");
                            cp = cp * 16 + d;
                        }
                        sb.append((char) cp);
                        i += 4;
                        break;
                    default: sb.append(e);
                }
                lastLiteral = sb.length();
                continue;
            }
            if (value && c == '#' && i > 0 && isBlank(s.charAt(i - 1))) {
                int end = sb.length();
                while (end > lastLiteral && isBlank(sb.charAt(end - 1))) end--;
                sb.setLength(end);
                return sb.toString();
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
