package dev.sluice.instrument.apache;

import dev.sluice.instrument.ClientInstrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.impl.client.CloseableHttpClient;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Apache HttpClient 4.x classic: every {@code execute} variant of {@code CloseableHttpClient} ends in
 * {@code doExecute(HttpHost, HttpRequest, HttpContext)} ({@code InternalHttpClient}, {@code MinimalHttpClient},
 * the deprecated {@code AbstractHttpClient}): admission before (the refusal is an IOException, as declared), the
 * response entity wrapped after; {@code HttpResponseProxy.close()} (the response InternalHttpClient and
 * MinimalHttpClient return) hands the permit back. Same class-loading split as {@link Apache5Instrumentation}.
 */
public final class Apache4Instrumentation implements ClientInstrumentation {
    static final String CLIENT = "org.apache.http.impl.client.CloseableHttpClient";
    /** Where the concrete clients live (matched by name, then by supertype). */
    static final String CLIENT_PACKAGE = "org.apache.http.impl.client.";
    static final String RESPONSE_PROXY = "org.apache.http.impl.execchain.HttpResponseProxy";

    @Override
    public String name() {
        return "apache-httpclient4";
    }

    @Override
    public List<String> typeNames() {
        return List.of(CLIENT_PACKAGE, RESPONSE_PROXY);
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        ApacheBridge.init(advice);
        String self = Apache4Instrumentation.class.getName();
        return builder
                .type(nameStartsWith(CLIENT_PACKAGE).and(not(isAbstract().and(not(named(
                        "org.apache.http.impl.client.AbstractHttpClient"))))).and(hasSuperType(named(CLIENT))))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("doExecute").and(not(isAbstract())).and(takesArguments(3))
                                        .and(takesArgument(0, named("org.apache.http.HttpHost")))
                                        .and(takesArgument(1, named("org.apache.http.HttpRequest"))),
                                self + "$ClassicAdvice"))
                .type(named(RESPONSE_PROXY))
                .transform(new AgentBuilder.Transformer.ForAdvice().include(advice)
                        .advice(named("close").and(takesArguments(0)), self + "$ResponseCloseAdvice"));
    }

    /** As Apache 5's: with {@code reject=http} a refused call is skipped and answered with the synthetic response. */
    public static final class ClassicAdvice {
        @Advice.OnMethodEnter(skipOn = SyntheticAnswer.class)
        static Object enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) HttpRequest request)
                throws IOException {
            return ApacheBridge.classic4Before(CloseableHttpClient.class, target, request);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object call,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object response,
                         @Advice.Thrown Throwable thrown) {
            ApacheBridge.classic4After(CloseableHttpClient.class, call, response, thrown);
            if (call instanceof SyntheticAnswer) response = ((SyntheticAnswer) call).response;
        }
    }

    public static final class ResponseCloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object response) {
            ApacheBridge.response4Closed(CloseableHttpClient.class, response);
        }
    }
}
