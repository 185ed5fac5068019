package dev.sluice.it.urlconn;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import dev.sluice.it.apps.UrlConnectionLazy;
import dev.sluice.it.apps.UrlConnectionLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HttpURLConnection: rate limit at 3x, breaker refusal, and the lazy / abandoned response bodies. */
class UrlConnectionIT {
    @Test
    void bufferedBodiesAtThreeTimesTheQuotaGetNo429() throws Exception {
        ClientChecks.rateLimited("HttpURLConnection (buffered body)", UrlConnectionLoad.class, "body=buffered");
    }

    @Test
    void streamingBodiesAtThreeTimesTheQuotaGetNo429() throws Exception {
        // fixed-length and chunked streaming modes: admission at getOutputStream instead of getInputStream
        ClientChecks.rateLimited("HttpURLConnection (mixed buffered/fixed/chunked)", UrlConnectionLoad.class,
                "body=mixed");
    }

    @Test
    void breakerOpenIsAnIOExceptionWithSluicesMessage() throws Exception {
        ClientChecks.breakerRefusal("HttpURLConnection", UrlConnectionLoad.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"readLater", "closeUnread", "disconnect", "abandon"})
    void responseBodiesReadLateOrNeverStillHandThePermitBack(String scenario) throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 6000).write();
            int calls = 10;
            ChildJvm.Result r = ChildJvm.of(UrlConnectionLazy.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), "calls=" + calls, "scenario=" + scenario).run(60);
            System.out.println("FIGURES HttpURLConnection " + scenario + ": " + r.result());
            assertEquals(calls, r.num("statusOk"), r.toString());
            if (scenario.equals("readLater")) {
                assertEquals(calls, r.num("inFlightHeld"), "an unread body keeps its permit\n" + r);
                assertTrue(r.num("bodyBytes") > 0, r.toString());
            }
            if (scenario.equals("abandon")) {
                assertEquals(calls, r.num("inFlightHeld"), "an unread body keeps its permit\n" + r);
            }
            assertEquals(0, r.num("inFlight"), "every permit handed back\n" + r);
        }
    }
}
