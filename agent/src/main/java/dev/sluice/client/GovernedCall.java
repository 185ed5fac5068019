package dev.sluice.client;

import dev.sluice.SluiceRejectedException;
import dev.sluice.config.EndpointConfig;
import dev.sluice.core.Gate;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import dev.sluice.core.Refusal;
import dev.sluice.provider.HeaderLookup;
import dev.sluice.provider.ProviderKind;
import dev.sluice.provider.PromptCounter;
import dev.sluice.provider.ProviderProfile;
import dev.sluice.provider.RateLimitInfo;
import dev.sluice.provider.RateLimitKind;
import dev.sluice.log.SluiceLog;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.RequestScanner;
import dev.sluice.provider.UsageParser;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One governed call, from admission to the permit's return: everything every client's instrumentation shares
 * (priority, estimate, admission, refusal, provider feedback from the response, usage as the body passes,
 * exactly-once completion). A client unit only translates its own types into these calls.
 *
 * Fail open: each step catches its own errors, records them in {@link Faults}, and lets the call go on.
 */
public final class GovernedCall {
    /** Pause after a 429 that names no retry time. */
    static final long DEFAULT_429_PAUSE_NANOS = 1_000_000_000L;

    private static final AtomicIntegerFieldUpdater<GovernedCall> DONE =
            AtomicIntegerFieldUpdater.newUpdater(GovernedCall.class, "done");

    private final EndpointRuntime endpoint;
    private final Priority priority;
    /** What the request asks for: as prepared, or as learned from its body once sent ({@link #requestSent}). */
    private volatile RequestInfo request;
    private final long estimate;
    private final PromptCounter counter;
    /** The prompt part of {@link #estimate} (-1: unknown), compared with the reported prompt at the end. */
    private volatile long promptEstimate;
    private volatile Permit permit;
    private volatile int done;
    private int status = Permit.CANCELLED;
    private UsageParser usage;

    private GovernedCall(EndpointRuntime endpoint, Priority priority, RequestInfo request, long estimate,
                         PromptCounter counter, long promptEstimate) {
        this.endpoint = endpoint;
        this.priority = priority;
        this.request = request;
        this.estimate = estimate;
        this.counter = counter;
        this.promptEstimate = promptEstimate;
    }

    /**
     * Prepares a call from the request body's bytes (null when the client could not read them without consuming
     * them; then {@code bodyLength} alone, or 0 if that is unknown too): the body is scanned here, with the
     * endpoint's estimator ({@code tokens.estimator}: {@code chars}, or {@code tiktoken}, which counts the prompt
     * text with the model's BPE vocabulary). The way every client unit should prepare a call.
     */
    public static GovernedCall prepare(EndpointRuntime ep, String priorityHeaderValue, byte[] body, long bodyLength) {
        RequestInfo info = null;
        if (body != null) {
            try {
                info = RequestScanner.scan(body, 0, body.length, ep.config().estimator());
            } catch (Throwable t) {
                Faults.record(ep, "request scanning", t);
            }
        }
        return prepare(ep, priorityHeaderValue, info, body != null ? body.length : bodyLength);
    }

    /**
     * Prepares a call: priority from the request header value (may be null), else the calling thread's name
     * rules, else the endpoint default; tokens estimated from the request body (null = unknown body, then
     * {@code bodyLength} bytes, or 0 if that is unknown too).
     */
    public static GovernedCall prepare(EndpointRuntime ep, String priorityHeaderValue, RequestInfo request,
                                       long bodyLength) {
        EndpointConfig cfg = ep.config();
        Priority p = null;
        RequestInfo info = request;
        long tokens = 0;
        long prompt = -1;
        PromptCounter counter = PromptCounter.CHARS;
        try {
            FaultInjection.check(FaultInjection.Step.ESTIMATE);
            counter = PromptCounter.of(cfg.estimator());
            p = Priority.parse(priorityHeaderValue);
            if (p == null) p = cfg.priorityForThread(Thread.currentThread().getName());
            if (info == null) info = RequestInfo.ofUnknownBody(Math.max(0, bodyLength));
            tokens = ep.profile().estimateTokens(info, cfg.outputDefaultTokens(), counter);
            if (info.parsed()) prompt = Math.max(0, counter.promptTokens(info));
        } catch (Throwable t) {
            Faults.record(ep, "estimation", t);
        }
        if (p == null) p = cfg.priorityDefault();
        if (info == null) info = RequestInfo.ofUnknownBody(Math.max(0, bodyLength)); // settlement needs one
        return new GovernedCall(ep, p, info, Math.max(0, tokens), counter, prompt);
    }

