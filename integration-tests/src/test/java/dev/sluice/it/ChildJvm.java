package dev.sluice.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Starts a child JVM running one of the test apps, optionally with {@code -javaagent} on the built agent jar.
 * The child's class path is this JVM's, less the agent's own classes: the child must see Sluice only through
 * the agent, as a real application does.
 */
public final class ChildJvm {
    public static final Path AGENT_JAR = Path.of(System.getProperty("sluice.agent.jar", "../agent/target/sluice-agent.jar"));
    public static final Path WORK = Path.of(System.getProperty("sluice.it.work", "target/it-work"));
    /** Per-client library sets copied by the build (maven-dependency-plugin) into target/it-libs/<set>/. */
    public static final Path LIBS = Path.of(System.getProperty("sluice.it.libs", "target/it-libs"));

    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final List<String> libs = new ArrayList<>();
    /** Java packages the library sets provide: jars of this JVM's class path that hold any of them stay out. */
    private final Set<String> libPackages = new HashSet<>();
    private final Map<String, String> env = new HashMap<>();
    private final String mainClass;
    /** {@code java -jar} on this jar instead of a main class (an executable jar, e.g. Spring Boot's). */
    private Path executableJar;
    /** The application's own class path, instead of this JVM's. */
    private String ownClassPath;
    /** Other agents (-javaagent), each before or after Sluice's on the command line. */
    private final List<String> agentsBefore = new ArrayList<>();
    private final List<String> agentsAfter = new ArrayList<>();
    private String javaHome = System.getProperty("java.home");
    private Path config;
    private String agentArgs;
    private boolean agent;

    private ChildJvm(String mainClass) {
        this.mainClass = mainClass;
    }

    public static ChildJvm of(Class<?> main) {
        return new ChildJvm(main.getName());
    }

    /** {@code java -jar executable}: an application packaged as an executable jar, with nothing of this JVM's. */
    public static ChildJvm ofJar(Path executable) {
        if (!Files.isRegularFile(executable)) throw new IllegalStateException("not built: " + executable.toAbsolutePath());
        ChildJvm c = new ChildJvm(null);
        c.executableJar = executable;
        return c;
    }

    /** {@code java -cp classPath mainClass}: an application on its own class path, with nothing of this JVM's. */
    public static ChildJvm ofClassPath(String mainClass, String classPath) {
        ChildJvm c = new ChildJvm(mainClass);
        c.ownClassPath = classPath;
        return c;
    }

