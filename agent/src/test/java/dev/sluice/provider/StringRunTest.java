package dev.sluice.provider;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tokenizer's eight-bytes-at-a-time string scan finds exactly what a byte-at-a-time loop finds. */
class StringRunTest {
    /** Bytes that differ from '"' (0x22) or '\' (0x5C) by one bit or by the high bit, where a bit trick could slip. */
    private static final byte[] NEAR = {'"', '\\', 0x23, 0x21, 0x20, 0x02, (byte) 0xA2, 0x5D, 0x5B, 0x1C, 0x7C,
            (byte) 0xDC, 0x00, (byte) 0xFF, (byte) 0x80, 0x01, 'x', ' '};

    private static int naive(byte[] b, int i, int end) {
        while (i < end && b[i] != '"' && b[i] != '\\') i++;
        return i;
    }

    @Test
    void findsTheFirstQuoteOrBackslashAtEveryPositionAndBound() {
        Random rnd = new Random(42);
        for (int n = 0; n < 40; n++) {
            for (int trial = 0; trial < 300; trial++) {
                byte[] b = new byte[n];
                for (int k = 0; k < n; k++) {
                    int r = rnd.nextInt(10);
                    b[k] = r < 6 ? NEAR[2 + rnd.nextInt(NEAR.length - 2)] : r < 8 ? (byte) rnd.nextInt(256) : NEAR[rnd.nextInt(2)];
                }
                int from = n == 0 ? 0 : rnd.nextInt(n + 1);
                int to = from + rnd.nextInt(n - from + 1);
                assertEquals(naive(b, from, to), JsonTokenizer.stringRun(b, from, to),
                        "n=" + n + " from=" + from + " to=" + to);
            }
        }
    }

    @Test
    void aLongRunWithTheMatchInEachLaneOfAWord() {
        for (int at = 0; at < 64; at++) {
            for (byte m : new byte[]{'"', '\\'}) {
                byte[] b = new byte[64];
                java.util.Arrays.fill(b, (byte) 0xA2); // '"' with the high bit set: must not be taken for a quote
                b[at] = m;
                if (at + 1 < 64) b[at + 1] = '"';
                assertEquals(at, JsonTokenizer.stringRun(b, 0, 64));
                assertEquals(at < 63 ? at + 1 : 64, JsonTokenizer.stringRun(b, Math.min(at + 1, 64), 64));
            }
        }
        assertEquals(100, JsonTokenizer.stringRun(new byte[100], 0, 100)); // zeros: no match, to the end
    }
}