    /** The header that carries a call's priority for this endpoint (lower-case lookups are the client's job). */
    public static String priorityHeader(EndpointRuntime ep) {
        return ep.config().priorityHeader();
    }

    public EndpointRuntime endpoint() {
        return endpoint;
    }

    public Priority priority() {
        return priority;
    }

    public long estimate() {
        return estimate;
    }

    /**
     * With {@code reject=http}: the synthetic answer to give the application instead of {@code refusal} (as thrown
     * by {@link #admit} or failing {@link #admitAsync}'s future, wrapped or not); null when the endpoint rejects with
     * exceptions or {@code refusal} is not a refusal. Not counted as an upstream answer anywhere.
     */
    public SyntheticResponse answerFor(Throwable refusal) {
        try {
            Throwable t = Refusals.unwrap(refusal);
            if (!(t instanceof SluiceRejectedException) || endpoint.config().reject() != EndpointConfig.Reject.HTTP) {
                return null;
            }
            return SyntheticResponse.of((SluiceRejectedException) t, endpoint.config().provider());
        } catch (Throwable t) {
            Faults.record(endpoint, "synthetic answer", t);
            return null;
        }
    }

    /** The provider kind whose error shape synthetic answers take. */
    public ProviderKind provider() {
        return endpoint.config().provider();
    }

