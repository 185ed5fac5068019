package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AgentArgsTest {
    @Test
    void nullAndEmptyGiveAnEmptyMap() {
        assertEquals(Map.of(), AgentArgs.parse(null));
        assertEquals(Map.of(), AgentArgs.parse(""));
        assertEquals(Map.of(), AgentArgs.parse("  ,  "));
    }

    @Test
    void configAndFurtherPairs() {
        assertEquals(Map.of("config", "/p/sluice.properties"), AgentArgs.parse("config=/p/sluice.properties"));
        assertEquals(Map.of("config", "/p/s.properties", "sluice.mode", "observe", "sluice.endpoint.a.rpm", "5"),
                AgentArgs.parse(" config = /p/s.properties , sluice.mode=observe,sluice.endpoint.a.rpm=5"));
    }

    @Test
    void aLoneValueIsTheConfigPath() {
        assertEquals(Map.of("config", "/p/sluice.properties"), AgentArgs.parse("/p/sluice.properties"));
        assertEquals(Map.of("config", "C:\\sluice\\sluice.properties", "sluice.jmx", "false"),
                AgentArgs.parse("C:\\sluice\\sluice.properties,sluice.jmx=false"));
    }

    @Test
    void malformedPartsAreKeptForTheLoaderToReport() {
        assertEquals(Map.of("config", "/a", "/b", ""), AgentArgs.parse("config=/a,/b"));
        assertEquals(Map.of("config", "/a", "x", "y=z"), AgentArgs.parse("config=/a,x=y=z"));
    }

    @Test
    void aLoneUnknownAgentArgumentIsReportedByTheLoader() {
        ConfigLoadResult r = ConfigLoader.load(null, AgentArgs.parse("config=/a,sluice.mod=observe"),
                new java.util.Properties(), Map.of());
        assertEquals(1, r.problems().size(), r.problems()::toString);
        String p = r.problems().get(0);
        org.junit.jupiter.api.Assertions.assertTrue(p.contains("did you mean sluice.mode?"), p);
        org.junit.jupiter.api.Assertions.assertTrue(p.contains("agent argument"), p);

        r = ConfigLoader.load(null, AgentArgs.parse("/a,sluice.mode"), new java.util.Properties(), Map.of());
        assertEquals(List.of("agent argument sluice.mode is not key=value; ignored"), r.problems());
    }
}
