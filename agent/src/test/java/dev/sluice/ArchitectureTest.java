package dev.sluice;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core gate stays plain Java, so it can be tested and benchmarked alone. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/dev/sluice");

    @Test
    void coreImportsNothingButTheJdkAndItself() throws IOException {
        List<String> offending = importsOutside(MAIN.resolve("core"), "java.", "dev.sluice.core.", "dev.sluice.log.");
        assertEquals(List.of(), offending, "the core must not know HTTP clients, the agent, JMX or config");
    }

    /** The tokenizer library (shaded in the jar) is a plain library, not a client: allowed in provider only. */
    @Test
    void providerAndConfigKnowNoClientOrAgentTypes() throws IOException {
        List<String> offending = new ArrayList<>();
        for (String pkg : List.of("provider", "config")) {
            offending.addAll(importsOutside(MAIN.resolve(pkg), "java.", "dev.sluice.core.", "dev.sluice.log.",
                    "dev.sluice.provider.", "dev.sluice.config.", "com.knuddels.jtokkit."));
        }
        assertEquals(List.of(), offending);
    }

    private static List<String> importsOutside(Path dir, String... allowed) throws IOException {
        assertTrue(Files.isDirectory(dir), dir + " exists");
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.trim();
                    if (!t.startsWith("import ")) continue;
                    String name = t.substring(7).replace("static ", "").trim();
                    boolean ok = false;
                    for (String a : allowed) ok |= name.startsWith(a);
                    if (!ok) bad.add(f.getFileName() + ": " + t);
                }
            }
        }
        return bad;
    }
}
