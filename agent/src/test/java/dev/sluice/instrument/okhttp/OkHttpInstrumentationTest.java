package dev.sluice.instrument.okhttp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OkHttpInstrumentationTest {
    /** Where the build hides the helper classes (agent/pom.xml); before that step, where javac put them. */
    private static final Path INJECTED = Files.isDirectory(Path.of("target/classes/sluice-helpers"))
            ? Path.of("target/classes/sluice-helpers/dev/sluice/instrument/okhttp/injected")
            : Path.of("target/classes/dev/sluice/instrument/okhttp/injected");

    /** A class of the injected package missing from the list would be loaded from the bootstrap path and fail. */
    @Test
    void everyInjectedClassIsListed() throws IOException {
        Set<String> compiled;
        try (Stream<Path> files = Files.list(INJECTED)) {
            compiled = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> "dev.sluice.instrument.okhttp.injected." + n.substring(0, n.length() - 6))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(compiled, new TreeSet<>(OkHttpInstrumentation.HELPERS));
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
