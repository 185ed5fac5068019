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
    /** Where the build hides the helper classes (agent/pom.xml); before that step, where javac put them. */
    private static final Path INJECTED = Files.isDirectory(Path.of("target/classes/sluice-helpers"))
            ? Path.of("target/classes/sluice-helpers/dev/sluice/instrument/jdkhttp/injected")
            : Path.of("target/classes/dev/sluice/instrument/jdkhttp/injected");

    /**
     * A class of the injected package missing from the list is not defined in the platform loader: the call that
     * needs it fails open with a NoClassDefFoundError (an anonymous ClassValue once did, in every request scan).
     */
    @Test
    void everyInjectedClassIsListed() throws IOException {
        Set<String> compiled;
        try (Stream<Path> files = Files.list(INJECTED)) {
            compiled = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> JdkHttpClientInstrumentation.INJECTED + n.substring(0, n.length() - 6))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(compiled, new TreeSet<>(JdkHttpClientInstrumentation.HELPERS));
    }
}
