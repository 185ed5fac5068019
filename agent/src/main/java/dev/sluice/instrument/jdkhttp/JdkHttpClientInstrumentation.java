package dev.sluice.instrument.jdkhttp;

import dev.sluice.instrument.ClientInstrumentation;
import dev.sluice.instrument.HelperInjector;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code java.net.http.HttpClient}: {@code send} and both {@code sendAsync} on {@code HttpClientFacade}, the
 * class every {@code HttpClient.newHttpClient()} / {@code newBuilder().build()} returns. The facade's three
 * methods each delegate straight to the implementation and never to each other, so every call passes exactly
 * one advice. The work is in {@link JdkHttpClientBridge}.
 *
 * <p>java.net.http belongs to the platform class loader, which the bootstrap path (where the agent lives) cannot
 * see: a bootstrap class typed with {@code HttpRequest} fails to link. So the bridge and its helpers are defined in
 * the platform loader by {@link HelperInjector} when the facade is transformed, java.net.http is made to read that
 * loader's unnamed module, and the advice below is typed with {@code Object} alone.
 */
public final class JdkHttpClientInstrumentation implements ClientInstrumentation {
    static final String FACADE = "jdk.internal.net.http.HttpClientFacade";

    /** The classes defined in the platform loader (a unit test keeps this list complete). */
    static final List<String> HELPERS = List.of(
            "dev.sluice.instrument.jdkhttp.JdkHttpClientBridge",
            "dev.sluice.instrument.jdkhttp.GovernedBodyHandler",
            "dev.sluice.instrument.jdkhttp.GovernedBodyHandler$Subscriber",
            "dev.sluice.instrument.jdkhttp.GovernedBodyHandler$Subscriber$1",
            "dev.sluice.instrument.jdkhttp.RequestBodies",
            "dev.sluice.instrument.jdkhttp.RequestBodies$Collector");

    @Override
    public String name() {
        return "jdk-httpclient";
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        // Advice inlined into java.net.http calls the bridge in the platform loader's unnamed module; a named
        // module reads no unnamed module unless told to.
        Module helpersModule = ClassLoader.getPlatformClassLoader().getUnnamedModule();
        ModuleLayer.boot().findModule("java.net.http").ifPresent(m -> inst.redefineModule(m,
                Set.of(helpersModule), Map.of(), Map.of(), Set.of(), Map.of()));
        HelperInjector helpers = new HelperInjector(inst, advice, HELPERS);
        return builder.type(named(FACADE)).transform((b, type, loader, module, pd) -> {
            helpers.inject(loader, pd); // throws when impossible: the facade then stays as it was
            return b.visit(Advice.to(SendAdvice.class, advice).on(named("send").and(takesArguments(2))))
                    .visit(Advice.to(SendAsyncAdvice.class, advice).on(named("sendAsync").and(takesArguments(2))))
                    .visit(Advice.to(SendAsyncPushAdvice.class, advice).on(named("sendAsync").and(takesArguments(3))));
        });
    }

    /** Blocking send: admission before, the body handler wrapped to watch the response, a failure reported. */
    public static final class SendAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object request,
                          @Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handler)
                throws java.io.IOException, InterruptedException {
            handler = JdkHttpClientBridge.beforeSend(request, handler);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Argument(1) Object handler, @Advice.Thrown Throwable thrown) {
            JdkHttpClientBridge.afterSend(handler, thrown);
        }
    }

    /** sendAsync(request, handler): when governed, the original is skipped and the bridge's future returned. */
    public static final class SendAsyncAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static CompletableFuture<?> enter(@Advice.This Object client, @Advice.Argument(0) Object request,
                                          @Advice.Argument(1) Object handler) {
            return JdkHttpClientBridge.sendAsync(client, request, handler, null, false);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter CompletableFuture<?> governed,
                         @Advice.Return(readOnly = false) CompletableFuture<?> returned) {
            if (governed != null) returned = governed;
        }
    }

    /** sendAsync(request, handler, pushPromiseHandler): the same. */
    public static final class SendAsyncPushAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static CompletableFuture<?> enter(@Advice.This Object client, @Advice.Argument(0) Object request,
                                          @Advice.Argument(1) Object handler, @Advice.Argument(2) Object push) {
            return JdkHttpClientBridge.sendAsync(client, request, handler, push, true);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter CompletableFuture<?> governed,
                         @Advice.Return(readOnly = false) CompletableFuture<?> returned) {
            if (governed != null) returned = governed;
        }
    }
}
