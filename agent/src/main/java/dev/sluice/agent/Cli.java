package dev.sluice.agent;

import java.io.File;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar sluice-agent.jar <command>}: the operator's tools. Runs in the application class loader of
 * its own JVM (via {@link Premain#main}); everything that needs the Attach API lives in {@link AttachTools}, so
 * that a Java runtime without the {@code jdk.attach} module (a JRE, a jlinked image) still prints the help and
 * a clear message instead of a NoClassDefFoundError.
 *
 * Exit status: 0 done, 1 the command failed (wrong pid, attach refused, no Sluice there), 2 bad usage.
 */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: java -jar sluice-agent.jar <command>",
            "  attach <pid> config=<file> [key=value ...]  load Sluice into a running JVM (its client classes are",
            "                                              retransformed; calls in flight finish untouched)",
            "  list                                        local JVMs: pid and main class",
            "  status <pid>                                each endpoint's limits and live figures, alerts, overrides",
            "  set <pid> <endpoint|*> <key>=<value> ...    change a limit live; keys: rpm, tpm, burst, max-concurrent,",
            "                                              queue.capacity, queue.max-wait (30s, 250ms), shed.threshold",
            "                                              (0.9 or 90%), mode (enforce|observe|off); * = every endpoint",
            "  reload <pid>                                re-read the configuration file now",
            "At start instead: java -javaagent:sluice-agent.jar=config=/path/sluice.properties -jar app.jar",
            "attach, list, status, set and reload need a JDK (the jdk.attach module); run them as the JVM's user.");

    /** Keys of {@code set}, in the configuration's names, and the endpoint MBean attribute each writes. */
    static final Map<String, String> SET_KEYS = new LinkedHashMap<>();

    static {
        SET_KEYS.put("rpm", "Rpm");
        SET_KEYS.put("tpm", "Tpm");
        SET_KEYS.put("burst", "Burst");
        SET_KEYS.put("max-concurrent", "MaxConcurrent");
        SET_KEYS.put("queue.capacity", "QueueCapacity");
        SET_KEYS.put("queue.max-wait", "MaxWaitMillis");
        SET_KEYS.put("shed.threshold", "ShedThreshold");
        SET_KEYS.put("mode", "Mode");
    }

    private Cli() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** A failure the operator can act on: printed as one line, exit status 1 (or 2 for usage). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        Failure(String message) {
            this(message, 1);
        }

        Failure(String message, int code) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("Sluice " + Version.VALUE + " - backpressure for a JVM's LLM API calls.");
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            String cmd = args[0];
            switch (cmd) {
                case "list":
                    tools().list(out);
                    return 0;
                case "attach":
                    attach(args, out);
                    return 0;
                case "status":
                    need(args, 2, "status <pid>");
                    tools().status(pid(args[1]), out);
                    return 0;
                case "set":
                    set(args, out);
                    return 0;
                case "reload":
                    need(args, 2, "reload <pid>");
                    tools().reload(pid(args[1]), out);
                    return 0;
                default:
                    throw new Failure("unknown command '" + cmd + "'\n" + USAGE, 2);
            }
        } catch (Failure f) {
            err.println("sluice: " + f.getMessage());
            return f.code;
        } catch (NoClassDefFoundError e) {
            if (String.valueOf(e.getMessage()).contains("com/sun/tools/attach")) {
                err.println("sluice: this Java runtime has no Attach API (module jdk.attach): "
                        + System.getProperty("java.home") + " is a JRE or a trimmed image. Run the command with a"
                        + " JDK's java (the target JVM itself may be a JRE).");
                return 1;
            }
            throw e;
        }
    }

    private static AttachTools tools() {
        return new AttachTools();
    }

    private static void need(String[] args, int n, String usage) throws Failure {
        if (args.length < n) throw new Failure("usage: java -jar sluice-agent.jar " + usage, 2);
    }

    static long pid(String s) throws Failure {
        try {
            long pid = Long.parseLong(s.trim());
            if (pid <= 0) throw new NumberFormatException();
            return pid;
        } catch (NumberFormatException e) {
            throw new Failure("'" + s + "' is not a process id (java -jar sluice-agent.jar list shows the JVMs)", 2);
        }
    }

    private static void attach(String[] args, PrintStream out) throws Failure {
        need(args, 3, "attach <pid> config=<file> [key=value ...]");
        long pid = pid(args[1]);
        StringBuilder agentArgs = new StringBuilder();
        String config = null;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String key = eq < 0 ? "config" : a.substring(0, eq).trim();
            String value = eq < 0 ? a : a.substring(eq + 1).trim();
            if (key.equals("config")) {
                File f = new File(value).getAbsoluteFile();
                if (!f.isFile()) throw new Failure("config file " + f + " does not exist");
                if (!f.canRead()) throw new Failure("config file " + f + " is not readable");
                config = f.getPath();
                value = config;
            }
            if (value.contains(",")) throw new Failure("'" + a + "': agent arguments cannot contain ','", 2);
            if (agentArgs.length() > 0) agentArgs.append(',');
            agentArgs.append(key).append('=').append(value);
        }
        if (config == null) throw new Failure("attach needs config=<file> (the sluice.properties to run with)", 2);
        tools().attach(pid, agentJar(), agentArgs.toString(), out);
    }

    static String agentJar() throws Failure {
        try {
            File jar = new File(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!jar.isFile()) throw new Failure("run the command from the agent jar: java -jar sluice-agent.jar ...");
            return jar.getAbsolutePath();
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw new Failure("cannot locate the agent jar: " + e);
        }
    }

    private static void set(String[] args, PrintStream out) throws Failure {
        need(args, 4, "set <pid> <endpoint|*> <key>=<value> ...");
        long pid = pid(args[1]);
        String endpoint = args[2];
        Map<String, Object> writes = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            if (eq <= 0) throw new Failure("'" + a + "' is not key=value", 2);
            String key = a.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String attr = SET_KEYS.get(key);
            if (attr == null) throw new Failure("unknown key '" + key + "'; keys: " + String.join(", ", SET_KEYS.keySet()), 2);
            writes.put(attr, value(key, a.substring(eq + 1).trim()));
        }
        tools().set(pid, endpoint, writes, out);
    }

    /** The value in the attribute's type, or a usage failure saying what would fit. */
    static Object value(String key, String v) throws Failure {
        try {
            switch (key) {
                case "rpm":
                case "tpm":
                    return Long.parseLong(v);
                case "max-concurrent":
                case "queue.capacity":
                    return Integer.parseInt(v);
                case "burst":
                    return Double.parseDouble(v);
                case "shed.threshold":
                    if (v.endsWith("%")) return Double.parseDouble(v.substring(0, v.length() - 1)) / 100.0;
                    double d = Double.parseDouble(v);
                    if (d > 1.0) throw new Failure("shed.threshold is a utilization 0..1: write " + d / 100 + " or " + v + "%", 2);
                    return d;
                case "queue.max-wait":
                    return durationMillis(v);
                default: // mode
                    String m = v.toLowerCase(Locale.ROOT);
                    if (!m.equals("enforce") && !m.equals("observe") && !m.equals("off")) {
                        throw new Failure("mode is enforce, observe or off, not '" + v + "'", 2);
                    }
                    return m;
            }
        } catch (NumberFormatException e) {
            throw new Failure(key + ": '" + v + "' is not a number", 2);
        }
    }

    static long durationMillis(String v) throws Failure {
        String s = v.toLowerCase(Locale.ROOT);
        String[] units = {"ms", "s", "m", "h"};
        long[] scale = {1, 1000, 60_000, 3_600_000};
        for (int i = 0; i < units.length; i++) {
            if (s.endsWith(units[i])) {
                String num = s.substring(0, s.length() - units[i].length());
                if (!num.isEmpty() && num.chars().allMatch(Character::isDigit)) return Long.parseLong(num) * scale[i];
            }
        }
        throw new Failure("queue.max-wait: '" + v + "' is not a duration (30s, 250ms, 2m)", 2);
    }
}