    /**
     * What a blocking client throws when the application interrupts a call waiting for admission: an
     * {@link InterruptedIOException} (the type those clients use for an interrupted I/O), with the thread's
     * interrupt status restored.
     */
    public static InterruptedIOException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException io = new InterruptedIOException("interrupted while waiting for admission by Sluice");
        io.initCause(e);
        return io;
    }

    /** Blocking admission. {@code deadlineNanos}: the client's own timeout on System.nanoTime, or 0 for none. */
    public void admit(long deadlineNanos) throws SluiceRejectedException, InterruptedException {
        Gate gate = endpoint.gate();
        try {
            FaultInjection.check(FaultInjection.Step.ADMIT);
            permit = deadlineNanos == 0 ? gate.acquire(priority, estimate) : gate.acquire(priority, estimate, deadlineNanos);
        } catch (Refusal r) {
            done = 1;
            throw Refusals.toException(r);
        } catch (InterruptedException e) {
            done = 1;
            throw e;
        } catch (Throwable t) {
            Faults.record(endpoint, "admission", t); // proceed ungoverned
        }
    }

    /**
     * Admission if there is room now, as {@link #admit} when it need not wait: true when admitted (or when the gate
     * faulted: the call proceeds ungoverned); false when the call would wait, nothing taken (then {@link #admit} or
     * {@link #admitAsync}). Throws the refusal as {@link #admit} does. A client skips registering the call for
     * cancellation while waiting when it is admitted here.
     */
    public boolean tryAdmit(long deadlineNanos) throws SluiceRejectedException {
        try {
            FaultInjection.check(FaultInjection.Step.ADMIT);
            Permit p = endpoint.gate().tryAcquire(priority, estimate, deadlineNanos);
            if (p == null) return false;
            permit = p;
            return true;
        } catch (Refusal r) {
            done = 1;
            throw Refusals.toException(r);
        } catch (Throwable t) {
            Faults.record(endpoint, "admission", t); // proceed ungoverned
            return true;
        }
    }

    /**
     * Asynchronous admission: the future completes (normally) once admitted, holding no thread meanwhile, or
     * fails with the {@link SluiceRejectedException} to hand to the application. A gate fault completes it
     * normally: the call proceeds ungoverned.
     */
    public CompletableFuture<GovernedCall> admitAsync() {
        return admitAsync(0);
    }

    /**
     * As {@link #admitAsync()}, refused with reason {@code timeout} at {@code deadlineNanos}: the client's own
     * timeout on System.nanoTime, or 0 for none.
     */
    public CompletableFuture<GovernedCall> admitAsync(long deadlineNanos) {
        CompletableFuture<GovernedCall> out = new CompletableFuture<>();
        CompletableFuture<Permit> admission;
        try {
            FaultInjection.check(FaultInjection.Step.ADMIT);
            admission = endpoint.gate().acquireAsync(priority, estimate, deadlineNanos);
        } catch (Throwable t) {
            Faults.record(endpoint, "admission", t);
            out.complete(this);
            return out;
        }
        admission.whenComplete((p, err) -> {
            if (err == null) {
                permit = p;
                // Handed back when the caller gave up meanwhile: its future cancelled, or the call already ended
                // (onCancel before the grant found no permit to release; this write or that read sees the other).
                if (!out.complete(this) || done != 0) p.complete(Permit.CANCELLED, Permit.KEEP_RESERVATION);
                return;
            }
            Throwable cause = Refusals.unwrap(err);
            if (cause instanceof Refusal) {
                done = 1;
                out.completeExceptionally(Refusals.toException((Refusal) cause));
            } else if (admission.isCancelled()) {
                done = 1;
                out.cancel(false);
            } else {
                Faults.record(endpoint, "admission", cause);
                out.complete(this);
            }
        });
        // The application gave up on the call: leave the waiting room (a permit won in the race is handed back).
        out.whenComplete((c, err) -> {
            if (out.isCancelled()) admission.cancel(false);
        });
        return out;
    }

    /**
     * The request's body as the client sent it, for a client that cannot read it before admission (Reactor Netty
     * writes it once connected): the reservation stays as admitted, and the call is settled with what the body
     * asks for (its prompt and output bound; OpenAI charges both at arrival) instead of the default estimate.
     * {@code body} may be null (too large to keep): then only its {@code length} is known.
     */
    public void requestSent(byte[] body, long length) {
        if (done != 0) return;
        try {
            RequestInfo info = body != null ? RequestScanner.scan(body, 0, body.length, endpoint.config().estimator())
                    : RequestInfo.ofUnknownBody(Math.max(0, length));
            if (info.parsed()) promptEstimate = Math.max(0, counter.promptTokens(info));
            request = info;
        } catch (Throwable t) {
            Faults.record(endpoint, "request scanning", t);
        }
    }

    /** The response status line and headers have arrived. */
    public void onResponse(int statusCode, HeaderLookup headers, String contentType) {
        try {
            status = statusCode;
            // Not marked answered here: the gate counts calls awaiting their answer only to judge a provider's
            // remaining figure, so an answer carrying one is marked when it is synced below, and any other counts
            // as answered when its permit goes back: one atomic write less per call.
            ProviderProfile profile = endpoint.profile();
            Gate gate = endpoint.gate();
            long now = System.currentTimeMillis();
            if (headers != null) {
                RateLimitInfo limits = profile.rateLimits(headers, now);
                if (limits.any()) {
                    endpoint.providerView(limits, now);
                    Permit p = permit;
                    if (p != null) {
                        gate.syncRemaining(p, limits.requestsRemaining(), limits.requestsResetNanos(),
                                limits.tokensRemaining(), limits.tokensResetNanos());
                    }
                }
            }
            if (statusCode == 429 || profile.isOverloadStatus(statusCode)) {
                long retry = headers == null ? -1 : profile.retryAfterNanos(headers, now);
                long cap = endpoint.config().maxPauseNanos();
                if (statusCode == 429) {
                    gate.recordUpstreamRateLimited();
                    RateLimitKind kind = headers == null ? RateLimitKind.TRANSIENT : profile.classify429(headers, null, now);
                    if (kind == RateLimitKind.QUOTA_EXHAUSTED) {
                        // Not a rate limit that resets soon: refuse fast for the longest pause, and say so loudly.
                        SluiceLog.rateLimited(SluiceLog.Level.ERROR, "quota:" + endpoint.id(), 60_000,
                                "endpoint '" + endpoint.id() + "': the provider says the quota is exhausted (not a"
                                        + " transient rate limit); pausing calls for " + cap / 1_000_000_000L + " s");
                        gate.pauseFor(cap);
                    } else {
                        gate.pauseFor(Math.min(cap, retry > 0 ? retry : DEFAULT_429_PAUSE_NANOS));
                    }
                } else if (retry > 0) {
                    gate.pauseFor(Math.min(cap, retry));
                }
            }
            if (statusCode >= 200 && statusCode < 300) {
                usage = UsageParser.forResponse(endpoint.config().provider(), contentType);
            }
        } catch (Throwable t) {
            Faults.record(endpoint, "response headers", t);
        }
    }

    /** A piece of the response body on its way to the application. Its position and limit are left alone. */
    public void onBody(ByteBuffer chunk) {
        UsageParser u = usage;
        if (u == null) return;
        try {
            FaultInjection.check(FaultInjection.Step.USAGE);
            u.feed(chunk);
        } catch (Throwable t) {
            usageFailed(t);
        }
    }

    /** As {@link #onBody(ByteBuffer)}, for a client that reads into arrays: no buffer to wrap them in. */
    public void onBody(byte[] b, int off, int len) {
        UsageParser u = usage;
        if (u == null) return;
        try {
            FaultInjection.check(FaultInjection.Step.USAGE);
            u.feed(b, off, len);
        } catch (Throwable t) {
            usageFailed(t);
        }
    }

    /** The parser faulted: the rest of the body passes unread, and the call settles on its estimate. */
    private void usageFailed(Throwable t) {
        usage = null;
        Faults.record(endpoint, "usage parsing", t);
    }

    /** The body ended normally: settle the tokens with the usage seen and hand the permit back. */
    public void onComplete() {
        finish(status);
    }

    /** The call failed (IO error, timeout, reset): hand the permit back as a failure. */
    public void onError(Throwable t) {
        finish(Permit.IO_ERROR);
    }

    /** The application closed or abandoned the response: hand the permit back, charging what was seen. */
    public void onCancel() {
        finish(status == Permit.CANCELLED ? Permit.CANCELLED : status);
    }

    private void finish(int finalStatus) {
        if (!DONE.compareAndSet(this, 0, 1)) return;
        Permit p = permit;
        if (p == null) return;
        long charged = Permit.KEEP_RESERVATION;
        long promptActual = -1;
        try {
            UsageParser u = usage;
            if (finalStatus == 429) {
                charged = 0; // the provider refused it: it counted no tokens
            } else if (u != null) {
                u.end();
                charged = endpoint.profile().chargedTokens(p.reservedTokens(), request, u, counter);
                if (u.overloadedInStream()) finalStatus = 529; // an overload after the 200: a failure for the breaker
                long in = u.inputTokens();
                // Anthropic reports cache reads apart from input_tokens, yet they were prompt the estimate counted;
                // Gemini's cached count is already inside its prompt count.
                if (in >= 0) {
                    promptActual = endpoint.config().provider() == ProviderKind.GEMINI ? in
                            : in + Math.max(0, u.cacheReadTokens());
                }
            }
            endpoint.reservations().record(p.reservedTokens(), charged, promptEstimate, promptActual);
        } catch (Throwable t) {
            Faults.record(endpoint, "usage accounting", t);
        }
        try {
            FaultInjection.check(FaultInjection.Step.RELEASE); // left to the gate's lease, as any lost permit
            p.complete(finalStatus, charged);
        } catch (Throwable t) {
            Faults.record(endpoint, "permit release", t);
        }
    }
}
