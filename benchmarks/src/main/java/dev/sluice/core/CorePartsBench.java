package dev.sluice.core;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The gate's package-private parts (hence this package): the waiting room's fast-path test, which is what a call
 * pays for the room when nobody waits. Kept apart from {@code dev.sluice.bench.AdmissionBench} only for access.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CorePartsBench {
    final WaitingRoom room = new WaitingRoom();

    /** The gate's test before its fast path: nobody waiting, and (for LOW) not congested. */
    @Benchmark
    public boolean sluiceWaitingRoomFastPath() {
        return room.isEmpty() && !room.congested();
    }
}
