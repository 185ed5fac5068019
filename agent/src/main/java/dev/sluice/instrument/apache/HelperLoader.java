package dev.sluice.instrument.apache;

import dev.sluice.instrument.HelperInjector;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.io.IOException;

/**
 * Why a loader of our own: Apache's classes live in the application's class loader, invisible from the
 * bootstrap path where the agent sits, so nothing on the bootstrap path may link against an Apache type.
 * The code that must (an entity wrapper, a response consumer, a future) is kept in {@code ...apache.v5} and
 * {@code ...apache.v4} and defined here, in a small child of the loader that defined Apache's classes: it sees
 * Apache through its parent and Sluice's bootstrap classes through the usual delegation, and talks to the
 * bridge only through {@link Apache5Hooks}/{@link Apache4Hooks}, whose signatures use JDK types alone. Nothing
 * is injected into the application's loader, no JDK internals are opened, and the helpers go away with it.
 *
 * (The JDK HttpClient unit defines its helpers in the client's own loader instead, through HelperInjector: the
 * platform loader cannot be given a child the JDK's classes would see. Apache's advice only calls the bridge, so a
 * child loader suffices and nothing is defined in the application's loader.)
 *
 * Helper classes are loaded child-first. The build stores them in the agent jar under {@code sluice-helpers/}
 * (see agent/pom.xml), where the bootstrap loader, which the jar is appended to, cannot find them: the JVM's
 * own look-ups (a lambda's method type is first resolved against the bootstrap loader) would otherwise load a
 * second copy there that fails to link. Compiled but not yet moved (an IDE run), they are found where javac
 * put them.
 */
final class HelperLoader extends ClassLoader {
    static final String V5 = "dev.sluice.instrument.apache.v5.";
    static final String V4 = "dev.sluice.instrument.apache.v4.";

    static {
        registerAsParallelCapable();
    }

    private final ClassFileLocator jar;

    HelperLoader(ClassLoader parent, ClassFileLocator jar) {
        super("sluice-apache-helpers", parent);
        this.jar = jar;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(V5) && !name.startsWith(V4)) return super.loadClass(name, resolve);
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] bytes;
                try {
                    bytes = HelperInjector.locate(jar, name);
                } catch (IOException | RuntimeException e) {
                    throw new ClassNotFoundException(name, e);
                }
                c = defineClass(name, bytes, 0, bytes.length, HelperLoader.class.getProtectionDomain());
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }
}
