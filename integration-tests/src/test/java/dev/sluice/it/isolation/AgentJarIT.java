package dev.sluice.it.isolation;

import dev.sluice.it.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The agent jar is appended to the bootstrap class path, which every class loader asks first: a class in it under a
 * name an application also uses would replace the application's own. So every class in it is Sluice's (dependencies
 * relocated under dev.sluice.shaded) or a helper hidden under sluice-helpers/, and it holds no service registrations
 * a ServiceLoader of the application could find.
 */
class AgentJarIT {
    @Test
    void holdsNothingUnderAnApplicationsNames() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            List<String> foreign = jar.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class"))
                    .filter(n -> !n.startsWith("dev/sluice/") && !n.startsWith("sluice-helpers/dev/sluice/"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), foreign, "classes outside dev.sluice on the bootstrap path");
            List<String> services = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), services, "service registrations visible to every class loader");
            Attributes main = jar.getManifest().getMainAttributes();
            assertNull(main.getValue("Multi-Release"), "a multi-release jar would load classes by other rules");
            assertNull(main.getValue("Boot-Class-Path"), "the agent appends itself; nothing else joins the boot path");
        }
    }
}
