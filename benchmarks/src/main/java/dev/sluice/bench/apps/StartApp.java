package dev.sluice.bench.apps;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Startup probe: prints how long the JVM took to reach main, how long Sluice's premain took (between the
 * {@link Stamp} agents, when present), and how long the first chat call took (the JDK HttpClient's classes are
 * loaded, and instrumented when the agent is there, on that first call), and how long loading every class of the
 * libraries on its class path took (what an application's own class loading pays for an agent being there):
 * first those the agent leaves alone, then OkHttp's, one of which it instruments. Then it exits.
 */
public final class StartApp {
    public static void main(String[] args) throws Exception {
        long mainAt = System.nanoTime();
        long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        String before = System.getProperty("bench.stamp.before");
        String after = System.getProperty("bench.stamp.after");
        long premainNs = before != null && after != null ? Long.parseLong(after) - Long.parseLong(before) : -1;
        long firstCallNs = -1;
        int status = -1;
        if (args.length > 0) {
            long s = System.nanoTime();
            HttpClient c = HttpClient.newHttpClient();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(args[0]))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":10,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            firstCallNs = System.nanoTime() - s;
        }
        long l = System.nanoTime();
        int classes = loadLibraries(false);
        long loadNs = System.nanoTime() - l;
        l = System.nanoTime();
        int okHttpClasses = loadLibraries(true);
        long okHttpLoadNs = System.nanoTime() - l;
        System.out.println("RESULT uptimeAtMainMs=" + uptimeMs + " premainNs=" + premainNs + " firstCallNs=" + firstCallNs
                + " status=" + status + " classes=" + classes + " loadNs=" + loadNs + " okHttpClasses=" + okHttpClasses
                + " okHttpLoadNs=" + okHttpLoadNs + " mainNs=" + (System.nanoTime() - mainAt));
        System.out.flush();
        System.exit(0);
    }

    /**
     * Loads (without initialising) every class of the jars on the class path but this app's own, each passing the
     * agent's transformer as it is defined: okio and Kotlin's standard library (about 1,100 classes, none of which
     * the agent transforms), or with {@code okHttp} OkHttp's (about 300, {@code RealCall} among them, which it does).
     */
    static int loadLibraries(boolean okHttp) throws IOException {
        int n = 0;
        ClassLoader loader = StartApp.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String jarName = new File(entry).getName();
            if (!entry.endsWith(".jar") || jarName.startsWith("sluice-") || jarName.startsWith("okhttp-") != okHttp) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                        continue;
                    }
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                        n++;
                    } catch (LinkageError | ClassNotFoundException optionalDependencyMissing) {
                        // a library class that refers to something not on this class path: skipped either way
                    }
                }
            }
        }
        return n;
    }
}
