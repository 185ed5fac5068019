package dev.sluice.instrument.okhttp;

import dev.sluice.instrument.InjectedHelpers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OkHttpInstrumentationTest {
    /** A class of the injected package missing from the list would be loaded from the bootstrap path and fail. */
    @Test
    void everyInjectedClassIsListed() throws IOException {
        assertEquals(InjectedHelpers.compiled("dev.sluice.instrument.okhttp.injected"),
                new TreeSet<>(OkHttpInstrumentation.HELPERS));
    }

    /** A superclass is defined before its subclasses, else the loader would look for it on the bootstrap path. */
    @Test
    void superclassesComeFirst() {
        List<String> h = OkHttpInstrumentation.HELPERS;
        String waiter = "dev.sluice.instrument.okhttp.injected.Waiter";
        assertTrue(h.indexOf(waiter) < h.indexOf("dev.sluice.instrument.okhttp.injected.SyncWaiter"));
        assertTrue(h.indexOf(waiter) < h.indexOf("dev.sluice.instrument.okhttp.injected.AsyncWaiter"));
    }
}
