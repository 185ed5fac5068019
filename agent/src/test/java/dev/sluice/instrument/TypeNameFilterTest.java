package dev.sluice.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.utility.JavaModule;
import org.junit.jupiter.api.Test;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeNameFilterTest {
    private final TypeNameFilter filter = new TypeNameFilter(List.of("okhttp3.RealCall",
            "reactor.netty.http.client.HttpClientConnect$MonoHttpConnect", "org.apache.http.impl.client."));

    @Test
    void admitsListedNamesAndPackagesInTheJvmsInternalForm() {
        assertTrue(filter.admits("okhttp3/RealCall"));
        assertTrue(filter.admits("reactor/netty/http/client/HttpClientConnect$MonoHttpConnect"));
        assertTrue(filter.admits("org/apache/http/impl/client/InternalHttpClient"));
        assertTrue(filter.admits("org/apache/http/impl/client/cache/CachingHttpClient"), "subpackages too");
    }

    @Test
    void refusesEverythingElse() {
        assertFalse(filter.admits(null), "a hidden class has no name");
        assertFalse(filter.admits("okhttp3.RealCall"), "names arrive with slashes");
        assertFalse(filter.admits("okhttp3/RealCall$1"));
        assertFalse(filter.admits("okhttp3/RealCallX"));
        assertFalse(filter.admits("okhttp3/OkHttpClient"));
        assertFalse(filter.admits("org/apache/http/impl/clientx/Foo"));
        assertFalse(filter.admits("java/lang/String"));
        assertFalse(new TypeNameFilter(List.of()).admits("okhttp3/RealCall"));
    }

    @Test
    void byteBuddySeesOnlyAdmittedClasses() throws Exception {
        Recording inner = new Recording();
        ClassFileTransformer t = filter.decorate(inner);
        byte[] file = {1, 2, 3};
        assertNull(t.transform(null, null, "okhttp3/OkHttpClient", null, null, file));
        assertNull(t.transform(null, "java/lang/Thread", null, null, file));
        assertNull(t.transform(null, null, null, null, null, file));
        assertEquals(List.of(), inner.seen);
        assertArrayEquals(Recording.OUT, t.transform(null, null, "okhttp3/RealCall", null, null, file));
        assertArrayEquals(Recording.OUT, t.transform(null, "org/apache/http/impl/client/X", null, null, file));
        assertEquals(List.of("okhttp3/RealCall", "org/apache/http/impl/client/X"), inner.seen);
    }

    /** Stands in for Byte Buddy's transformer: records what reaches it. */
    private static final class Recording extends ResettableClassFileTransformer.AbstractBase {
        static final byte[] OUT = {9};
        final List<String> seen = new ArrayList<>();

        @Override
        public byte[] transform(ClassLoader loader, String name, Class<?> c, ProtectionDomain pd, byte[] b) {
            seen.add(name);
            return OUT;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> c, ProtectionDomain pd,
                                byte[] b) {
            seen.add(name);
            return OUT;
        }

        @Override
        public Iterator<AgentBuilder.Transformer> iterator(TypeDescription type, ClassLoader loader, JavaModule module,
                                                           Class<?> c, ProtectionDomain pd) {
            return List.<AgentBuilder.Transformer>of().iterator();
        }

        @Override
        public boolean reset(Instrumentation inst, ResettableClassFileTransformer t,
                             AgentBuilder.RedefinitionStrategy s, AgentBuilder.RedefinitionStrategy.DiscoveryStrategy d,
                             AgentBuilder.RedefinitionStrategy.BatchAllocator b,
                             AgentBuilder.RedefinitionStrategy.Listener l) {
            return false;
        }
    }
}
