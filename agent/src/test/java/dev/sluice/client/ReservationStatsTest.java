package dev.sluice.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReservationStatsTest {
    @Test
    void countsCorrectionsAndAveragesTheRecentError() {
        ReservationStats s = new ReservationStats();
        s.record(100, 80, 50, 40);   // refund 20; prompt +25%
        s.record(100, 130, 30, 40);  // extra 30; prompt -25%
        s.record(100, 100, 40, 40);  // exact
        s.record(100, -1, 40, -1);   // reservation kept, no usage
        assertEquals(1, s.refunds());
        assertEquals(20, s.refundedTokens());
        assertEquals(1, s.extraCharges());
        assertEquals(30, s.extraChargedTokens());
        assertEquals(3, s.samples());
        assertEquals(50.0 / 3, s.meanAbsoluteErrorPercent(), 1e-9);
        assertEquals(0.0, s.meanErrorPercent(), 1e-9);
        s.reset();
        assertEquals(0, s.samples());
        assertEquals(0.0, s.meanAbsoluteErrorPercent());
    }

    @Test
    void onlyTheLastWindowCounts() {
        ReservationStats s = new ReservationStats();
        for (int i = 0; i < 1000; i++) s.record(10, 10, 200, 100);      // +100%
        for (int i = 0; i < ReservationStats.WINDOW; i++) s.record(10, 10, 110, 100); // +10%
        assertEquals(10.0, s.meanAbsoluteErrorPercent(), 1e-9);
        assertEquals(10.0, s.meanErrorPercent(), 1e-9);
        assertEquals(1000 + ReservationStats.WINDOW, s.samples());
    }
}
