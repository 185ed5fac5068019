package dev.sluice.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shows Byte Buddy only the classes some unit may transform. The JVM hands every class it defines to the agent's
 * transformer (an application defines thousands while it starts); for each, Byte Buddy sets up a class file
 * locator, a type pool and a lazy description and runs every matcher: 50 to 170 µs a class while that code is
 * still cold. A look-up of the name settles all but the few classes that matter.
 */
public final class TypeNameFilter implements AgentBuilder.TransformerDecorator {
    /** Whole names in the JVM's internal form ({@code okhttp3/RealCall}). */
    private final Set<String> names = new HashSet<>();
    /** Package prefixes in internal form ({@code org/apache/http/impl/client/}). */
    private final String[] prefixes;

    /** {@code typeNames}: as {@link ClientInstrumentation#typeNames()} gives them. */
    public TypeNameFilter(Collection<String> typeNames) {
        List<String> p = new ArrayList<>();
        for (String n : typeNames) {
            String internal = n.replace('.', '/');
            if (n.endsWith(".")) p.add(internal);
            else names.add(internal);
        }
        this.prefixes = p.toArray(new String[0]);
    }

    /** Whether the class of this internal name (null for a hidden class) goes on to Byte Buddy. */
    public boolean admits(String internalName) {
        if (internalName == null) return false;
        if (names.contains(internalName)) return true;
        for (String p : prefixes) {
            if (internalName.startsWith(p)) return true;
        }
        return false;
    }

    @Override
    public ResettableClassFileTransformer decorate(ResettableClassFileTransformer transformer) {
        return new Filtered(transformer, this);
    }

    /** Byte Buddy's transformer behind the name test; resetting and the rest are delegated as they are. */
    private static final class Filtered extends ResettableClassFileTransformer.WithDelegation {
        private final TypeNameFilter filter;

        Filtered(ResettableClassFileTransformer transformer, TypeNameFilter filter) {
            super(transformer);
            this.filter = filter;
        }

        @Override
        public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd,
                                byte[] classFile) throws IllegalClassFormatException {
            return filter.admits(name) ? classFileTransformer.transform(loader, name, redefined, pd, classFile) : null;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                ProtectionDomain pd, byte[] classFile) throws IllegalClassFormatException {
            return filter.admits(name)
                    ? classFileTransformer.transform(module, loader, name, redefined, pd, classFile) : null;
        }
    }
}
