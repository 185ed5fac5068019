package dev.sluice.instrument.jdkhttp;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * Makes the governed body subscriber one the JDK HttpClient trusts. The client calls a body subscriber's
 * {@code getBody} on its executor, a hand-off to another thread on every call, unless the subscriber implements its
 * internal {@code ResponseSubscribers.TrustedSubscriber} and says it need not. Every subscriber of
 * {@code BodyHandlers} does; wrapped in a plain class it loses that, and the hand-off cost a saturated client 6%
 * of its calls per second and 7 µs of CPU per call on loopback. So the wrapper, whose {@code getBody} is its
 * delegate's, gets the interface at injection (javac cannot compile against a package the JDK does not export)
 * and answers what its delegate answers: {@code TrustedSubscriber.needsExecutor(delegate)}.
 */
final class TrustedSubscriber {
    static final String INTERFACE = "jdk/internal/net/http/ResponseSubscribers$TrustedSubscriber";
    static final String PACKAGE = "jdk.internal.net.http";
    private static final String BODY_SUBSCRIBER = "Ljava/net/http/HttpResponse$BodySubscriber;";

    private TrustedSubscriber() {
    }

    /** Whether this JDK has the interface with the static method the added one calls. */
    static boolean available(ClassLoader platform) {
        try {
            Class<?> c = Class.forName(INTERFACE.replace('/', '.'), false, platform);
            if (!c.isInterface()) return false;
            // Described by name: java.net.http's types are not visible from the bootstrap loader this class is in.
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals("needsExecutor") && Modifier.isStatic(m.getModifiers())
                        && m.getReturnType() == boolean.class && m.getParameterCount() == 1
                        && m.getParameterTypes()[0].getName().equals("java.net.http.HttpResponse$BodySubscriber")) {
                    return true;
                }
            }
            return false;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /**
     * The subscriber class's bytes with {@code TrustedSubscriber} among its interfaces and
     * {@code needsExecutor()} returning {@code TrustedSubscriber.needsExecutor(this.delegate)}.
     */
    static byte[] adapt(byte[] subscriber) {
        ClassReader reader = new ClassReader(subscriber);
        if (!hasDelegate(reader)) return subscriber; // left as it is (one hand-off per call) rather than wrong
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String owner;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                owner = name;
                String[] more = Arrays.copyOf(interfaces, interfaces.length + 1);
                more[interfaces.length] = INTERFACE;
                // The generic signature would have to list the interface too; no one reads it, so it goes.
                super.visit(version, access, name, null, superName, more);
            }

            @Override
            public void visitEnd() {
                MethodVisitor m = super.visitMethod(Opcodes.ACC_PUBLIC, "needsExecutor", "()Z", null, null);
                m.visitCode();
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitFieldInsn(Opcodes.GETFIELD, owner, "delegate", BODY_SUBSCRIBER);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, INTERFACE, "needsExecutor", "(" + BODY_SUBSCRIBER + ")Z", true);
                m.visitInsn(Opcodes.IRETURN);
                m.visitMaxs(0, 0);
                m.visitEnd();
                super.visitEnd();
            }
        }, 0);
        return writer.toByteArray();
    }

    /** Whether the class has the field the added method reads: {@code delegate}, a BodySubscriber. */
    static boolean hasDelegate(ClassReader reader) {
        boolean[] found = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                if (name.equals("delegate") && descriptor.equals(BODY_SUBSCRIBER)) found[0] = true;
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }
}
