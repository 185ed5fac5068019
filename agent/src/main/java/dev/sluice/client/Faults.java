package dev.sluice.client;

import dev.sluice.log.SluiceLog;

import java.util.concurrent.atomic.LongAdder;

/**
 * Fail open: an error inside Sluice is logged once per place and counted, and the application's call goes on
 * untouched. The only failures Sluice causes are deliberate refusals.
 */
public final class Faults {
    private static final LongAdder TOTAL = new LongAdder();

    private Faults() {
    }

    public static void record(EndpointRuntime endpoint, String where, Throwable t) {
        try {
            TOTAL.increment();
            if (endpoint != null) endpoint.faults.increment();
            SluiceLog.once(SluiceLog.Level.WARN, "fault:" + where + ":" + t.getClass().getName(),
                    "internal error in " + where + "; the call proceeds without Sluice for this step"
                            + " (logged once)", t);
        } catch (Throwable ignored) {
            // Nothing may escape from here.
        }
    }

    public static long total() {
        return TOTAL.sum();
    }
}
