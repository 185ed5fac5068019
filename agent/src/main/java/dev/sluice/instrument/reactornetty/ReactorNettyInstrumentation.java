package dev.sluice.instrument.reactornetty;

import dev.sluice.instrument.ClientInstrumentation;
import dev.sluice.instrument.HelperInjector;
import dev.sluice.instrument.reactornetty.injected.ReactorNettyCalls;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.lang.instrument.Instrumentation;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Reactor Netty's {@code HttpClient} (1.1, 1.2, 1.3; Spring WebClient's default connector), at one hook:
 * {@code HttpClientConnect$MonoHttpConnect.subscribe(CoreSubscriber)}, the {@code Mono<Connection>} every request of
 * an {@code HttpClient} subscribes to ({@code response()}, {@code responseContent()}, {@code responseSingle()},
 * {@code responseConnection()}, WebClient's {@code ReactorClientHttpConnector}), also when the configuration is
 * deferred ({@code uri(Mono)}). It is the point before any connection is acquired from the pool, and its
 * {@code config} field is the request's resolved {@code HttpClientConfig}, whose public accessors ({@code uri()},
 * {@code baseUrl()}, {@code isSecure()}, {@code remoteAddress()}, {@code headers()}) name the upstream. One
 * subscription is one call: Reactor Netty's own retry of a request that never reached the wire and its redirects
 * stay inside it; an application's {@code retry()} subscribes again and passes the gate again.
 *
 * <p>A governed subscription is taken over (the original method is skipped): the subscriber gets its
 * {@code Subscription} at once, the call waits for admission holding no thread, and once admitted Sluice subscribes
 * the same {@code MonoHttpConnect} again with its {@link dev.sluice.instrument.reactornetty.injected.GovernedConnect},
 * which this advice recognises and lets through. The response side uses public API only: the emitted
 * {@code HttpClientResponse} (status, headers), a Netty handler placed with {@code Connection.addHandlerLast} before
 * Reactor Netty's bridge (the body's buffers as they arrive, not copied, not held), {@code Connection.onTerminate()}
 * and {@code ChannelOperations.isInboundCancelled()} (the end of the exchange). The request body is written only
 * once connected, so the call is admitted with the default estimate; a second, optional hook
 * ({@code HttpClientHandler.requestWithBody}, where the admitted request is prepared on its connection, found
 * through the subscriber's Reactor context) watches the body go out, and the call is settled with what it asked for.
 *
 * <p>The injected classes are defined by {@link HelperInjector} in the class loader of Reactor Netty's HTTP client
 * (they implement Reactor's and Netty's types), as the OkHttp unit's are; they are compiled against Reactor Netty
 * 1.2 and use only API that 1.1 to 1.3 share. Any error inside Sluice is suppressed: the subscription then proceeds
 * untouched.
 */
public final class ReactorNettyInstrumentation implements ClientInstrumentation {
    static final String CONNECT = "reactor.netty.http.client.HttpClientConnect$MonoHttpConnect";
    static final String HANDLER = "reactor.netty.http.client.HttpClientConnect$HttpClientHandler";

    /** Every class of the injected package (a unit test keeps this list complete). */
    static final List<String> HELPERS = List.of(
            "dev.sluice.instrument.reactornetty.injected.BodyWatcher",
            "dev.sluice.instrument.reactornetty.injected.GovernedConnect",
            "dev.sluice.instrument.reactornetty.injected.ReactorNettyCalls",
            "dev.sluice.instrument.reactornetty.injected.RequestWatcher");

    @Override
    public String name() {
        return "reactor-netty";
    }

    @Override
    public List<String> typeNames() {
        return List.of(CONNECT, HANDLER);
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        HelperInjector helpers = new HelperInjector(inst, advice, HELPERS);
        return builder.type(named(CONNECT)).transform((b, type, loader, module, pd) -> {
            helpers.inject(loader, pd); // throws when impossible: the type then stays as it was
            return b.visit(Advice.to(SubscribeAdvice.class, advice).on(named("subscribe").and(takesArguments(1))
                    .and(takesArgument(0, named("reactor.core.CoreSubscriber")))));
        }).type(named(HANDLER)).transform((b, type, loader, module, pd) -> {
            helpers.inject(loader, pd);
            return b.visit(Advice.to(RequestAdvice.class, advice).on(named("requestWithBody").and(takesArguments(1))));
        });
    }

    /**
     * {@code HttpClientHandler.requestWithBody(operations)}: the admitted request is about to be written on its
     * connection. The one internal hook of the unit (package-private, the same in 1.1 to 1.3), and an optional one:
     * when it is missing, calls are settled with the default estimate as before. It places a
     * {@link dev.sluice.instrument.reactornetty.injected.RequestWatcher} on the connection, which reads the body as
     * it goes out so the call is settled with what it asked for.
     */
    public static final class RequestAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object operations) {
            ReactorNettyCalls.requestPrepared(operations);
        }
    }

    /**
     * {@code MonoHttpConnect.subscribe(actual)}: a governed call is taken over (the original is skipped) and
     * subscribed for real once admitted; a refusal is the subscriber's {@code onError}.
     */
    public static final class SubscribeAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object mono, @Advice.Argument(0) Object actual,
                             @Advice.FieldValue("config") Object config) {
            return ReactorNettyCalls.subscribe(mono, actual, config);
        }
    }
}
