package dev.sluice.it;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Redis for the shared-quota tests: the server named by {@code SLUICE_TEST_REDIS} (.ci/run starts one), or a
 * private {@code redis-server} a test kills and restarts. Absent, a test is skipped with a message, except under
 * {@code CI=true}, where it fails: CI must run them.
 */
final class TestRedis {
    static final String ENV = "SLUICE_TEST_REDIS";

    private TestRedis() {
    }

    static String url() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) unavailable(ENV + " is not set (e.g. redis://127.0.0.1:6390)");
        return url.trim();
    }

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

    /** A private redis-server on a free loopback port. */
    static final class Server implements AutoCloseable {
        final int port;
        private final List<String> extra;
        private Process process;

        Server(String... extraArgs) throws IOException, InterruptedException {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            extra = List.of(extraArgs);
            start();
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        void start() throws IOException, InterruptedException {
            List<String> cmd = new java.util.ArrayList<>(List.of(serverBinary(), "--port", String.valueOf(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"));
            cmd.addAll(extra);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write("PING\r\n".getBytes());
                    if (s.getInputStream().read() > 0) return;
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            throw new IOException("redis-server did not start on port " + port);
        }

        /** SIGSTOP (true) or SIGCONT: a hung Redis whose connections stay open. */
        void freeze(boolean on) throws IOException, InterruptedException {
            new ProcessBuilder("kill", on ? "-STOP" : "-CONT", String.valueOf(process.pid())).start().waitFor();
        }

        /** SIGKILL: every connection drops at once. */
        void kill() throws IOException, InterruptedException {
            freeze(false);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (process != null && process.isAlive()) kill();
        }
    }
}
