package dev.sluice.instrument.jdkhttp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JdkHttpClientInstrumentationTest {
    /**
     * Every class of the unit but the instrumentation (bootstrap) and its advice (inlined) is defined in the
     * platform loader; one missing from the list would be looked up on the bootstrap path and fail to link.
     */
    @Test
    void everyPlatformLoaderClassIsListed() throws IOException {
        Set<String> compiled;
        try (Stream<Path> files = Files.list(Path.of("target/classes/dev/sluice/instrument/jdkhttp"))) {
            compiled = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.startsWith("JdkHttpClientInstrumentation"))
                    .map(n -> "dev.sluice.instrument.jdkhttp." + n.substring(0, n.length() - 6))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(compiled, new TreeSet<>(JdkHttpClientInstrumentation.HELPERS));
    }
}
