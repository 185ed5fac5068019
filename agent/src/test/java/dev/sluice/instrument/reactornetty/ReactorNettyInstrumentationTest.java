package dev.sluice.instrument.reactornetty;

import dev.sluice.instrument.InjectedHelpers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReactorNettyInstrumentationTest {
    /** A class of the injected package missing from the list would be loaded from the bootstrap path and fail. */
    @Test
    void everyInjectedClassIsListed() throws IOException {
        assertEquals(InjectedHelpers.compiled("dev.sluice.instrument.reactornetty.injected"),
                new TreeSet<>(ReactorNettyInstrumentation.HELPERS));
    }
}
