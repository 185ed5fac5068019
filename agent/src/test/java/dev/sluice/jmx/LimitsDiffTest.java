package dev.sluice.jmx;

import dev.sluice.core.GateLimits;
import dev.sluice.core.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LimitsDiffTest {
    @Test
    void listsEveryWritableLimitThatDiffersInConfigNames() {
        GateLimits file = GateLimits.builder().rpm(6000).tpm(100_000).maxConcurrent(8).build();
        assertEquals(List.of(), LimitsDiff.diff(file, file.toBuilder().build()));
        GateLimits live = file.toBuilder().rpm(1800).burst(2.0).maxConcurrent(4).queueCapacity(50)
                .maxWaitNanos(5_000_000_000L).shedLow(0.5).mode(Mode.OBSERVE).build();
        assertEquals(List.of("rpm=1800 (file: 6000)", "burst=2.0 (file: 1.0)", "max-concurrent=4 (file: 8)",
                        "queue.capacity=50 (file: 100)", "queue.max-wait=5000ms (file: 30000ms)",
                        "shed.threshold=0.5 (file: 0.9)", "mode=observe (file: enforce)"),
                LimitsDiff.diff(file, live));
        assertEquals(List.of("rpm=1800 (was: 6000)"), LimitsDiff.diff(file, file.toBuilder().rpm(1800).build(), "was"));
    }
}
