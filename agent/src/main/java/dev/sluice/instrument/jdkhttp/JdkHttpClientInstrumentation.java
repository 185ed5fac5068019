package dev.sluice.instrument.jdkhttp;

import dev.sluice.instrument.ClientInstrumentation;
import dev.sluice.instrument.HelperInjector;
import dev.sluice.instrument.jdkhttp.injected.JdkHttpClientBridge;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.lang.instrument.Instrumentation;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * one advice. The work is in the injected {@code JdkHttpClientBridge}.
 */
public final class JdkHttpClientInstrumentation implements ClientInstrumentation {
    static final String FACADE = "jdk.internal.net.http.HttpClientFacade";

    @Override
    public String name() {
        return "jdk-httpclient";
    }

    @Override
    public List<String> typeNames() {
        return List.of(FACADE);
    }

    /** Helpers that implement or call java.net.http types: defined in the platform loader, which holds that module. */
    static final String INJECTED = "dev.sluice.instrument.jdkhttp.injected.";
    static final String SUBSCRIBER = INJECTED + "GovernedBodyHandler$Subscriber";
    static final List<String> HELPERS = List.of(INJECTED + "JdkHttpClientBridge", INJECTED + "GovernedBodyHandler",
            SUBSCRIBER, INJECTED + "GovernedBodyHandler$Subscriber$1",
            INJECTED + "RequestBodies", INJECTED + "RequestBodies$Collector", INJECTED + "RequestBodies$Replayable", INJECTED + "SyntheticResponses",
            INJECTED + "SyntheticResponses$Info", INJECTED + "SyntheticResponses$OneShot",
            INJECTED + "SyntheticResponses$Response");

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        Module http = ModuleLayer.boot().findModule("java.net.http").orElse(null);
        if (http == null) return builder; // a runtime image without the HttpClient
        ClassLoader platform = http.getClassLoader();
        Module helpers = platform.getUnnamedModule();
        // Advice inlined into java.net.http calls the helpers in the platform loader's unnamed module; a named
        // module reads no unnamed module unless told to. The governed subscriber implements an interface of the
        // client's internal package, which must be exported to it before it is defined.
        boolean trusted = TrustedSubscriber.available(platform);
        inst.redefineModule(http, Set.of(helpers),
                trusted ? Map.of(TrustedSubscriber.PACKAGE, Set.of(helpers)) : Map.of(), Map.of(), Set.of(), Map.of());
        new HelperInjector(inst, advice, HELPERS, trusted ? Map.of(SUBSCRIBER, TrustedSubscriber::adapt) : Map.of())
                .inject(platform, null);
        // Advice is described from bytes, never loaded here: its signatures name java.net.http types, which the
        // bootstrap loader (where this class lives) cannot see.
        ClassFileLocator locator = new ClassFileLocator.Compound(HelperInjector.withHidden(advice),
                ClassFileLocator.ForClassLoader.of(platform));
        TypePool pool = TypePool.Default.of(locator);
        String self = JdkHttpClientInstrumentation.class.getName();
        TypeDescription send = pool.describe(self + "$SendAdvice").resolve();
        TypeDescription sendAsync = pool.describe(self + "$SendAsyncAdvice").resolve();
        TypeDescription sendAsyncPush = pool.describe(self + "$SendAsyncPushAdvice").resolve();
        return builder.type(named(FACADE)).transform((b, type, loader, module, pd) -> b
                .visit(Advice.to(send, locator).on(named("send").and(takesArguments(2))))
                .visit(Advice.to(sendAsync, locator).on(named("sendAsync").and(takesArguments(2))))
                .visit(Advice.to(sendAsyncPush, locator).on(named("sendAsync").and(takesArguments(3)))));
    }

    /**
     * Blocking send: admission before, the body handler wrapped to watch the response, the request's timeout
     * shortened by the time spent waiting, a failure reported. With {@code reject=http} a refusal is a synthetic
     * response: the original method is skipped and that is returned.
     */
    public static final class SendAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static HttpResponse<?> enter(@Advice.Argument(value = 0, readOnly = false) HttpRequest request,
                                     @Advice.Argument(value = 1, readOnly = false) HttpResponse.BodyHandler<?> handler)
                throws java.io.IOException, InterruptedException {
            Object governed = JdkHttpClientBridge.beforeSend(request, handler);
            if (governed instanceof HttpResponse) return (HttpResponse<?>) governed;
            handler = (HttpResponse.BodyHandler<?>) governed;
            request = JdkHttpClientBridge.requestFor(request, handler);
            return null;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter HttpResponse<?> answered, @Advice.Argument(1) HttpResponse.BodyHandler<?> handler,
                         @Advice.Thrown Throwable thrown, @Advice.Return(readOnly = false) HttpResponse<?> returned) {
            if (answered != null) {
                returned = answered;
                return;
            }
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
