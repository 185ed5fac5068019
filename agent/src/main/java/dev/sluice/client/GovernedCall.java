package dev.sluice.client;

import dev.sluice.SluiceRejectedException;
import dev.sluice.config.EndpointConfig;
import dev.sluice.core.Gate;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import dev.sluice.core.Refusal;
import dev.sluice.provider.HeaderLookup;
import dev.sluice.provider.ProviderProfile;
import dev.sluice.provider.RateLimitInfo;
import dev.sluice.provider.RateLimitKind;
import dev.sluice.log.SluiceLog;
import dev.sluice.provider.RequestInfo;
import dev.sluice.provider.UsageParser;

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
    private final RequestInfo request;
    private final long estimate;
    private volatile Permit permit;
    private volatile int done;
    private int status = Permit.CANCELLED;
    private UsageParser usage;

    private GovernedCall(EndpointRuntime endpoint, Priority priority, RequestInfo request, long estimate) {
        this.endpoint = endpoint;
        this.priority = priority;
        this.request = request;
        this.estimate = estimate;
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
        try {
            p = Priority.parse(priorityHeaderValue);
            if (p == null) p = cfg.priorityForThread(Thread.currentThread().getName());
            if (info == null) info = RequestInfo.ofUnknownBody(Math.max(0, bodyLength));
            tokens = ep.profile().estimateTokens(info, cfg.outputDefaultTokens());
        } catch (Throwable t) {
            Faults.record(ep, "estimation", t);
        }
        if (p == null) p = cfg.priorityDefault();
        return new GovernedCall(ep, p, info, Math.max(0, tokens));
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

    /** Blocking admission. {@code deadlineNanos}: the client's own timeout on System.nanoTime, or 0 for none. */
    public void admit(long deadlineNanos) throws SluiceRejectedException, InterruptedException {
        Gate gate = endpoint.gate();
        try {
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
            admission = endpoint.gate().acquireAsync(priority, estimate, deadlineNanos);
        } catch (Throwable t) {
            Faults.record(endpoint, "admission", t);
            out.complete(this);
            return out;
        }
        admission.whenComplete((p, err) -> {
            if (err == null) {
                permit = p;
                if (!out.complete(this)) p.complete(Permit.CANCELLED, Permit.KEEP_RESERVATION); // cancelled meanwhile
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

    /** The response status line and headers have arrived. */
    public void onResponse(int statusCode, HeaderLookup headers, String contentType) {
        try {
            status = statusCode;
            ProviderProfile profile = endpoint.profile();
            Gate gate = endpoint.gate();
            long now = System.currentTimeMillis();
            if (headers != null) {
                RateLimitInfo limits = profile.rateLimits(headers, now);
                if (limits.any()) {
                    endpoint.providerView(limits);
                    Permit p = permit;
                    if (p != null) gate.syncRemaining(p, limits.requestsRemaining(), limits.tokensRemaining());
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
            u.feed(chunk);
        } catch (Throwable t) {
            usage = null;
            Faults.record(endpoint, "usage parsing", t);
        }
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
        try {
            UsageParser u = usage;
            if (finalStatus == 429) {
                charged = 0; // the provider refused it: it counted no tokens
            } else if (u != null) {
                u.end();
                charged = endpoint.profile().chargedTokens(p.reservedTokens(), request, u);
                if (u.overloadedInStream()) finalStatus = 529; // an overload after the 200: a failure for the breaker
            }
        } catch (Throwable t) {
            Faults.record(endpoint, "usage accounting", t);
        }
        try {
            p.complete(finalStatus, charged);
        } catch (Throwable t) {
            Faults.record(endpoint, "permit release", t);
        }
    }
}
