package dev.sluice.alert;

import dev.sluice.log.SluiceLog;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One log line per state change, rate-limited per subject (an endpoint's breaker, its congestion, one alert):
 * a few lines at once, then one per interval. Changes that were not logged are counted, and the latest one is
 * logged with the count as soon as the subject's budget allows, so the last line about a subject always tells
 * its current state. Used by the watcher thread only.
 */
final class StateLog {
    private final int burst;
    private final long refillNanos;
    private final Map<String, Budget> budgets = new HashMap<>();

    private static final class Budget {
        double tokens;
        long at;
        int suppressed;
        SluiceLog.Level level;
        String last;
    }

    StateLog(int burst, long refillNanos) {
        this.burst = burst;
        this.refillNanos = refillNanos;
    }

    void change(String subject, SluiceLog.Level level, String message, long now) {
        Budget b = budgets.computeIfAbsent(subject, k -> {
            Budget nb = new Budget();
            nb.tokens = burst;
            nb.at = now;
            return nb;
        });
        refill(b, now);
        if (b.tokens >= 1) {
            b.tokens -= 1;
            emit(level, message, b.suppressed);
            b.suppressed = 0;
            b.last = null;
        } else {
            b.suppressed++;
            b.level = level;
            b.last = message;
        }
    }

    /** Logs the latest held-back change of each subject whose budget has refilled. */
    void flush(long now) {
        for (Iterator<Budget> it = budgets.values().iterator(); it.hasNext(); ) {
            Budget b = it.next();
            refill(b, now);
            if (b.last != null && b.tokens >= 1) {
                b.tokens -= 1;
                emit(b.level, b.last, b.suppressed - 1);
                b.suppressed = 0;
                b.last = null;
            } else if (b.last == null && b.tokens >= burst) {
                it.remove(); // quiet subject: forget it
            }
        }
    }

    private void refill(Budget b, long now) {
        if (now > b.at) {
            b.tokens = Math.min(burst, b.tokens + (double) (now - b.at) / refillNanos);
            b.at = now;
        }
    }

    private static void emit(SluiceLog.Level level, String message, int earlier) {
        SluiceLog.log(level, earlier > 0 ? message + " (" + earlier + " earlier change" + (earlier == 1 ? "" : "s")
                + " not logged)" : message, null);
    }
}
