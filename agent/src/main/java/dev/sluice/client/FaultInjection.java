package dev.sluice.client;

import dev.sluice.log.SluiceLog;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A test-only fault switch: {@code -Dsluice.test.faults=match,estimate,usage,gate,jmx} (or {@code all}) makes the
 * named internal steps throw, so tests can prove that Sluice fails open: the application's calls complete as if
 * Sluice were not there, each fault is logged once and counted ({@link Faults}). {@code -Dsluice.test.faults.rate=0.5}
 * makes each step throw on that share of its passes instead of on every one, so several steps can be exercised in
 * one run without the first masking the rest.
 *
 * <p>Read once, when this class is initialised (at the agent's start, on the first call that reaches a step);
 * {@link #ON} is a static final, so with the switch off every check is a constant-false branch the JIT removes.
 * When on, the injected totals are logged at JVM exit, for tests to compare with the Faults counters.
 *
 * <p>Steps: {@code match} (endpoint matching), {@code estimate} (priority and token estimate), {@code usage}
 * (usage parsing of the response body), {@code admit} and {@code release} (the gate: admission, and handing the
 * permit back; {@code gate} names both), {@code jmx} (endpoint MBean registration), {@code jmx-read} (the endpoint
 * MBean's live figures).
 */
public final class FaultInjection {
    public static final String PROPERTY = "sluice.test.faults";

    public enum Step {
        MATCH("match"), ESTIMATE("estimate"), USAGE("usage"), ADMIT("admit"), RELEASE("release"), JMX("jmx"),
        JMX_READ("jmx-read");

        final String label;

        Step(String label) {
            this.label = label;
        }
    }

    /** The exception a switched-on step throws. */
    public static final class InjectedFault extends RuntimeException {
        InjectedFault(Step step) {
            super("fault injected by " + PROPERTY + " at " + step.label, null, false, false);
        }
    }

    private static final boolean[] STEPS = new boolean[Step.values().length];
    private static final double RATE;
    /** True when any step is switched on. */
    public static final boolean ON;
    private static final AtomicLongArray INJECTED = new AtomicLongArray(Step.values().length);

    static {
        boolean any = false;
        double rate = 1.0;
        try {
            String spec = System.getProperty(PROPERTY);
            if (spec != null) {
                for (String raw : spec.split(",")) {
                    String s = raw.trim().toLowerCase(Locale.ROOT);
                    for (Step step : Step.values()) {
                        if (s.equals("all") || s.equals(step.label) || (s.equals("gate")
                                && (step == Step.ADMIT || step == Step.RELEASE))) {
                            STEPS[step.ordinal()] = true;
                            any = true;
                        }
                    }
                }
                String r = System.getProperty(PROPERTY + ".rate");
                if (r != null) rate = Math.max(0, Math.min(1, Double.parseDouble(r.trim())));
            }
        } catch (RuntimeException e) {
            any = false; // a malformed test switch: off
        }
        ON = any;
        RATE = rate;
        if (ON) {
            SluiceLog.warn("TEST FAULT SWITCH ON (" + PROPERTY + "): internal steps will throw on purpose");
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> SluiceLog.info(summary()),
                        "sluice-fault-summary"));
            } catch (RuntimeException ignored) {
                // shutting down already
            }
        }
    }

    private FaultInjection() {
    }

    /** Throws {@link InjectedFault} when {@code step} is switched on (and the rate's draw says so). */
    public static void check(Step step) {
        if (!ON) return;
        if (!STEPS[step.ordinal()]) return;
        if (RATE < 1.0 && ThreadLocalRandom.current().nextDouble() >= RATE) return;
        INJECTED.incrementAndGet(step.ordinal());
        throw new InjectedFault(step);
    }

    /** Faults injected so far at {@code step}. */
    public static long injected(Step step) {
        return INJECTED.get(step.ordinal());
    }

    /** {@code injected faults: total=N match=N ...}: the line logged at exit. */
    public static String summary() {
        StringBuilder sb = new StringBuilder("test faults injected:");
        long total = 0;
        for (Step s : Step.values()) total += INJECTED.get(s.ordinal());
        sb.append(" total=").append(total);
        for (Step s : Step.values()) sb.append(' ').append(s.label).append('=').append(INJECTED.get(s.ordinal()));
        return sb.toString();
    }
}
