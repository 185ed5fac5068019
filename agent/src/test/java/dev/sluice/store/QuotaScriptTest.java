package dev.sluice.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quota script against a real Redis. Redis's clock cannot be faked from outside, so the tests use short
 * windows (rates of hundreds or thousands per minute) and allow a few milliseconds of timing slack.
 */
class QuotaScriptTest {
    RespConnection c;
    String bucket;
    String replicas;

    @BeforeEach
    void connect() throws Exception {
        c = RespConnection.open(TestRedis.target(), 2_000_000_000L, "test-reader", null);
        String q = "test-" + UUID.randomUUID();
        bucket = "sluice:{" + q + "}:bucket";
        replicas = "sluice:{" + q + "}:replicas";
    }

    @AfterEach
    void close() throws Exception {
        if (c != null) {
            c.call(1_000_000_000L, null, "DEL", bucket, replicas);
            c.close();
        }
    }

    /** Runs the script with EVAL (so a test never depends on the script cache). */
    Object run(Object... args) throws Exception {
        List<Object> all = new ArrayList<>(List.of("EVAL", QuotaScript.SOURCE, "2", bucket, replicas));
        all.addAll(List.of(args));
        Object r = c.call(2_000_000_000L, null, all.toArray());
        if (r instanceof RespConnection.ErrorReply) throw new AssertionError("script error: " + r);
        return r;
    }

    @SuppressWarnings("unchecked")
    List<Long> take(long rpm, long rcap, long tpm, long tcap, long r, long t) throws Exception {
        return (List<Long>) run("take", rpm, rcap, tpm, tcap, r, t);
    }

    @SuppressWarnings("unchecked")
    List<Long> call(String op, long rpm, long rcap, long tpm, long tcap, long a, long b) throws Exception {
        return (List<Long>) run(op, rpm, rcap, tpm, tcap, a, b);
    }

    @Test
    void theShaIsWhatRedisComputes() throws Exception {
        assertEquals(QuotaScript.SHA, c.call(1_000_000_000L, null, "SCRIPT", "LOAD", QuotaScript.SOURCE));
    }

    @Test
    void aNewBucketIsFullAndTakesBothOrNothing() throws Exception {
        // 600 rpm = 10/s, capacity 3; 600 tpm = 10/s, capacity 100 (slow: a busy machine's pauses change little)
        assertEquals(List.of(1L, 0L, 0L, 0L, 2L, 60L), take(600, 3, 600, 100, 1, 40));
        List<Long> no = take(600, 3, 600, 100, 1, 90); // requests there, tokens short
        assertEquals(0L, no.get(0));
        assertEquals(0L, no.get(2), "the request bucket had enough");
        long missing = 90 - no.get(5);
        assertTrue(missing > 0 && no.get(3) > (missing - 1) * 100 && no.get(3) <= missing * 100,
                "tokens: 1 per 100 ms, so the wait is what is missing x 100 ms: " + no);
        List<Long> v = call("view", 600, 3, 600, 100, 0, 0);
        assertTrue(v.get(0) >= 2 && v.get(1) >= 60 && v.get(1) < 90, "nothing was taken: " + v);
    }

    @Test
    void aRefusalSaysHowLongUntilEnoughIsThereAndThatIsRight() throws Exception {
        for (int i = 0; i < 3; i++) assertEquals(1L, take(600, 3, 0, 1, 1, 0).get(0));
        long t0 = System.nanoTime();
        List<Long> no = take(600, 3, 0, 1, 1, 0);
        long t1 = System.nanoTime(); // Redis's "now" for the refusal lies between t0 and t1
        assertEquals(0L, no.get(0));
        long wait = no.get(2);
        assertTrue(wait > 0 && wait <= 100, "one request per 100 ms: " + no);
        boolean served = false;
        if (wait > 25) {
            Thread.sleep(wait - 20);
            List<Long> early = take(600, 3, 0, 1, 1, 0);
            if ((System.nanoTime() - t0) / 1_000_000L < wait - 2) { // (a loaded machine may have slept longer)
                assertEquals(0L, early.get(0), "not before the time it said");
            }
            served = early.get(0) == 1L; // a loaded machine slept past the time: that take was served
        }
        if (!served) {
            Thread.sleep(Math.max(0, wait + 2 - (System.nanoTime() - t1) / 1_000_000L));
            assertEquals(1L, take(600, 3, 0, 1, 1, 0).get(0), "served once the time it said has passed");
        }
    }

