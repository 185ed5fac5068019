package dev.sluice.bench;

import com.google.common.util.concurrent.RateLimiter;
import dev.sluice.core.CircuitBreaker;
import dev.sluice.core.Gate;
import dev.sluice.core.GateLimits;
import dev.sluice.core.NanoClock;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import dev.sluice.core.TokenBucket;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.github.resilience4j.ratelimiter.internal.SemaphoreBasedRateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Admission when there is room: Sluice's gate and its parts next to the limiters a user would otherwise pick.
 * Every limiter is set far above the rate a benchmark thread can reach, so each call is admitted; one instance
 * is shared by all benchmark threads ({@code -t 2}: two threads on one endpoint, as in an application).
 *
 * <p>Sluice's gate is built as an endpoint with every step switched on: breaker, shed check, waiting room, a
 * concurrency cap, an RPM and a TPM bucket (10^11 per minute, {@link TokenBucket#MAX_RATE}, with a 1000-minute
 * burst: ~10^14 in the bucket, which a benchmark cannot drain). Each operation is one whole call's admission and
 * release: {@code acquire} then {@code complete} with a status and the charged tokens, as the client
 * instrumentation does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AdmissionBench {
    /** A typical chat call's estimate: prompt plus the output bound. */
    static final long TOKENS = 500;
    static final long HUGE_RATE = TokenBucket.MAX_RATE;

    Gate gate;
    Gate gateBare;
    TokenBucket bucket;
    CircuitBreaker breaker;

    AtomicRateLimiter r4jAtomic;
    SemaphoreBasedRateLimiter r4jSemaphore;
    io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker;
    Bulkhead r4jBulkhead;
    Bucket bucket4j;
    RateLimiter guava;
    /** The same protections as the full gate, built from Resilience4j's own decorators (see {@link #r4jEquivalent}). */
    Supplier<Boolean> r4jEquivalent;

    @Setup(Level.Trial)
    public void setUp() {
        GateLimits full = GateLimits.builder()
                .rpm(HUGE_RATE).tpm(HUGE_RATE).burst(1000)
                .maxConcurrent(1_000_000)
                .build();
        gate = new Gate("bench", full);
        // No limit at all: breaker, shed check, waiting-room check and the permit; no bucket, no slot.
        gateBare = new Gate("bare", GateLimits.defaults());
        bucket = new TokenBucket(HUGE_RATE, TokenBucket.MAX_CAPACITY);
        breaker = new CircuitBreaker(GateLimits.defaults(), NanoClock.SYSTEM);

        RateLimiterConfig rl = RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build();
        r4jAtomic = new AtomicRateLimiter("atomic", rl);
        r4jSemaphore = new SemaphoreBasedRateLimiter("semaphore", rl);
        r4jBreaker = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("cb", CircuitBreakerConfig.ofDefaults());
        r4jBulkhead = Bulkhead.of("bh", BulkheadConfig.custom()
                .maxConcurrentCalls(1_000_000).maxWaitDuration(Duration.ZERO).build());
        bucket4j = Bucket.builder()
                // Bucket4j refills at most one token per nanosecond; a 10^15 capacity is never drained in a run.
                .addLimit(limit -> limit.capacity(1_000_000_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
                .build();
        guava = RateLimiter.create(1e12);

        // Their own instances, so the other benchmarks' figures are untouched. The TPM limiter takes a call's estimate
        // of 500 per call: Integer.MAX_VALUE per 10 ms (~2 * 10^11 a second) is never drained by a benchmark thread.
        RateLimiterConfig tpm = RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE)
                .limitRefreshPeriod(Duration.ofMillis(10))
                .timeoutDuration(Duration.ZERO)
                .build();
        Supplier<Boolean> call = () -> Boolean.TRUE;
        Supplier<Boolean> tokens = io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(
                new AtomicRateLimiter("tpm", tpm), (int) TOKENS, call);
        Supplier<Boolean> requests = io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(
                new AtomicRateLimiter("rpm", rl), tokens);
        Supplier<Boolean> slot = Bulkhead.decorateSupplier(Bulkhead.of("bh-eq", BulkheadConfig.custom()
                .maxConcurrentCalls(1_000_000).maxWaitDuration(Duration.ZERO).build()), requests);
        r4jEquivalent = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                io.github.resilience4j.circuitbreaker.CircuitBreaker.of("cb-eq", CircuitBreakerConfig.ofDefaults()), slot);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        r4jSemaphore.shutdown();
    }

    // ------------------------------------------------------------------------------------------------ Sluice

    /** The whole gate: breaker, shed, room, slot, RPM, TPM; then the release with the outcome. */
    @Benchmark
    public boolean sluiceGate() throws InterruptedException {
        Permit p = gate.acquire(Priority.NORMAL, TOKENS);
        return p.complete(200, TOKENS - 100);
    }

    /** Each benchmark thread's own permit, handed back to the gate to be re-armed. */
    @State(Scope.Thread)
    public static class OwnPermit {
        Permit permit;
    }

    /**
     * The whole gate as {@link #sluiceGate}, the caller handing its previous permit back to be re-armed
     * ({@code Gate.acquire(priority, tokens, deadline, reuse)}): what a caller admitting call after call can do, and
     * nothing is allocated. Each call through the agent holds its own permit, as {@link #sluiceGate} does.
     */
    @Benchmark
    public boolean sluiceGateReused(OwnPermit own) throws InterruptedException {
        Permit p = gate.acquire(Priority.NORMAL, TOKENS, 0, own.permit);
        own.permit = p;
        return p.complete(200, TOKENS - 100);
    }

    /** The asynchronous admission (a completed future when there is room), then the release. */
    @Benchmark
    public boolean sluiceGateAsync() {
        CompletableFuture<Permit> f = gate.acquireAsync(Priority.NORMAL, TOKENS);
        return f.join().complete(200, TOKENS - 100);
    }

    /** The gate with no limit configured: breaker, shed check, waiting-room check, the permit and its release. */
    @Benchmark
    public boolean sluiceGateNoLimits() throws InterruptedException {
        Permit p = gateBare.acquire(Priority.NORMAL, TOKENS);
        return p.complete(200, Permit.KEEP_RESERVATION);
    }

    @Benchmark
    public boolean sluiceTokenBucket() {
        return bucket.tryConsume(1);
    }

    /** The breaker's permission (a CLOSED breaker's ticket) and the result fed back. */
    @Benchmark
    public boolean sluiceBreaker() {
        Object ticket = breaker.tryAcquire(System.nanoTime());
        breaker.onResult(ticket, 200);
        return ticket != null;
    }

    /** The floor under every limiter here: one read of the clock ({@code System.nanoTime}). */
    @Benchmark
    public long clockRead() {
        return System.nanoTime();
    }

    // ------------------------------------------------------------------------------------------------ others

    @Benchmark
    public boolean r4jAtomicRateLimiter() {
        return r4jAtomic.acquirePermission();
    }

    @Benchmark
    public boolean r4jSemaphoreRateLimiter() {
        return r4jSemaphore.acquirePermission();
    }

    /** Permission and the result (a success of 0 ns), as a decorated call does. */
    @Benchmark
    public boolean r4jCircuitBreaker() {
        boolean ok = r4jBreaker.tryAcquirePermission();
        if (ok) r4jBreaker.onSuccess(0, TimeUnit.NANOSECONDS);
        return ok;
    }

    @Benchmark
    public boolean r4jBulkhead() {
        boolean ok = r4jBulkhead.tryAcquirePermission();
        if (ok) r4jBulkhead.onComplete();
        return ok;
    }

    /**
     * What a user would assemble from Resilience4j for a subset of the gate (no TPM, no waiting room, no shedding):
     * breaker, bulkhead and rate limiter, each asked and released as its decorator does.
     */
    @Benchmark
    public boolean r4jStack() {
        if (!r4jBreaker.tryAcquirePermission()) return false;
        if (!r4jBulkhead.tryAcquirePermission()) {
            r4jBreaker.releasePermission();
            return false;
        }
        if (!r4jAtomic.acquirePermission()) {
            r4jBulkhead.onComplete();
            r4jBreaker.releasePermission();
            return false;
        }
        r4jBulkhead.onComplete();
        r4jBreaker.onSuccess(0, TimeUnit.NANOSECONDS);
        return true;
    }

    /**
     * The gate's protections as a user would assemble them from Resilience4j, each through its own decorator:
     * circuit breaker (which times the call: two clock reads), bulkhead, an RPM rate limiter and a TPM rate limiter
     * taking the call's 500-token estimate. Still less than the gate: no waiting room, no shedding, no correction of
     * the estimate by the usage, no reclaim of a lost call's slot. A refusal throws, so a figure here is admissions.
     */
    @Benchmark
    public boolean r4jEquivalent() {
        return r4jEquivalent.get();
    }

    @Benchmark
    public boolean bucket4jTryConsume() {
        return bucket4j.tryConsume(1);
    }

    @Benchmark
    public boolean guavaTryAcquire() {
        return guava.tryAcquire();
    }
}
