package dev.sluice.instrument.apache;

import dev.sluice.instrument.ClientInstrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Apache HttpClient 5.x. Governed per attempt, not per {@code execute}: Apache retries on its own (its default
 * retry strategy repeats a 429 or 503 once, after the Retry-After), and each repeat is a request the upstream
 * counts, so it must pass the gate, and its 429 must reach the gate. The attempt is the exec chain's protocol
 * step, below the retry and redirect steps and above the connection lease (a call waiting for admission holds
 * no pooled connection):
 * <ul>
 * <li>Classic: {@code ProtocolExec.execute(request, scope, chain)}: admission before (the refusal is an
 *     IOException, as declared), the response entity wrapped after; {@code CloseableHttpResponse.close()} hands
 *     the permit back. {@code MinimalHttpClient} has no exec chain: its {@code doExecute} is governed instead.</li>
 * <li>Async: {@code AsyncProtocolExec.execute(request, entityProducer, scope, chain, callback)}: when governed
 *     the attempt is skipped and re-run once admitted, holding no thread meanwhile; a refusal goes to the chain's
 *     callback, so the application's {@code FutureCallback.failed} and its Future see it.
 *     ({@code MinimalHttpAsyncClient}, without an exec chain, is not governed.)</li>
 * </ul>
 * The advice is written against Apache's types and inlined into Apache's classes, so it is resolved against
 * Apache's own class loader ({@link AgentBuilder.Transformer.ForAdvice}); everything else Apache-typed lives
 * in helper classes (see {@link HelperLoader}).
 */
public final class Apache5Instrumentation implements ClientInstrumentation {
    static final String PROTOCOL_EXEC = "org.apache.hc.client5.http.impl.classic.ProtocolExec";
    static final String MINIMAL = "org.apache.hc.client5.http.impl.classic.MinimalHttpClient";
    static final String RESPONSE = "org.apache.hc.client5.http.impl.classic.CloseableHttpResponse";
    static final String ASYNC_PROTOCOL_EXEC = "org.apache.hc.client5.http.impl.async.AsyncProtocolExec";

    @Override
    public String name() {
        return "apache-httpclient5";
    }

    @Override
    public List<String> typeNames() {
        return List.of(PROTOCOL_EXEC, MINIMAL, RESPONSE, ASYNC_PROTOCOL_EXEC);
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        ApacheBridge.init(advice);
        String self = Apache5Instrumentation.class.getName();
        return builder
                .type(named(PROTOCOL_EXEC))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("execute").and(takesArguments(3))
                                        .and(takesArgument(0, named("org.apache.hc.core5.http.ClassicHttpRequest"))),
                                self + "$ProtocolExecAdvice"))
                .type(named(MINIMAL))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("doExecute").and(takesArguments(3))
                                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpHost")))
                                        .and(takesArgument(1, named("org.apache.hc.core5.http.ClassicHttpRequest"))),
                                self + "$MinimalAdvice"))
                .type(named(RESPONSE))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("close"), self + "$ResponseCloseAdvice"))
                .type(named(ASYNC_PROTOCOL_EXEC))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("execute").and(takesArguments(5))
                                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpRequest"))),
                                self + "$AsyncProtocolExecAdvice"));
    }

    /**
     * One classic attempt: admission (or the refusal) before, the response watched after. With {@code reject=http}
     * a refused attempt is skipped and answered with the synthetic response, which Apache's own retry step above
     * sees as the provider's 429/503.
     */
    public static final class ProtocolExecAdvice {
        @Advice.OnMethodEnter(skipOn = SyntheticAnswer.class)
        static Object enter(@Advice.Argument(0) ClassicHttpRequest request, @Advice.Argument(1) ExecChain.Scope scope)
                throws IOException {
            return ApacheBridge.classic5Before(CloseableHttpClient.class, scope.route.getTargetHost(), request,
                    scope.clientContext, true);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object call,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object response,
                         @Advice.Thrown Throwable thrown) {
            ApacheBridge.classic5After(CloseableHttpClient.class, call, response, thrown);
            if (call instanceof SyntheticAnswer) response = ((SyntheticAnswer) call).response;
        }
    }

    /** MinimalHttpClient.doExecute: the same, for the client without an exec chain. */
    public static final class MinimalAdvice {
        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) ClassicHttpRequest request,
                            @Advice.Argument(2) Object context) throws IOException {
            // false: MinimalHttpClient returns a CloseableHttpResponse, which only Apache can build: it refuses with
            // the exception in either mode.
            return ApacheBridge.classic5Before(CloseableHttpClient.class, target, request, context, false);
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

    /** One async attempt: a governed one is skipped now and re-run by the helper once admitted. */
    public static final class AsyncProtocolExecAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object handler, @Advice.Argument(0) Object request,
                             @Advice.Argument(1) Object producer, @Advice.Argument(2) Object scope,
                             @Advice.Argument(3) Object chain, @Advice.Argument(4) Object callback) {
            return ApacheBridge.async5Attempt(CloseableHttpClient.class, handler, request, producer, scope, chain,
                    callback);
        }
    }
}
