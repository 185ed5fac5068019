package dev.sluice.it.apache;

import dev.sluice.it.apps.Apache5Load;
import dev.sluice.it.urlconn.ClientChecks;
import org.junit.jupiter.api.Test;

/** Apache HttpClient 5: classic and async, rate limit at 3x and breaker refusal. */
class Apache5IT {
    @Test
    void classicAtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Apache 5 classic (response handler)", Apache5Load.class, "mode=sync");
    }

    @Test
    void classicReadAndCloseStyleAtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Apache 5 classic (execute, read, close)", Apache5Load.class, "mode=sync",
                "style=response");
    }

    @Test
    void asyncAtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Apache 5 async", Apache5Load.class, "mode=async");
    }

    @Test
    void classicBreakerOpenIsAnIOExceptionWithSluicesMessage() throws Exception {
        ClientChecks.breakerRefusal("Apache 5 classic", Apache5Load.class, "mode=sync");
    }

    @Test
    void asyncBreakerOpenReachesTheFailureCallback() throws Exception {
        ClientChecks.breakerRefusal("Apache 5 async", Apache5Load.class, "mode=async");
    }
}
