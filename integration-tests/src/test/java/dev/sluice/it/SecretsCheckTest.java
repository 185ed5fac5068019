package dev.sluice.it;

import dev.sluice.it.apps.SluiceProbe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The check itself: it finds each secret wherever it is printed, and passes clean output. */
class SecretsCheckTest {
    @Test
    void findsEverySecretAndPassesCleanOutput() {
        for (String secret : SecretsCheck.secrets()) {
            ChildJvm.Result leaked = new ChildJvm.Result(0, "RESULT ok=1\nJMX dev.sluice:type=Agent X=" + secret + "\n",
                    "12:00:00.000 [sluice] WARN fine\n");
            assertEquals(1, SecretsCheck.leaks(leaked).size(), secret);
            assertThrows(AssertionError.class, () -> SecretsCheck.assertClean(leaked));
            ChildJvm.Result inLog = new ChildJvm.Result(0, "", "[sluice] WARN header was Bearer " + secret);
            assertEquals(1, SecretsCheck.leaks(inLog).size(), secret);
        }
        ChildJvm.Result clean = new ChildJvm.Result(0, "RESULT ok=1\nJMX a=b\n", "[sluice] INFO active");
        SecretsCheck.assertClean(clean);
        assertEquals(SluiceProbe.PROMPT_MARKER.length() + 3, SluiceProbe.prompt(SluiceProbe.PROMPT_MARKER.length() + 3).length());
        assertEquals("xx", SluiceProbe.prompt(2));
    }
}
