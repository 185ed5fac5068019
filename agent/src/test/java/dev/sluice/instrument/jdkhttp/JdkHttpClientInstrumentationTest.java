package dev.sluice.instrument.jdkhttp;

import dev.sluice.instrument.InjectedHelpers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JdkHttpClientInstrumentationTest {
    /**
     * A class of the injected package missing from the list is not defined in the platform loader: the call that
     * needs it fails open with a NoClassDefFoundError (an anonymous ClassValue once did, in every request scan).
     */
    @Test
    void everyInjectedClassIsListed() throws IOException {
        assertEquals(InjectedHelpers.compiled("dev.sluice.instrument.jdkhttp.injected"),
                new TreeSet<>(JdkHttpClientInstrumentation.HELPERS));
    }
}
