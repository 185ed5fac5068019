package dev.sluice.instrument.okhttp;

import dev.sluice.instrument.ClientInstrumentation;
import dev.sluice.instrument.HelperInjector;
import dev.sluice.instrument.okhttp.injected.OkHttpCalls;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * OkHttp 3.14, 4.x and 5.x: {@code execute()}, {@code enqueue(Callback)} and {@code cancel()} on {@code RealCall}
 * ({@code okhttp3.RealCall} in 3.x, {@code okhttp3.internal.connection.RealCall} in 4.x/5.x), the one
 * {@code Call} every {@code OkHttpClient.newCall} returns. {@code execute} and {@code enqueue} never call each
 * other, so each call passes one advice; the admitted {@code enqueue} that Sluice makes itself is recognised by its
 * {@link dev.sluice.instrument.okhttp.injected.GovernedCallback}.
 *
 * <p>Where the OkHttp-typed code lives: the agent is on the bootstrap path, which cannot see OkHttp, yet Sluice
 * has to implement OkHttp's own types ({@code Callback}, {@code ResponseBody}, okio's {@code Source}) to watch a
 * response as it streams and to answer an async caller. So the classes of the {@code injected} package are
 * defined by {@link HelperInjector} in the class loader of each OkHttp that gets instrumented, before its
 * {@code RealCall} runs (the build hides them in the jar, so the bootstrap loader never sees them); they see OkHttp
 * there and reach the shared logic ({@code dev.sluice.client}) on the bootstrap path. The advice below only
 * forwards to them and is typed with {@code Object} alone, so this class links against nothing of OkHttp. The
 * helpers are compiled against OkHttp 4.12 and use only the API that 3.14, 4.x and 5.x (and okio 1.x/3.x) share in
 * binary form.
 *
 * <p>Deliberate refusals are thrown from the exit advice (the enter advice skips the original method); every
 * other error inside Sluice is suppressed and the call proceeds untouched.
 */
public final class OkHttpInstrumentation implements ClientInstrumentation {
    static final String CALL_3 = "okhttp3.RealCall";
    static final String CALL_4 = "okhttp3.internal.connection.RealCall";

    /**
     * Every class of the injected package, superclasses first (a unit test keeps this list complete). Nested and
     * anonymous classes would need listing too; lambdas need nothing.
     */
    static final List<String> HELPERS = List.of(
            "dev.sluice.instrument.okhttp.injected.Waiter",
            "dev.sluice.instrument.okhttp.injected.SyncWaiter",
            "dev.sluice.instrument.okhttp.injected.AsyncWaiter",
            "dev.sluice.instrument.okhttp.injected.GovernedSource",
            "dev.sluice.instrument.okhttp.injected.GovernedResponseBody",
            "dev.sluice.instrument.okhttp.injected.GovernedCallback",
            "dev.sluice.instrument.okhttp.injected.RequestBodies",
            "dev.sluice.instrument.okhttp.injected.SyntheticResponses",
            "dev.sluice.instrument.okhttp.injected.SyntheticResponses$Body",
            "dev.sluice.instrument.okhttp.injected.OkHttpCalls",
            "dev.sluice.instrument.okhttp.injected.OkHttpCalls$Answered",
            "dev.sluice.instrument.okhttp.injected.OkHttpCalls$ResponseHeaders");

    @Override
    public String name() {
        return "okhttp";
    }

    @Override
    public List<String> typeNames() {
        return List.of(CALL_3, CALL_4);
    }

    @Override
    public AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice) {
        HelperInjector helpers = new HelperInjector(inst, advice, HELPERS);
        return builder.type(named(CALL_3).or(named(CALL_4))).transform((b, type, loader, module, pd) -> {
            helpers.inject(loader, pd); // throws when impossible: the type then stays as it was
            return b.visit(Advice.to(ExecuteAdvice.class, advice).on(named("execute").and(takesArguments(0))))
                    .visit(Advice.to(EnqueueAdvice.class, advice).on(named("enqueue").and(takesArguments(1))))
                    .visit(Advice.to(CancelAdvice.class, advice).on(named("cancel").and(takesArguments(0))));
        });
    }

    /**
     * {@code Call.execute()}: admission before (blocking, within the call's own timeout, woken by
     * {@code cancel()}); a refusal skips the method and is thrown as the caller's IOException (with
     * {@code reject=http}: returned as a synthetic response); the response is handed back with its body watched.
     */
    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(skipOn = IOException.class, suppress = Throwable.class)
        static Object enter(@Advice.This Object call) {
            return OkHttpCalls.beforeExecute(call);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object call, @Advice.Enter Object state,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object response,
                         @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (state == null) return;
            if (state instanceof IOException) {
                Object answered = OkHttpCalls.answerOf(state); // reject=http: return the synthetic response
                if (answered != null) response = answered;
                else thrown = (IOException) state;
                return;
            }
            response = OkHttpCalls.afterExecute(state, call, response, thrown);
        }
    }

    /**
     * {@code Call.enqueue(callback)}: a governed call is taken over (the original is skipped), admitted without
     * holding a thread, then enqueued for real with a callback that watches the response; a refusal reaches the
     * application's {@code onFailure}.
     */
    public static final class EnqueueAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object call, @Advice.Argument(0) Object callback,
                             @Advice.FieldValue("client") Object client) {
            return OkHttpCalls.enqueue(call, callback, client);
        }
    }

    /** {@code Call.cancel()}: a call still waiting for admission leaves the waiting room. */
    public static final class CancelAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object call) {
            OkHttpCalls.cancelled(call);
        }
    }
}
