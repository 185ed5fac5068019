package dev.sluice.agent;

import dev.sluice.instrument.ClientInstrumentation;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstrumentationUnitsTest {
    /**
     * The agent shows Byte Buddy only the classes the units list (TypeNameFilter): a unit listing nothing, or a
     * name spelled with slashes, would never be shown its class. That each listed name is the one its matchers use
     * is what every client's integration test shows (a call not governed fails it).
     */
    @Test
    void everyUnitListsTheClassesItMatchesByBinaryName() {
        Set<String> units = new HashSet<>();
        for (ClientInstrumentation unit : SluiceAgent.allInstrumentations()) {
            assertTrue(units.add(unit.name()), "two units named " + unit.name());
            assertFalse(unit.typeNames().isEmpty(), unit.name() + " lists no class");
            for (String n : unit.typeNames()) {
                assertTrue(n.matches("[a-z][a-z0-9_]*(\\.[A-Za-z0-9_$]+)+\\.?"), unit.name() + ": " + n);
            }
        }
    }
}
