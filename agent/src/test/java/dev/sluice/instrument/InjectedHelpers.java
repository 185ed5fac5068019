package dev.sluice.instrument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** For the client units' tests: the helper classes the build compiled into one injected package. */
public final class InjectedHelpers {
    private InjectedHelpers() {
    }

    /**
     * Every class compiled into {@code pkg} (e.g. {@code dev.sluice.instrument.okhttp.injected}), by binary name:
     * from where the build hides the helper classes (agent/pom.xml), or before that step, where javac put them.
     * A unit's helper list must name them all, or the one left out is not defined next to the others and the call
     * that needs it fails open.
     */
    public static Set<String> compiled(String pkg) throws IOException {
        String dir = pkg.replace('.', '/');
        Path hidden = Path.of("target/classes/sluice-helpers");
        Path classes = Files.isDirectory(hidden) ? hidden.resolve(dir) : Path.of("target/classes").resolve(dir);
        try (Stream<Path> files = Files.list(classes)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> pkg + "." + n.substring(0, n.length() - 6))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
