package dev.sluice.bench.apps;

import java.lang.instrument.Instrumentation;

/**
 * A do-nothing agent that notes the time it ran: listed before and after Sluice's {@code -javaagent}, the two
 * stamps bracket Sluice's premain (agents run in command-line order). {@code -javaagent:apps.jar=before}.
 */
public final class Stamp {
    private Stamp() {
    }

    public static void premain(String args, Instrumentation inst) {
        System.setProperty("bench.stamp." + (args == null ? "x" : args), Long.toString(System.nanoTime()));
    }
}
