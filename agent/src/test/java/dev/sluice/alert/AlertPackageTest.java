package dev.sluice.alert;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Alert evaluation stays plain Java over the core's figures: no JMX, no client, no agent types. */
class AlertPackageTest {
    @Test
    void importsOnlyTheJdkCoreLogAndConfig() throws IOException {
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/sluice/alert"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.trim();
                    if (!t.startsWith("import ")) continue;
                    String name = t.substring(7).replace("static ", "").trim();
                    if (!(name.startsWith("java.") || name.startsWith("dev.sluice.core.")
                            || name.startsWith("dev.sluice.log.") || name.startsWith("dev.sluice.config.")
                            || name.startsWith("dev.sluice.alert."))) {
                        bad.add(f.getFileName() + ": " + t);
                    }
                }
            }
        }
        assertEquals(List.of(), bad);
    }
}
