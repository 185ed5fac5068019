package dev.sluice.instrument.okhttp;

import net.bytebuddy.dynamic.ClassFileLocator;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Defines the OkHttp unit's helper classes in each class loader that holds an instrumented OkHttp, once per loader,
 * while that loader's {@code RealCall} is being transformed (so before any advice in it runs). Because they are
 * defined there, a reference from advice inlined into OkHttp finds them first ({@code findLoadedClass}); their
 * copies in the agent jar on the bootstrap path are never used.
 *
 * <p>{@code ClassLoader.defineClass} is reached by reflection: {@code java.lang} is opened to the agent's module
 * through {@link Instrumentation#redefineModule}, so no {@code Unsafe} (and no JDK warning about it) is needed.
 */
final class HelperInjector {
    private final List<String> names;
    private final List<byte[]> bytes = new ArrayList<>();
    private final Method defineClass;
    private final Method findLoadedClass;
    private final Map<ClassLoader, Boolean> done = new WeakHashMap<>();

    HelperInjector(Instrumentation inst, ClassFileLocator locator, List<String> names) {
        this.names = names;
        try {
            for (String name : names) bytes.add(locator.locate(name).resolve());
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
            throw new IllegalStateException("cannot prepare the OkHttp helper classes", e);
        }
    }

    /** Defines the helpers in {@code loader} unless already there. Null (bootstrap): the agent jar's copies serve. */
    void inject(ClassLoader loader, ProtectionDomain domain) {
        if (loader == null) return;
        synchronized (done) {
            if (done.containsKey(loader)) return;
            try {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    if (findLoadedClass.invoke(loader, name) != null) continue;
                    byte[] b = bytes.get(i);
                    defineClass.invoke(loader, name, b, 0, b.length, domain);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot define the OkHttp helper classes in " + loader, e);
            }
            done.put(loader, Boolean.TRUE);
        }
    }
}
