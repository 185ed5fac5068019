package dev.sluice.instrument.apache;

import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.io.IOException;

/**
 * What the Apache advice calls (public: the advice is inlined into Apache's classes). Bootstrap-side and
 * Apache-free: it finds the helper for the class loader that holds Apache ({@code anchor} is an Apache class
 * named by the advice, so it resolves in that loader) and forwards. A thread-local depth gives one pass
 * through nested execute calls (a decorating client calling another client's doExecute).
 */
public final class ApacheBridge {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    static volatile ClassFileLocator jar;

    private static final ClassValue<Apache5Hooks> V5 = new ClassValue<>() {
        @Override
        protected Apache5Hooks computeValue(Class<?> anchor) {
            return (Apache5Hooks) helper(anchor, HelperLoader.V5 + "Apache5Helper");
        }
    };
    private static final ClassValue<Apache4Hooks> V4 = new ClassValue<>() {
        @Override
        protected Apache4Hooks computeValue(Class<?> anchor) {
            return (Apache4Hooks) helper(anchor, HelperLoader.V4 + "Apache4Helper");
        }
    };

    private ApacheBridge() {
    }

    static void init(ClassFileLocator agentJar) {
        jar = agentJar;
    }

    private static Object helper(Class<?> anchor, String name) {
        try {
            HelperLoader loader = new HelperLoader(anchor.getClassLoader(), jar);
            return Class.forName(name, true, loader).getConstructor().newInstance();
        } catch (Throwable t) {
            Faults.record(null, "apache helper for " + anchor.getName(), t);
            return null;
        }
    }

    // ---- Apache 5 classic ----

    /** {@code canAnswer}: the advice returns a {@link SyntheticAnswer}'s response (the exec chain's step does). */
    public static Object classic5Before(Class<?> anchor, Object target, Object request, Object context,
                                        boolean canAnswer) throws IOException {
        int[] depth = DEPTH.get();
        if (depth[0]++ > 0) return null;
        try {
            Apache5Hooks h = V5.get(anchor);
            return h == null ? null : h.classicBefore(target, request, context, canAnswer);
        } catch (IOException e) { // a refusal: the method does not run, so its exit advice will not either
            depth[0]--;
            throw e;
        } catch (Throwable t) {
            Faults.record(null, "apache5 request", t);
            return null;
        }
    }

    public static void classic5After(Class<?> anchor, Object call, Object response, Throwable thrown) {
        DEPTH.get()[0]--;
        if (call == null || call instanceof SyntheticAnswer) return;
        try {
            V5.get(anchor).classicAfter(call, response, thrown);
        } catch (Throwable t) {
            Faults.record(null, "apache5 response", t);
            release(call); // the response goes to the application unwatched: its permit must not wait for the lease
        }
    }

    public static void response5Closed(Class<?> anchor, Object response) {
        try {
            Apache5Hooks h = V5.get(anchor);
            if (h != null) h.responseClosed(response);
        } catch (Throwable t) {
            Faults.record(null, "apache5 response close", t);
        }
    }

    private static void release(Object call) {
        try {
            if (call instanceof GovernedCall) ((GovernedCall) call).onComplete();
        } catch (Throwable ignored) {
            // already recorded
        }
    }

    // ---- Apache 5 async ----

    public static boolean async5Attempt(Class<?> anchor, Object handler, Object request, Object producer,
                                        Object scope, Object chain, Object callback) {
        try {
            Apache5Hooks h = V5.get(anchor);
            return h != null && h.asyncAttempt(handler, request, producer, scope, chain, callback);
        } catch (Throwable t) {
            Faults.record(null, "apache5 async attempt", t);
            return false;
        }
    }

    // ---- Apache 4 classic ----

    public static Object classic4Before(Class<?> anchor, Object target, Object request) throws IOException {
        int[] depth = DEPTH.get();
        if (depth[0]++ > 0) return null;
        try {
            Apache4Hooks h = V4.get(anchor);
            return h == null ? null : h.classicBefore(target, request);
        } catch (IOException e) { // a refusal: the method does not run, so its exit advice will not either
            depth[0]--;
            throw e;
        } catch (Throwable t) {
            Faults.record(null, "apache4 request", t);
            return null;
        }
    }

    public static void classic4After(Class<?> anchor, Object call, Object response, Throwable thrown) {
        DEPTH.get()[0]--;
        if (call == null || call instanceof SyntheticAnswer) return;
        try {
            V4.get(anchor).classicAfter(call, response, thrown);
        } catch (Throwable t) {
            Faults.record(null, "apache4 response", t);
            release(call); // the response goes to the application unwatched: its permit must not wait for the lease
        }
    }

    public static void response4Closed(Class<?> anchor, Object response) {
        try {
            Apache4Hooks h = V4.get(anchor);
            if (h != null) h.responseClosed(response);
        } catch (Throwable t) {
            Faults.record(null, "apache4 response close", t);
        }
    }
}
