package dev.sluice.instrument.reactornetty;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReactorNettyInstrumentationTest {
    /** Where the build hides the helper classes (agent/pom.xml); before that step, where javac put them. */
    private static final Path INJECTED = Files.isDirectory(Path.of("target/classes/sluice-helpers"))
            ? Path.of("target/classes/sluice-helpers/dev/sluice/instrument/reactornetty/injected")
            : Path.of("target/classes/dev/sluice/instrument/reactornetty/injected");

    /** A class of the injected package missing from the list would be loaded from the bootstrap path and fail. */
    @Test
    void everyInjectedClassIsListed() throws IOException {
        Set<String> compiled;
        try (Stream<Path> files = Files.list(INJECTED)) {
            compiled = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> "dev.sluice.instrument.reactornetty.injected." + n.substring(0, n.length() - 6))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(compiled, new TreeSet<>(ReactorNettyInstrumentation.HELPERS));
    }
}