    @Test
    void theRefillIsExactOverManyCalls() throws Exception {
        // 60,000 rpm = 1 per ms, half of a 1,000,000 capacity taken first (so no pause of this machine ever lets
        // the level reach the capacity and lose refill to it). Over ~1 s of touching the bucket, what the refill
        // produced is exactly the Redis milliseconds between the first and the last write: nothing lost to rounding.
        assertEquals(List.of(1L, 0L, 0L, 0L, 500_000L, 0L), take(60_000, 1_000_000, 0, 1, 500_000, 0));
        long ts0 = Long.parseLong((String) c.call(1_000_000_000L, null, "HGET", bucket, "ts"));
        long start = System.nanoTime();
        int granted = 0;
        while (System.nanoTime() - start < 1_000_000_000L) {
            if (take(60_000, 1_000_000, 0, 1, 1, 0).get(0) == 1L) granted++;
        }
        long left = call("adjust", 60_000, 1_000_000, 0, 1, 0, 0).get(0); // a no-op that writes the refilled level
        long ts1 = Long.parseLong((String) c.call(1_000_000_000L, null, "HGET", bucket, "ts"));
        assertTrue(granted > 50, "granted " + granted);
        assertEquals(ts1 - ts0, left - 500_000 + granted, "refilled in " + (ts1 - ts0) + " ms");
    }

    @Test
    void oddRatesLoseNoFraction() throws Exception {
        // 7 rpm: one per 8571.43 ms. Empty it, then the level after 9 s is exactly 1, not 0 from rounded steps.
        assertEquals(1L, take(7, 1, 0, 1, 1, 0).get(0));
        List<Long> no = take(7, 1, 0, 1, 1, 0);
        assertTrue(no.get(2) >= 8500 && no.get(2) <= 8572, "wait " + no);
        for (int i = 0; i < 50; i++) take(7, 1, 0, 1, 0, 0); // touching it changes nothing
    }

    @Test
    void anOversizedRequestIsTakenWhenFullIntoDebt() throws Exception {
        List<Long> big = take(0, 1, 60_000, 100, 0, 250);
        assertEquals(1L, big.get(0), "larger than the capacity: taken when full");
        assertEquals(-150L, big.get(5));
        List<Long> no = take(0, 1, 60_000, 100, 0, 1);
        assertEquals(0L, no.get(0));
        assertTrue(no.get(3) >= 145 && no.get(3) <= 151, "the debt is paid back first: " + no);
    }

    @Test
    void adjustChargesIntoDebtAndRefundsUpToTheCapacity() throws Exception {
        take(600, 10, 60_000, 1000, 1, 500);
        List<Long> charged = call("adjust", 600, 10, 60_000, 1000, 0, 800);
        assertTrue(charged.get(1) <= -290 && charged.get(1) >= -300, "into debt: " + charged);
        List<Long> refunded = call("adjust", 600, 10, 60_000, 1000, -5, -5000);
        assertEquals(List.of(10L, 1000L), refunded, "never above the capacity");
    }

    @Test
    void lowerNeverRaises() throws Exception {
        take(600, 10, 60_000, 1000, 1, 100);
        List<Long> l = call("lower", 600, 10, 60_000, 1000, 3, 5000);
        assertEquals(3L, l.get(0));
        assertTrue(l.get(1) >= 900 && l.get(1) <= 1000, "not raised: " + l);
        l = call("lower", 600, 10, 60_000, 1000, -1, 200);
        assertTrue(l.get(0) >= 3 && l.get(0) < 5, "-1 leaves it: " + l);
        assertEquals(200L, l.get(1));
    }