    /** Another Java agent in the same JVM, placed before Sluice's {@code -javaagent} or after it. */
    public ChildJvm otherAgent(Path jar, String agentArgs, boolean beforeSluice) {
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("agent jar not found: " + jar.toAbsolutePath());
        String a = "-javaagent:" + jar.toAbsolutePath() + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs);
        (beforeSluice ? agentsBefore : agentsAfter).add(a);
        return this;
    }

    public ChildJvm withAgent(Path configFile) {
        this.agent = true;
        this.config = configFile;
        return this;
    }

    /** Raw agent argument string (for tests of odd arguments). */
    public ChildJvm withAgentArgs(String raw) {
        this.agent = true;
        this.agentArgs = raw;
        return this;
    }

    public ChildJvm jvmArg(String a) {
        jvmArgs.add(a);
        return this;
    }

    public ChildJvm env(String k, String v) {
        env.put(k, v);
        return this;
    }

    public ChildJvm javaHome(String home) {
        this.javaHome = home;
        return this;
    }

    /**
     * Puts a library set (target/it-libs/<set>/*.jar, e.g. {@code okhttp3}, {@code okhttp5}) first on the child's
     * class path: one test app compiled against one version runs against another. Jars of this JVM's class path
     * that provide a package the set provides are left out of the child's.
     */
    public ChildJvm libs(String set) {
        Path dir = LIBS.resolve(set);
        if (!Files.isDirectory(dir)) throw new IllegalStateException("library set not copied by the build: " + dir.toAbsolutePath());
        libs.add(dir.toAbsolutePath() + File.separator + "*");
        try (Stream<Path> jars = Files.list(dir)) {
            jars.filter(j -> j.toString().endsWith(".jar")).forEach(j -> libPackages.addAll(packages(j)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * The class path entries that the library sets replace: any jar that holds a class in a package a set provides
     * (another OkHttp, okio, Kotlin...), so the child never sees two versions of one library.
     */
    private boolean shadowedBySet(String entry) {
        if (libPackages.isEmpty() || !entry.endsWith(".jar")) return false;
        for (String p : packages(Path.of(entry))) {
            if (libPackages.contains(p)) return true;
        }
        return false;
    }

    private static final Map<Path, Set<String>> PACKAGES = new ConcurrentHashMap<>();

    /** The packages a jar holds classes in (multi-release variants and module-info ignored). */
    static Set<String> packages(Path jar) {
        return PACKAGES.computeIfAbsent(jar.toAbsolutePath(), j -> {
            Set<String> out = new HashSet<>();
            try (ZipFile z = new ZipFile(j.toFile())) {
                z.stream().map(ZipEntry::getName)
                        .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && n.indexOf('/') > 0
                                && !n.endsWith("module-info.class"))
                        .forEach(n -> out.add(n.substring(0, n.lastIndexOf('/'))));
            } catch (IOException e) {
                // not a readable jar: it provides nothing
            }
            return out;
        });
    }

    public ChildJvm args(Object... a) {
        for (Object o : a) args.add(String.valueOf(o));
        return this;
    }

    public static String classPath() {
        String own = File.separator + "agent" + File.separator + "target";
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains(own) && !e.contains("sluice-agent"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djdk.httpclient.keepalive.timeout=30");
        cmd.addAll(agentsBefore);
        if (agent) {
            if (!Files.isRegularFile(AGENT_JAR)) throw new IllegalStateException("agent jar not built: " + AGENT_JAR.toAbsolutePath());
            String a = agentArgs != null ? agentArgs : "config=" + config.toAbsolutePath();
            cmd.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + (a.isEmpty() ? "" : "=" + a));
        }
        cmd.addAll(agentsAfter);
        cmd.addAll(jvmArgs);
        if (executableJar != null) {
            cmd.add("-jar");
            cmd.add(executableJar.toAbsolutePath().toString());
            cmd.addAll(args);
            return cmd;
        }
        if (ownClassPath != null) {
            cmd.add("-cp");
            cmd.add(ownClassPath);
            cmd.add(mainClass);
            cmd.addAll(args);
            return cmd;
        }
        cmd.add("-cp");
        List<String> cp = new ArrayList<>(libs);
        for (String e : classPath().split(File.pathSeparator)) {
            if (!e.isEmpty() && !shadowedBySet(e)) cp.add(e);
        }
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    public Started start() throws IOException {
        Files.createDirectories(WORK);
        Path out = Files.createTempFile(WORK, "child-", ".out");
        Path err = Files.createTempFile(WORK, "child-", ".err");
        ProcessBuilder pb = new ProcessBuilder(command()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        return new Started(pb.start(), out, err);
    }

    public Result run(long timeoutSeconds) throws Exception {
        return start().await(timeoutSeconds);
    }

    public static final class Started {
        public final Process process;
        private final Path out;
        private final Path err;

        Started(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public long pid() {
            return process.pid();
        }

        public String stdoutSoFar() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        public String stderrSoFar() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        public Result await(long timeoutSeconds) throws Exception {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("child JVM did not finish in " + timeoutSeconds + " s\nstdout:\n"
                        + stdoutSoFar() + "\nstderr:\n" + stderrSoFar());
            }
            Result r = new Result(process.exitValue(), stdoutSoFar(), stderrSoFar());
            SecretsCheck.assertClean(r); // every test's child, logs, MBean dumps and refusal messages alike
            return r;
        }
    }

    public static final class Result {
        public final int exitCode;
        public final String stdout;
        public final String stderr;

        Result(int exitCode, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** The {@code RESULT k=v ...} line the test apps print, as a map. */
        public Map<String, String> result() {
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
            throw new AssertionError("no RESULT line; exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
        }

        public long num(String key) {
            String v = result().get(key);
            if (v == null) throw new AssertionError("no " + key + " in RESULT: " + result());
            return Long.parseLong(v);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}
