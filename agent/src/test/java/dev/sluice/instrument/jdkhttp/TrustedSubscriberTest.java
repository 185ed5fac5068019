package dev.sluice.instrument.jdkhttp;

import dev.sluice.instrument.HelperInjector;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The governed subscriber's bytes, as the agent defines them (JdkHandOffIT checks the effect in a real client). */
class TrustedSubscriberTest {
    static byte[] helper(String name) throws Exception {
        return HelperInjector.locate(ClassFileLocator.ForClassLoader.ofSystemLoader(), name);
    }

    @Test
    void thisJdkHasTheInterface() {
        assertTrue(TrustedSubscriber.available(ClassLoader.getPlatformClassLoader()));
        assertTrue(!TrustedSubscriber.available(new ClassLoader(null) { }), "not there when the loader cannot see it");
    }

    @Test
    void theSubscriberImplementsItAndAsksItsDelegate() throws Exception {
        byte[] adapted = TrustedSubscriber.adapt(helper(JdkHttpClientInstrumentation.SUBSCRIBER));
        ClassReader r = new ClassReader(adapted);
        assertTrue(Arrays.asList(r.getInterfaces()).contains(TrustedSubscriber.INTERFACE), Arrays.toString(r.getInterfaces()));
        List<String> body = new ArrayList<>();
        r.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals("needsExecutor")) return null;
                body.add(descriptor + (access == Opcodes.ACC_PUBLIC ? " public" : " access " + access));
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitFieldInsn(int opcode, String owner, String field, String desc) {
                        body.add("get " + field + " " + desc);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        body.add("call " + owner + "." + method + desc);
                    }
                };
            }
        }, 0);
        assertEquals(List.of("()Z public", "get delegate Ljava/net/http/HttpResponse$BodySubscriber;",
                "call " + TrustedSubscriber.INTERFACE + ".needsExecutor(Ljava/net/http/HttpResponse$BodySubscriber;)Z"),
                body);
    }

    @Test
    void aClassWithoutThatFieldIsLeftAsItIs() throws Exception {
        // GovernedBodyHandler has a field named delegate too, but a BodyHandler, not a BodySubscriber.
        byte[] handler = helper(JdkHttpClientInstrumentation.INJECTED + "GovernedBodyHandler");
        assertSame(handler, TrustedSubscriber.adapt(handler));
    }
}
