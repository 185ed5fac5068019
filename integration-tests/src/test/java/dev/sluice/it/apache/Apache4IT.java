package dev.sluice.it.apache;

import dev.sluice.it.apps.Apache4Load;
import dev.sluice.it.urlconn.ClientChecks;
import org.junit.jupiter.api.Test;

/** Apache HttpClient 4.5 classic: rate limit at 3x and breaker refusal. */
class Apache4IT {
    @Test
    void readAndCloseAtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Apache 4.5 (execute, read, close)", Apache4Load.class);
    }

    @Test
    void responseHandlerAtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Apache 4.5 (response handler)", Apache4Load.class, "style=handler");
    }

    @Test
    void breakerOpenIsAnIOExceptionWithSluicesMessage() throws Exception {
        ClientChecks.breakerRefusal("Apache 4.5", Apache4Load.class);
    }
}
