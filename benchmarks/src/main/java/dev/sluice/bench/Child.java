package dev.sluice.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running one of the load-run apps ({@code dev.sluice.bench.apps}), with or without
 * {@code -javaagent} on the built agent jar (the approach of the integration tests' ChildJvm). The child's class
 * path is the apps jar and the libraries beside it, never Sluice's classes: it sees Sluice only through the agent,
 * as a real application does.
 */
final class Child {
    /** Paths of the built artifacts, overridable by system properties; defaults relative to the repository root. */
    static Path agentJar() {
        return Path.of(System.getProperty("sluice.agent.jar", "agent/target/sluice-agent.jar")).toAbsolutePath();
    }

    static Path appsJar() throws IOException {
        String p = System.getProperty("sluice.bench.apps");
        if (p != null) return Path.of(p).toAbsolutePath();
        Path dir = Path.of("benchmarks/target");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "sluice-benchmarks-*-apps.jar")) {
            for (Path x : ds) return x.toAbsolutePath();
        } catch (IOException e) {
            // fall through
        }
        throw new IllegalStateException("apps jar not found in " + dir.toAbsolutePath()
                + " (build with mvn -pl benchmarks -am package, run from the repository root, or set -Dsluice.bench.apps)");
    }

    static Path appLibs() {
        return Path.of(System.getProperty("sluice.bench.libs", "benchmarks/target/app-libs")).toAbsolutePath();
    }

    static Path work() throws IOException {
        Path w = Path.of(System.getProperty("sluice.bench.work", "benchmarks/target/load-work")).toAbsolutePath();
        Files.createDirectories(w);
        return w;
    }

    private final String mainClass;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private String javaHome = System.getProperty("java.home");
    private String agentArgs;

    Child(String mainClass) {
        this.mainClass = mainClass;
    }

    Child java(String home) {
        if (home != null) javaHome = home;
        return this;
    }

    /** With the agent and this argument string ({@code config=/p/sluice.properties}); null = without. */
    Child agent(String agentArgs) {
        this.agentArgs = agentArgs;
        return this;
    }

    Child jvmArg(String a) {
        jvmArgs.add(a);
        return this;
    }

    Child args(Object... a) {
        for (Object o : a) args.add(String.valueOf(o));
        return this;
    }

    List<String> command() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.add("-Xms256m");
        cmd.add("-Xmx512m");
        cmd.add("-Djdk.httpclient.keepalive.timeout=60");
        cmd.addAll(jvmArgs);
        if (agentArgs != null) {
            Path jar = agentJar();
            if (!Files.isRegularFile(jar)) throw new IllegalStateException("agent jar not built: " + jar);
            cmd.add("-javaagent:" + jar + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
        }
        cmd.add("-cp");
        cmd.add(appsJar() + File.pathSeparator + appLibs() + File.separator + "*");
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    Result run(long timeoutSeconds) throws Exception {
        Path w = work();
        Path out = Files.createTempFile(w, "child-", ".out");
        Path err = Files.createTempFile(w, "child-", ".err");
        List<String> cmd = command();
        // Everything after the java binary goes in an argument file: a short command line, and one that a
        // neighbour's pkill -f by class or jar name on a shared machine does not match.
        Path argFile = Files.createTempFile(w, "child-", ".args");
        StringBuilder af = new StringBuilder();
        for (String x : cmd.subList(1, cmd.size())) af.append('"').append(x.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        Files.writeString(argFile, af.toString(), StandardCharsets.UTF_8);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd.get(0), "@" + argFile).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("child did not finish in " + timeoutSeconds + " s: " + String.join(" ", cmd)
                    + "\n" + Files.readString(err, StandardCharsets.UTF_8));
        }
        long wallNs = System.nanoTime() - start;
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), wallNs);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        Files.deleteIfExists(argFile);
        return r;
    }

    static final class Result {
        final int exit;
        final String stdout;
        final String stderr;
        final long wallNs;

        Result(int exit, String stdout, String stderr, long wallNs) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
            this.wallNs = wallNs;
        }

        Map<String, String> result() {
            for (String line : stdout.split("\n")) {
                if (line.startsWith("RESULT ")) {
                    Map<String, String> m = new HashMap<>();
                    for (String kv : line.substring(7).trim().split(" ")) {
                        int i = kv.indexOf('=');
                        if (i > 0) m.put(kv.substring(0, i), kv.substring(i + 1));
                    }
                    return m;
                }
            }
            throw new IllegalStateException("no RESULT line; exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
        }

        long num(String key) {
            String v = result().get(key);
            return v == null ? 0 : Long.parseLong(v);
        }
    }
}
