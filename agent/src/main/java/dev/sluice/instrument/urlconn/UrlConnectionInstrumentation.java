package dev.sluice.instrument.urlconn;

import dev.sluice.instrument.ClientInstrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.Set;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code java.net.HttpURLConnection} / {@code HttpsURLConnection} as the JDK implements them:
 * {@code sun.net.www.protocol.http.HttpURLConnection}. The https flavour ({@code HttpsURLConnectionImpl})
 * delegates every call to a subclass of that same class, so one set of advice covers both. Instrumented:
 * {@code getOutputStream}, {@code getInputStream} (everything that needs the response funnels through it) and
 * {@code disconnect}. The work is in {@link UrlConnectionBridge}.
 */
public final class UrlConnectionInstrumentation implements ClientInstrumentation {
    static final String IMPL = "sun.net.www.protocol.http.HttpURLConnection";

    @Override
    public String name() {
        return "httpurlconnection";
    }

    @Override
    public List<String> typeNames() {
        return List.of(IMPL);
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        // Advice inlined into java.base calls the bridge in the bootstrap loader's unnamed module, which a named
        // module does not read unless told to.
        inst.redefineModule(Object.class.getModule(), Set.of(UrlConnectionBridge.class.getModule()),
                Map.of(), Map.of(), Set.of(), Map.of());
        return builder.type(named(IMPL)).transform((b, type, loader, module, pd) -> b
                .visit(Advice.to(OutputAdvice.class, advice)
                        .on(isPublic().and(named("getOutputStream")).and(takesArguments(0))))
                .visit(Advice.to(InputAdvice.class, advice)
                        .on(isPublic().and(named("getInputStream")).and(takesArguments(0))))
                .visit(Advice.to(DisconnectAdvice.class, advice)
                        .on(isPublic().and(named("disconnect")).and(takesArguments(0)))));
    }

    /** getOutputStream: in streaming mode the request starts here, so admission (or the refusal) happens here. */
    public static final class OutputAdvice {
        @Advice.OnMethodEnter
        static Object enter(@Advice.This HttpURLConnection c,
                            @Advice.FieldValue("doOutput") boolean doOutput,
                            @Advice.FieldValue("fixedContentLengthLong") long fixedLong,
                            @Advice.FieldValue("fixedContentLength") int fixedInt,
                            @Advice.FieldValue("chunkLength") int chunkLength) throws IOException {
            return UrlConnectionBridge.enterOutput(c, doOutput, fixedLong != -1 ? fixedLong : fixedInt, chunkLength);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object scope, @Advice.Thrown Throwable thrown) {
            UrlConnectionBridge.exitOutput(scope, thrown);
        }
    }

    /** getInputStream: admission if not yet admitted (the buffered body gives the estimate); the response. */
    public static final class InputAdvice {
        @Advice.OnMethodEnter
        static Object enter(@Advice.This HttpURLConnection c,
                            @Advice.FieldValue("poster") Object poster,
                            @Advice.FieldValue("fixedContentLengthLong") long fixedLong,
                            @Advice.FieldValue("fixedContentLength") int fixedInt) throws IOException {
            return UrlConnectionBridge.enterInput(c, poster, fixedLong != -1 ? fixedLong : fixedInt);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This HttpURLConnection c, @Advice.Enter Object scope,
                         @Advice.FieldValue("responseCode") int responseCode,
                         @Advice.Return(readOnly = false) InputStream in, @Advice.Thrown Throwable thrown) {
            in = UrlConnectionBridge.exitInput(c, scope, responseCode, in, thrown);
        }
    }

    /** disconnect: the application is done with the connection; its permit goes back. */
    public static final class DisconnectAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This HttpURLConnection c) {
            UrlConnectionBridge.disconnect(c);
        }
    }
}
