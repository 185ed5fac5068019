package dev.sluice.it;

import dev.sluice.it.apps.JdkLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slow upstream and one concurrency slot fill the waiting room: low calls are refused before normal, high last;
 * each overflow policy does what it says and is counted.
 */
class PrioritySheddingIT {
    @Test
    void lowIsShedBeforeNormalAndHighLast() throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(100))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("max-concurrent", 1).endpoint("queue.capacity", 20)
                    .write();
            // 90 calls arrive in 0.9 s; one slot serves 10/s, so the room fills and stays full.
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=90", "rate=100", "mode=async", "priority=low,normal,high")
                    .run(120);
            long low = r.result().containsKey("refused.shed.low") ? r.num("refused.shed.low") : 0;
            long normal = r.result().containsKey("refused.shed.normal") ? r.num("refused.shed.normal") : 0;
            long high = r.result().containsKey("refused.shed.high") ? r.num("refused.shed.high") : 0;
            System.out.printf("shed: low %d, normal %d, high %d; ok %d%n", low, normal, high, r.num("ok"));
            assertTrue(low > normal, "low shed more than normal: " + r.result());
            assertTrue(normal > high, "normal shed more than high: " + r.result());
            assertTrue(low >= 20, r.result().toString());
            assertEquals(0, up.rateLimited());
            assertEquals(90, r.num("ok") + r.num("refused"), "every call is either served or refused on purpose\n" + r);
        }
    }

    /**
     * One slot held by a slow call, the room (capacity 5) filled in order, then 3 newcomers. Shedding is off so the
     * overflow policy alone decides.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reject-new", "drop-oldest", "drop-random", "drop-lowest-priority"})
    void overflowPolicy(String policy) throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(600))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("max-concurrent", 1).endpoint("queue.capacity", 5)
                    .endpoint("queue.overflow", policy)
                    .endpoint("shed.threshold", "1.0").endpoint("shed.normal", "1.0").endpoint("shed.high", "1.0")
                    .endpoint("queue.high-water", 5).endpoint("queue.low-water", 0)
                    .write();
            // call 0 takes the slot; 1..5 wait (low,low,normal,normal,low); 6..8 arrive at a full room (high).
            String priorities = "high,low,low,normal,normal,low,high,high,high";
            ChildJvm.Result r = ChildJvm.of(JdkLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=9", "spacingMs=40", "mode=async", "priority=" + priorities,
                            "detail=true").run(120);
            List<String> outcome = outcomes(r, 9);
            List<Integer> refused = new ArrayList<>();
            for (int i = 0; i < 9; i++) if (!outcome.get(i).equals("200")) refused.add(i);
            assertEquals(3, refused.size(), "three calls pay for the full room: " + outcome);
            switch (policy) {
                case "reject-new":
                    assertEquals(List.of(6, 7, 8), refused, outcome.toString());
                    refused.forEach(i -> assertEquals("refused:queue-full", outcome.get(i)));
                    break;
                case "drop-oldest":
                    assertEquals(List.of(1, 2, 3), refused, outcome.toString());
                    refused.forEach(i -> assertEquals("refused:dropped", outcome.get(i)));
                    break;
                case "drop-random":
                    // Any waiter may be the victim, including a newcomer that entered by an earlier drop (6 or 7),
                    // but never the arriving call itself: the last one (8) always enters.
                    refused.forEach(i -> assertTrue(i >= 1 && i <= 7, "a waiter is dropped, not the arriving call: "
                            + outcome));
                    refused.forEach(i -> assertEquals("refused:dropped", outcome.get(i)));
                    break;
                default: // drop-lowest-priority: the newest low waiters go first (5, then 2, then 1)
                    assertEquals(List.of(1, 2, 5), refused, outcome.toString());
                    refused.forEach(i -> assertEquals("refused:dropped", outcome.get(i)));
            }
        }
    }

    static List<String> outcomes(ChildJvm.Result r, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(null);
        for (String line : r.stdout.split("\n")) {
            if (!line.startsWith("CALL ")) continue;
            String[] parts = line.split(" ");
            int i = Integer.parseInt(parts[1].substring(2));
            out.set(i, parts[2].substring("outcome=".length()));
        }
        return out;
    }
}