    @SuppressWarnings("unchecked")
    @Test
    void aJvmRejoiningChargesWhatItAdmittedButNeverBelowZero() throws Exception {
        take(6, 100, 600, 10_000, 10, 1000);                 // 90 requests, 9000 tokens left (slow refill)
        List<Long> l = (List<Long>) run("lower", 6, 100, 600, 10_000, -1, -1, 30, 2000);
        assertEquals(60L, l.get(0), "30 admitted elsewhere are charged");
        assertTrue(l.get(1) >= 7000 && l.get(1) < 7100, "tokens too: " + l);
        l = (List<Long>) run("lower", 6, 100, 600, 10_000, 50, -1, 100, 0);
        assertEquals(0L, l.get(0), "never below zero (the provider would have refused, not lent); then lowered");
        l = (List<Long>) run("lower", 6, 100, 600, 10_000, 40, 5000, 0, 0);
        assertEquals(0L, l.get(0), "never raised");
        assertEquals(5000L, l.get(1));
    }

    @Test
    void aPauseRefusesEveryoneUntilItEndsAndResumeEndsIt() throws Exception {
        assertTrue(Math.abs((Long) run("pause", 300) - 300) <= 5);
        assertTrue((Long) run("pause", 100) > 250, "a shorter pause does not shorten it");
        List<Long> no = take(600, 10, 60_000, 1000, 1, 1);
        assertEquals(0L, no.get(0));
        assertTrue(no.get(1) > 250 && no.get(1) <= 300, "pause left: " + no);
        run("resume");
        assertEquals(1L, take(600, 10, 60_000, 1000, 1, 1).get(0));
    }

    @Test
    void bigFiguresStayExact() throws Exception {
        long rate = 100_000_000_000L; // TokenBucket.MAX_RATE
        long cap = 1L << 50;          // TokenBucket.MAX_CAPACITY
        List<Long> t = take(0, 1, rate, cap, 0, 123_456_789_012_345L);
        assertEquals(1L, t.get(0));
        long left = t.get(5);
        assertTrue(left <= cap - 123_456_789_012_345L + rate / 60_000 * 50, "level " + left);
        Object raw = c.call(1_000_000_000L, null, "HGET", bucket, "t");
        assertTrue(String.valueOf(raw).matches("\\d+"), "written as digits, never in exponent form: " + raw);
        List<Long> r = call("adjust", 0, 1, rate, cap, 0, -(cap + 5));
        assertEquals(cap, r.get(1), "refunded to exactly the capacity");
    }

    @Test
    void theBucketKeyExpiresOnceItWouldBeFullAgain() throws Exception {
        take(600, 10, 0, 1, 5, 0); // 5 short at 10/s: full again in 500 ms
        long ttl = (Long) c.call(1_000_000_000L, null, "PTTL", bucket);
        assertTrue(ttl > 1000 && ttl <= 1500, "ttl " + ttl);
    }

    @Test
    void heartbeatsCountTheReplicasSeenRecently() throws Exception {
        assertEquals(1L, run("beat", "a", 10_000));
        assertEquals(2L, run("beat", "b", 10_000));
        assertEquals(2L, run("beat", "a", 10_000), "the same JVM twice is one replica");
        Thread.sleep(60);
        assertEquals(1L, run("beat", "c", 50), "those older than the window are forgotten");
        assertEquals(1L, run("leave", "c"));
    }

    @Test
    void anUnknownOperationIsAnError() throws Exception {
        Object r = c.call(1_000_000_000L, null, "EVAL", QuotaScript.SOURCE, "2", bucket, replicas, "drop-table");
        assertTrue(r instanceof RespConnection.ErrorReply && r.toString().contains("unknown operation"), "" + r);
    }
}
