package dev.sluice.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The waiting room against a plain model (a list, searched the slow obvious way) over random sequences of every
 * operation: add, remove from anywhere (twice, too), poll, and every query the gate asks (head, oldest, newest of
 * the lowest priority, earliest deadline, counts and tokens ahead, congestion with changing watermarks). The room
 * is single-threaded by contract (the gate's lock guards it); its concurrency is the gate's, stressed in
 * GateConcurrencyStress. Seeded: {@code -Dsluice.seed=}.
 */
class WaitingRoomModelTest {
    static final long SEED = Long.getLong("sluice.seed", System.nanoTime());

    @Test
    void randomOperationsMatchTheModel() {
        Random rnd = new Random(SEED);
        long ops = 0;
        for (int run = 0; run < 200; run++) {
            WaitingRoom room = new WaitingRoom();
            List<Waiter> model = new ArrayList<>(); // in arrival order
            List<Waiter> gone = new ArrayList<>();
            long seq = 0;
            boolean congested = false;
            for (int step = 0; step < 500; step++, ops++) {
                String why = "seed " + SEED + " run " + run + " step " + step + " (re-run with -Dsluice.seed=" + SEED + ")";
                int op = rnd.nextInt(10);
                if (op < 4 || model.isEmpty()) {
                    Priority p = Priority.values()[rnd.nextInt(3)];
                    // nanoTime deadlines, compared wrap-safely: these straddle the wrap from MAX_VALUE to MIN_VALUE
                    long deadline = Long.MAX_VALUE - 25 + rnd.nextInt(50);
                    Waiter w = new Waiter(null, p, rnd.nextInt(100), 0, deadline, false, ++seq, false);
                    room.add(w);
                    model.add(w);
                } else if (op < 6) {
                    Waiter w = model.remove(rnd.nextInt(model.size()));
                    assertTrue(room.remove(w), why);
                    gone.add(w);
                } else if (op < 7 && !gone.isEmpty()) {
                    assertTrue(!room.remove(gone.get(rnd.nextInt(gone.size()))), why + ": removed twice");
                } else if (op < 8) {
                    Waiter expected = head(model);
                    assertSame(expected, room.poll(), why + ": poll");
                    model.remove(expected);
                    gone.add(expected);
                }
                // every query, after every step
                assertEquals(model.size(), room.size(), why);
                assertEquals(model.isEmpty(), room.isEmpty(), why);
                assertSame(head(model), room.peek(), why + ": peek");
                assertSame(model.isEmpty() ? null : model.stream().min(Comparator.comparingLong(w -> w.seq)).get(),
                        room.oldest(), why + ": oldest");
                assertSame(newestOfLowest(model), room.newestOfLowest(), why + ": newest of the lowest");
                Comparator<Waiter> byDeadline = (a, b) -> a.deadline != b.deadline ? Long.signum(a.deadline - b.deadline)
                        : Long.compare(a.seq, b.seq);
                assertSame(model.stream().min(byDeadline).orElse(null), room.earliestDeadline(), why + ": earliest deadline");
                for (Priority p : Priority.values()) {
                    assertEquals(model.stream().filter(w -> w.priority.ordinal() >= p.ordinal()).count(), room.countAhead(p), why);
                    assertEquals(model.stream().filter(w -> w.priority.ordinal() >= p.ordinal()).mapToLong(w -> w.tokens).sum(),
                            room.tokensAhead(p), why);
                    assertEquals(model.stream().filter(w -> w.priority == p).count(), room.count(p), why);
                }
                assertEquals(model.stream().mapToLong(w -> w.tokens).sum(), room.tokensWaiting(), why);
                if (!model.isEmpty()) {
                    Waiter r = room.random(rnd);
                    assertTrue(model.contains(r), why + ": random picks a waiter in the room");
                }
                int high = rnd.nextInt(8);
                int low = rnd.nextInt(high + 1);
                int change = room.updateCongestion(high, low);
                boolean next = !congested ? high > 0 && model.size() >= high
                        : !(high <= 0 || (model.size() <= low && model.size() < high));
                assertEquals(next == congested ? 0 : next ? 1 : -1, change, why + ": congestion change");
                congested = next;
                assertEquals(congested, room.congested(), why);
            }
        }
        System.out.println("FIGURES waiting room model: " + ops + " random operations checked, seed " + SEED);
    }

    /** Highest priority first, FIFO (arrival) within it. */
    private static Waiter head(List<Waiter> model) {
        Waiter best = null;
        for (Waiter w : model) {
            if (best == null || w.priority.ordinal() > best.priority.ordinal()) best = w;
        }
        return best;
    }

    /** The newest waiter of the lowest priority present. */
    private static Waiter newestOfLowest(List<Waiter> model) {
        Waiter best = null;
        for (Waiter w : model) {
            if (best == null || w.priority.ordinal() < best.priority.ordinal()
                    || (w.priority == best.priority && w.seq > best.seq)) {
                best = w;
            }
        }
        return best;
    }
}
