package dev.sluice.instrument;

import net.bytebuddy.dynamic.ClassFileLocator;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.UnaryOperator;

/**
 * Defines a client unit's helper classes (those that implement or call the client's own types) in the class loader
 * that holds the client, once per loader, before advice inlined there first runs. The agent jar is on the bootstrap
 * path, which cannot see a client's types (not even the JDK HttpClient's: java.net.http belongs to the platform
 * loader); a helper defined in the client's loader sees both the client and, by delegation, Sluice's bootstrap
 * classes, and advice inlined into the client finds it first ({@code findLoadedClass}).
 *
 * <p>The build stores helper classes under {@code sluice-helpers/} in the jar (see agent/pom.xml), where no class
 * name maps, so the bootstrap loader can never load a second copy that fails to link. {@code ClassLoader.defineClass}
 * is reached by reflection after opening {@code java.lang} to the agent's module through
 * {@link Instrumentation#redefineModule}: no {@code Unsafe}, no JDK warning.
 */
public final class HelperInjector {
    /** Where the build hides helper classes inside the agent jar. */
    public static final String HIDDEN = "sluice-helpers.";

    private final List<String> names;
    private final byte[][] bytes;
    private final Method defineClass;
    private final Method findLoadedClass;
    private final Map<ClassLoader, Boolean> done = new WeakHashMap<>();

    public HelperInjector(Instrumentation inst, ClassFileLocator jar, List<String> names) {
        this(inst, jar, names, Map.of());
    }

    /** As above, with some helpers' bytes changed before they are defined ({@code changes}: by class name). */
    public HelperInjector(Instrumentation inst, ClassFileLocator jar, List<String> names,
                          Map<String, UnaryOperator<byte[]>> changes) {
        this.names = List.copyOf(names);
        this.bytes = new byte[names.size()][];
        try {
            for (int i = 0; i < names.size(); i++) {
                bytes[i] = locate(jar, names.get(i));
                UnaryOperator<byte[]> change = changes.get(names.get(i));
                if (change != null) bytes[i] = change.apply(bytes[i]);
            }
            Module base = Object.class.getModule();
            Module own = HelperInjector.class.getModule();
            if (!base.isOpen("java.lang", own)) {
                inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(own)), Set.of(), Map.of());
            }
            defineClass = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class,
                    int.class, ProtectionDomain.class);
            defineClass.setAccessible(true);
            findLoadedClass = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
            findLoadedClass.setAccessible(true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare helper classes " + names, e);
        }
    }

    /** The bytes of a helper class: its hidden copy, else (classes compiled but not packaged) the plain one. */
    public static byte[] locate(ClassFileLocator jar, String name) throws java.io.IOException {
        ClassFileLocator.Resolution r = jar.locate(HIDDEN + name);
        if (!r.isResolved()) r = jar.locate(name);
        return r.resolve();
    }

    /** A locator that also finds hidden helper classes by their real names (for describing advice that uses them). */
    public static ClassFileLocator withHidden(ClassFileLocator jar) {
        return new ClassFileLocator.Compound(jar, new ClassFileLocator() {
            @Override
            public Resolution locate(String name) throws java.io.IOException {
                return jar.locate(HIDDEN + name);
            }

            @Override
            public void close() throws java.io.IOException {
                // the jar locator is closed by its owner
            }
        });
    }

    /** Defines the helpers in {@code loader} unless already there. Null (bootstrap) is not a target. */
    public void inject(ClassLoader loader, ProtectionDomain domain) {
        if (loader == null) throw new IllegalArgumentException("helpers cannot live in the bootstrap loader");
        synchronized (done) {
            if (done.containsKey(loader)) return;
            try {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    if (findLoadedClass.invoke(loader, name) != null) continue;
                    defineClass.invoke(loader, name, bytes[i], 0, bytes[i].length, domain);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot define helper classes in " + loader, e);
            }
            done.put(loader, Boolean.TRUE);
        }
    }
}
