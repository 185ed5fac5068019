package dev.sluice.it.ops;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jmx;

import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the operations tests share: the CLI as an operator runs it, a notification recorder, open-type checks. */
final class Ops {
    /**
     * The HTTP client the operations tests' applications use: {@code jdk} (java.net.http, the default) or
     * {@code urlconn} (HttpURLConnection); {@code -Dsluice.ops.client=urlconn} switches.
     */
    static final String CLIENT = System.getProperty("sluice.ops.client", "jdk");

    private Ops() {
    }

    /** The {@code client=} argument of the test apps. */
    static String client() {
        return "client=" + CLIENT;
    }

    /** The outcome of one {@code java -jar sluice-agent.jar ...}. */
    static final class CliRun {
        final int exit;
        final String out;
        final String err;

        CliRun(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs the agent jar's CLI in its own JVM (this JDK's java), as an operator would. */
    static CliRun cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(ChildJvm.AGENT_JAR.toAbsolutePath().toString());
        cmd.addAll(Arrays.asList(args));
        Files.createDirectories(ChildJvm.WORK);
        File out = Files.createTempFile(ChildJvm.WORK, "cli-", ".out").toFile();
        File err = Files.createTempFile(ChildJvm.WORK, "cli-", ".err").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("CLI did not finish: " + cmd);
        }
        return new CliRun(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    /** Records notifications as a remote JMX listener receives them. */
    static final class Recorder implements NotificationListener {
        final List<Notification> all = new CopyOnWriteArrayList<>();

        @Override
        public void handleNotification(Notification n, Object handback) {
            all.add(n);
        }

        List<Notification> of(String type) {
            return all.stream().filter(n -> n.getType().equals(type)).collect(Collectors.toList());
        }

        List<Notification> await(String type, int count, long timeoutMs) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMs;
            while (of(type).size() < count && System.currentTimeMillis() < end) Thread.sleep(20);
            return of(type);
        }

        @Override
        public String toString() {
            return all.stream().map(n -> n.getType() + ": " + n.getMessage()).collect(Collectors.joining("\n"));
        }
    }

    /** A JMX connection to the child (the shared harness retries while the child is still starting). */
    static Jmx jmx(ChildJvm.Started child) throws Exception {
        return Jmx.connect(child.pid());
    }

    static boolean await(BooleanSupplier cond, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) return false;
            Thread.sleep(20);
        }
        return true;
    }

    /** Waits for a line containing {@code text} in the child's stdout; returns that line. */
    static String awaitLine(ChildJvm.Started child, String text, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            for (String l : child.stdoutSoFar().split("\n")) if (l.contains(text)) return l;
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' from the child in " + timeoutMs + " ms:\n" + child.stdoutSoFar()
                + "\n" + child.stderrSoFar());
    }

    /**
     * Fails unless {@code v} is built of open types from the JDK only: what a client without Sluice's classes
     * can receive (String, boxed primitives, arrays of them, CompositeData, TabularData).
     */
    static void assertOpen(Object v, String where) {
        if (v == null) return;
        if (v instanceof CompositeData) {
            CompositeData cd = (CompositeData) v;
            for (String k : cd.getCompositeType().keySet()) assertOpen(cd.get(k), where + "." + k);
            return;
        }
        if (v instanceof TabularData) {
            for (Object row : ((TabularData) v).values()) assertOpen(row, where + "[]");
            return;
        }
        if (v.getClass().isArray()) {
            if (v.getClass().getComponentType().isPrimitive()) return;
            for (Object o : (Object[]) v) assertOpen(o, where + "[]");
            return;
        }
        String cls = v.getClass().getName();
        assertTrue(cls.startsWith("java.lang.") || cls.startsWith("java.math.") || cls.equals("java.util.Date")
                        || cls.equals("javax.management.ObjectName"),
                where + " is a " + cls + ", not an open type a plain JMX client can read");
    }

    /** The numbers of a {@code RESULT k=v ...} line. */
    static Map<String, Long> result(String line) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String kv : line.substring(line.indexOf("RESULT ") + 7).trim().split(" ")) {
            int i = kv.indexOf('=');
            if (i <= 0) continue;
            try {
                m.put(kv.substring(0, i), Long.parseLong(kv.substring(i + 1)));
            } catch (NumberFormatException ignored) {
                // not a number
            }
        }
        return m;
    }

    /** {@code status} output rows (attribute name -> the first endpoint column). */
    static Map<String, String> statusRows(String status) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : status.split("\n")) {
            String[] cells = line.trim().split("\\s{2,}");
            if (cells.length >= 2 && Character.isUpperCase(cells[0].charAt(0)) && !cells[0].contains(" ")) {
                rows.put(cells[0], cells[1]);
            }
        }
        return rows;
    }
}
