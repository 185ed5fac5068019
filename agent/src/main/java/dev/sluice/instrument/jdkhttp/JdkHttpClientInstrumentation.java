package dev.sluice.instrument.jdkhttp;

import dev.sluice.instrument.ClientInstrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.lang.instrument.Instrumentation;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 */
public final class JdkHttpClientInstrumentation implements ClientInstrumentation {
    static final String FACADE = "jdk.internal.net.http.HttpClientFacade";

    @Override
    public String name() {
        return "jdk-httpclient";
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        // Advice inlined into java.net.http calls our bridge in the bootstrap loader's unnamed module; a named
        // module reads no unnamed module unless told to.
        ModuleLayer.boot().findModule("java.net.http").ifPresent(m -> inst.redefineModule(m,
                Set.of(JdkHttpClientBridge.class.getModule()), Map.of(), Map.of(), Set.of(), Map.of()));
        return builder.type(named(FACADE)).transform((b, type, loader, module, pd) -> b
                .visit(Advice.to(SendAdvice.class, advice).on(named("send").and(takesArguments(2))))
                .visit(Advice.to(SendAsyncAdvice.class, advice).on(named("sendAsync").and(takesArguments(2))))
                .visit(Advice.to(SendAsyncPushAdvice.class, advice).on(named("sendAsync").and(takesArguments(3)))));
    }

    /** Blocking send: admission before, the body handler wrapped to watch the response, a failure reported. */
    public static final class SendAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) HttpRequest request,
                          @Advice.Argument(value = 1, readOnly = false) HttpResponse.BodyHandler<?> handler)
                throws java.io.IOException, InterruptedException {
            handler = JdkHttpClientBridge.beforeSend(request, handler);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Argument(1) HttpResponse.BodyHandler<?> handler, @Advice.Thrown Throwable thrown) {
            JdkHttpClientBridge.afterSend(handler, thrown);
        }
    }

    /** sendAsync(request, handler): when governed, the original is skipped and the bridge's future returned. */
    public static final class SendAsyncAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static CompletableFuture<?> enter(@Advice.This HttpClient client, @Advice.Argument(0) HttpRequest request,
                                          @Advice.Argument(1) HttpResponse.BodyHandler<?> handler) {
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
        static CompletableFuture<?> enter(@Advice.This HttpClient client, @Advice.Argument(0) HttpRequest request,
                                          @Advice.Argument(1) HttpResponse.BodyHandler<?> handler,
                                          @Advice.Argument(2) HttpResponse.PushPromiseHandler<?> push) {
            return JdkHttpClientBridge.sendAsync(client, request, handler, push, true);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter CompletableFuture<?> governed,
                         @Advice.Return(readOnly = false) CompletableFuture<?> returned) {
            if (governed != null) returned = governed;
        }
    }
}
