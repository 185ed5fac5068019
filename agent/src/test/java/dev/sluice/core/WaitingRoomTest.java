package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitingRoomTest {
    long seq;

    Waiter w(Priority p, long tokens, long deadline) {
        return new Waiter(null, p, tokens, 0, deadline, false, ++seq, false);
    }

    Waiter w(Priority p) {
        return w(p, 10, 1_000 + seq);
    }

    @Test
    void fifoWithinPriorityHigherFirst() {
        WaitingRoom room = new WaitingRoom();
        Waiter n1 = w(Priority.NORMAL), l1 = w(Priority.LOW), h1 = w(Priority.HIGH), n2 = w(Priority.NORMAL),
                h2 = w(Priority.HIGH), l2 = w(Priority.LOW);
        for (Waiter x : List.of(n1, l1, h1, n2, h2, l2)) room.add(x);
        assertEquals(6, room.size());
        List<Waiter> order = new ArrayList<>();
        Waiter x;
        while ((x = room.poll()) != null) order.add(x);
        assertEquals(List.of(h1, h2, n1, n2, l1, l2), order);
        assertTrue(room.isEmpty());
    }

    @Test
    void aheadCountsAndTokenSums() {
        WaitingRoom room = new WaitingRoom();
        room.add(w(Priority.LOW, 100, 1));
        room.add(w(Priority.NORMAL, 20, 2));
        room.add(w(Priority.HIGH, 3, 3));
        assertEquals(3, room.countAhead(Priority.LOW));
        assertEquals(123, room.tokensAhead(Priority.LOW));
        assertEquals(2, room.countAhead(Priority.NORMAL));
        assertEquals(23, room.tokensAhead(Priority.NORMAL));
        assertEquals(1, room.countAhead(Priority.HIGH));
        assertEquals(123, room.tokensWaiting());
    }

    @Test
    void removeFromTheMiddleAndDeadlineOrder() {
        WaitingRoom room = new WaitingRoom();
        Waiter a = w(Priority.NORMAL, 1, 50), b = w(Priority.NORMAL, 1, 10), c = w(Priority.NORMAL, 1, 30);
        room.add(a);
        room.add(b);
        room.add(c);
        assertSame(b, room.earliestDeadline());
        assertTrue(room.remove(b));
        assertFalse(room.remove(b), "twice is a no-op");
        assertSame(c, room.earliestDeadline());
        assertSame(a, room.poll());
        assertSame(c, room.poll());
        assertNull(room.poll());
        assertNull(room.earliestDeadline());
    }

    @Test
    void victimsForEachDropPolicy() {
        WaitingRoom room = new WaitingRoom();
        Waiter n1 = w(Priority.NORMAL), l1 = w(Priority.LOW), h1 = w(Priority.HIGH), l2 = w(Priority.LOW);
        for (Waiter x : List.of(n1, l1, h1, l2)) room.add(x);
        assertSame(n1, room.oldest(), "drop-oldest: the longest waiter of any priority");
        assertSame(l2, room.newestOfLowest(), "drop-lowest-priority: the newest of the lowest present");
        room.remove(l1);
        room.remove(l2);
        assertSame(n1, room.newestOfLowest());
        SplittableRandom rnd = new SplittableRandom(1);
        java.util.Set<Waiter> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) seen.add(room.random(rnd));
        assertEquals(java.util.Set.of(n1, h1), seen, "drop-random: any waiter");
    }

    @Test
    void congestionHysteresis() {
        WaitingRoom room = new WaitingRoom();
        List<Waiter> ws = new ArrayList<>();
        List<Integer> changes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Waiter x = w(Priority.NORMAL);
            ws.add(x);
            room.add(x);
            int c = room.updateCongestion(8, 2);
            if (c != 0) changes.add(room.size() * c);
        }
        assertTrue(room.congested());
        for (int i = 0; i < 6; i++) { // 8 -> 2
            room.remove(ws.remove(0));
            int c = room.updateCongestion(8, 2);
            if (c != 0) changes.add(room.size() * c);
            if (room.size() > 2) assertTrue(room.congested(), "still congested above the low-water mark");
        }
        assertFalse(room.congested());
        room.add(w(Priority.NORMAL)); // back to 3: not congested until 8 again
        assertEquals(0, room.updateCongestion(8, 2));
        assertEquals(List.of(8, -2), changes);
        assertEquals(0, new WaitingRoom().updateCongestion(0, 0), "high-water 0: never congested");
    }
}
