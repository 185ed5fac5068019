package dev.sluice.store;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Redis for tests. {@link #url()} is the shared server named by {@code SLUICE_TEST_REDIS} (.ci/run starts one);
 * {@link Server} starts a private {@code redis-server} a test may kill and restart. Without them a test is
 * skipped with a message, except under CI ({@code CI=true}), where it fails: CI must run them.
 */
final class TestRedis {
    static final String ENV = "SLUICE_TEST_REDIS";

    private TestRedis() {
    }

    /** The shared test server's URL, e.g. redis://127.0.0.1:6390. */
    static String url() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) unavailable(ENV + " is not set (e.g. redis://127.0.0.1:6390)");
        return url.trim();
    }

    static RedisTarget target() {
        return RedisTarget.parse(url(), null, Map.of());
    }

    /** The redis-server binary, or a skip (a failure under CI). */
    static String serverBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) return p.toString();
        }
        unavailable("redis-server is not on the PATH");
        return null;
    }

    private static void unavailable(String why) {
        String msg = "Redis tests need a real Redis: " + why + ". .ci/run installs redis-server and exports " + ENV;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg + " (CI=true: these tests must run)");
        Assumptions.abort(msg);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A private redis-server on a loopback port: killed and restarted by the test, closed after it. */
    static final class Server implements AutoCloseable {
        final int port;
        private final List<String> extra;
        private Process process;

        Server(String... extraArgs) throws IOException, InterruptedException {
            this(freePort(), extraArgs);
        }

        Server(int port, String... extraArgs) throws IOException, InterruptedException {
            this.port = port;
            this.extra = List.of(extraArgs);
            start();
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        void start() throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(serverBinary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"));
            cmd.addAll(extra);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write("PING\r\n".getBytes());
                    byte[] b = new byte[64];
                    int n = s.getInputStream().read(b);
                    if (n > 0) return; // +PONG, or -NOAUTH: it answers
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            throw new IOException("redis-server did not start on port " + port);
        }

        /** SIGKILL: connections drop at once, nothing is saved. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        /** SIGSTOP / SIGCONT: the server stops answering but its connections stay open (a hung Redis). */
        void freeze(boolean on) throws IOException, InterruptedException {
            new ProcessBuilder("kill", on ? "-STOP" : "-CONT", String.valueOf(process.pid())).start().waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                try {
                    freeze(false);
                } catch (IOException ignored) {
                    // best effort
                }
                kill();
            }
        }
    }
}
