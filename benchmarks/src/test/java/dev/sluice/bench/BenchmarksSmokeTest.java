package dev.sluice.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's check of the benchmarks: every JMH benchmark runs once, briefly, in this JVM (no fork, no warm-up,
 * one 50 ms iteration), so a benchmark whose setup throws or whose limiter refuses is caught here. Figures from
 * this run mean nothing; the real runs are by the commands in BENCHMARKS.md.
 */
class BenchmarksSmokeTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        Options opts = new OptionsBuilder()
                .include("dev\\.sluice\\..*Bench.*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        Set<String> ran = new TreeSet<>();
        int lookups = 0;
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            ran.add(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
            if (name.contains("LookupBench")) lookups++;
            double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && !Double.isNaN(score), name + " scored " + score);
        }
        assertTrue(ran.containsAll(Set.of("AdmissionBench.sluiceGate", "AdmissionBench.r4jAtomicRateLimiter",
                "AdmissionBench.r4jEquivalent",
                "AdmissionBench.bucket4jTryConsume", "AdmissionBench.guavaTryAcquire", "LookupBench.unmatched",
                "LookupBench.matched", "ParserBench.usageSse", "CorePartsBench.sluiceWaitingRoomFastPath",
                "CallBench.jsonCall", "CallBench.streamedCall")), ran.toString());
        assertEquals(2 * 3 * 3, lookups, "lookup x endpoints x layout");
    }
}
