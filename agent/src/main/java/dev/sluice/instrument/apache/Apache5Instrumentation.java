package dev.sluice.instrument.apache;

import dev.sluice.instrument.ClientInstrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.Future;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Apache HttpClient 5.x.
 * <ul>
 * <li>Classic: every {@code execute} variant of {@code CloseableHttpClient} ends in {@code doExecute(HttpHost,
 *     ClassicHttpRequest, HttpContext)} ({@code InternalHttpClient}, {@code MinimalHttpClient}): admission before,
 *     the response entity wrapped after; {@code CloseableHttpResponse.close()} hands the permit back.</li>
 * <li>Async: {@code execute(producer, consumer, pushHandlerFactory, context, callback)} (and the variant with a
 *     target host), which every other execute calls: when governed the original is skipped and a Future
 *     returned at once; admission completes later without holding a thread, then the original runs with the
 *     consumer and callback wrapped. A refusal reaches {@code FutureCallback.failed} and the Future.</li>
 * </ul>
 * The advice is written against Apache's types and inlined into Apache's classes, so it is resolved against
 * Apache's own class loader ({@link AgentBuilder.Transformer.ForAdvice}); everything else Apache-typed lives
 * in helper classes (see {@link HelperLoader}).
 */
public final class Apache5Instrumentation implements ClientInstrumentation {
    static final String CLASSIC = "org.apache.hc.client5.http.impl.classic.CloseableHttpClient";
    static final String RESPONSE = "org.apache.hc.client5.http.impl.classic.CloseableHttpResponse";
    static final String ASYNC = "org.apache.hc.client5.http.async.HttpAsyncClient";
    static final String HOST = "org.apache.hc.core5.http.HttpHost";
    static final String PRODUCER = "org.apache.hc.core5.http.nio.AsyncRequestProducer";
    static final String CONSUMER = "org.apache.hc.core5.http.nio.AsyncResponseConsumer";
    static final String PUSH = "org.apache.hc.core5.http.nio.HandlerFactory";
    static final String CONTEXT = "org.apache.hc.core5.http.protocol.HttpContext";
    static final String CALLBACK = "org.apache.hc.core5.concurrent.FutureCallback";

    @Override
    public String name() {
        return "apache-httpclient5";
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        ApacheBridge.init(advice);
        String self = Apache5Instrumentation.class.getName();
        return builder
                .type(nameStartsWith("org.apache.hc.client5.").and(not(isAbstract()))
                        .and(hasSuperType(named(CLASSIC))))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("doExecute").and(not(isAbstract())).and(takesArguments(3))
                                        .and(takesArgument(0, named(HOST)))
                                        .and(takesArgument(1, named("org.apache.hc.core5.http.ClassicHttpRequest"))),
                                self + "$ClassicAdvice"))
                .type(named(RESPONSE))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("close"), self + "$ResponseCloseAdvice"))
                .type(nameStartsWith("org.apache.hc.client5.").and(hasSuperType(named(ASYNC))))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("execute").and(not(isAbstract())).and(takesArguments(5))
                                        .and(takesArgument(0, named(PRODUCER))).and(takesArgument(1, named(CONSUMER)))
                                        .and(takesArgument(2, named(PUSH))).and(takesArgument(3, named(CONTEXT)))
                                        .and(takesArgument(4, named(CALLBACK))),
                                self + "$AsyncAdvice")
                        .advice(named("execute").and(not(isAbstract())).and(takesArguments(6))
                                        .and(takesArgument(0, named(HOST))).and(takesArgument(1, named(PRODUCER)))
                                        .and(takesArgument(2, named(CONSUMER))).and(takesArgument(3, named(PUSH)))
                                        .and(takesArgument(4, named(CONTEXT))).and(takesArgument(5, named(CALLBACK))),
                                self + "$AsyncWithTargetAdvice"));
    }

    /** doExecute: admission (or the refusal, an IOException as the method declares); the response watched. */
    public static final class ClassicAdvice {
        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) ClassicHttpRequest request)
                throws IOException {
            return ApacheBridge.classic5Before(CloseableHttpClient.class, target, request);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object call, @Advice.Return Object response, @Advice.Thrown Throwable thrown) {
            ApacheBridge.classic5After(CloseableHttpClient.class, call, response, thrown);
        }
    }

    /** CloseableHttpResponse.close / close(CloseMode): the application is done with the response. */
    public static final class ResponseCloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object response) {
            ApacheBridge.response5Closed(CloseableHttpClient.class, response);
        }
    }

    /** execute(producer, consumer, push, context, callback): governed calls skip the original. */
    public static final class AsyncAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Future<?> enter(@Advice.This Object client, @Advice.Argument(0) Object producer,
                               @Advice.Argument(1) Object consumer, @Advice.Argument(2) Object push,
                               @Advice.Argument(3) Object context, @Advice.Argument(4) Object callback) {
            return ApacheBridge.async5Execute(CloseableHttpClient.class, client, null, false, producer, consumer,
                    push, context, callback);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter Future<?> governed, @Advice.Return(readOnly = false) Future<?> returned) {
            if (governed != null) returned = governed;
        }
    }

    /** execute(target, producer, consumer, push, context, callback): the same. */
    public static final class AsyncWithTargetAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Future<?> enter(@Advice.This Object client, @Advice.Argument(0) Object target,
                               @Advice.Argument(1) Object producer, @Advice.Argument(2) Object consumer,
                               @Advice.Argument(3) Object push, @Advice.Argument(4) Object context,
                               @Advice.Argument(5) Object callback) {
            return ApacheBridge.async5Execute(CloseableHttpClient.class, client, target, true, producer, consumer,
                    push, context, callback);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter Future<?> governed, @Advice.Return(readOnly = false) Future<?> returned) {
            if (governed != null) returned = governed;
        }
    }
}
