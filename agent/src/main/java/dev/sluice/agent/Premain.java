package dev.sluice.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * Entry point named in the jar manifest. Loaded by the application class loader, it does one thing: put the
 * agent jar on the bootstrap class path and hand over to {@link SluiceAgent} loaded from there.
 *
 * Why the bootstrap path: the JDK HttpClient (java.net.http, platform loader) and HttpURLConnection (java.base)
 * are instrumented, and advice inlined into them calls Sluice's bridge classes; only classes on the bootstrap
 * path are visible from every loader, platform and application alike. It also makes the one refusal type,
 * {@code dev.sluice.SluiceRejectedException}, the same class for every loader. Our dependencies are relocated
 * under {@code dev.sluice.shaded}, so nothing on the bootstrap path can clash with the application's classes.
 * Nothing here may fail the application's start: every error is printed and swallowed.
 */
public final class Premain {
    private Premain() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /** {@code java -jar sluice-agent.jar ...}: the command-line tools. */
    public static void main(String[] args) throws Exception {
        File jar = agentJar();
        if (jar == null) {
            System.err.println("sluice: cannot locate the agent jar");
            System.exit(2);
        }
        // Same class-loading split as the agent: the tools live beside it.
        Class<?> cli = Class.forName("dev.sluice.agent.Cli");
        cli.getMethod("main", String[].class).invoke(null, (Object) args);
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            File jar = agentJar();
            if (jar == null) {
                System.err.println("[sluice] ERROR cannot locate the agent jar; Sluice is not active");
                return;
            }
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            Class<?> agent = Class.forName("dev.sluice.agent.SluiceAgent", true, null);
            agent.getMethod("start", String.class, Instrumentation.class, String.class, boolean.class)
                    .invoke(null, args, inst, jar.getAbsolutePath(), attached);
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            System.err.println("[sluice] ERROR Sluice failed to start and is not active: " + cause);
        }
    }

    private static File agentJar() {
        try {
            return new File(Premain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception | Error e) {
            return null;
        }
    }
}
