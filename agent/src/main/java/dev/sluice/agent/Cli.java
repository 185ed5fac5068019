package dev.sluice.agent;

/**
 * {@code java -jar sluice-agent.jar <command>}. Commands for operators arrive with the operations issue
 * (attach, list, status, set); until then this prints what the jar is and how to use it.
 */
public final class Cli {
    private Cli() {
    }

    public static void main(String[] args) {
        System.out.println("Sluice " + Version.VALUE + " - backpressure for a JVM's LLM API calls.");
        System.out.println("Attach at start: java -javaagent:sluice-agent.jar=config=/path/sluice.properties -jar app.jar");
        if (args.length > 0) {
            System.err.println("unknown command: " + args[0]);
            System.exit(2);
        }
    }
}
