package dev.sluice.it.apache;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.apps.SpringLoad;
import dev.sluice.it.urlconn.ClientChecks;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring's blocking clients ride on the units above, with no Spring-specific instrumentation: RestTemplate's
 * default factory on HttpURLConnection, RestClient on Apache HttpClient 5 classic. A refusal reaches the app
 * as Spring's ResourceAccessException wrapping Sluice's IOException, as any I/O failure does.
 */
class SpringClientsIT {
    @Test
    void restTemplateOnHttpUrlConnectionAtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Spring RestTemplate (HttpURLConnection)", SpringLoad.class, "client=restTemplate");
    }

    @Test
    void restClientOnApache5AtThreeTimesTheQuotaGetsNo429() throws Exception {
        ClientChecks.rateLimited("Spring RestClient (Apache 5)", SpringLoad.class, "client=restClientApache");
    }

    @Test
    void restTemplateRefusalIsResourceAccessExceptionCausedBySluice() throws Exception {
        ChildJvm.Result r = ClientChecks.breakerRefusal("Spring RestTemplate", SpringLoad.class, "client=restTemplate");
        assertTrue(r.stdout.contains("outer=org.springframework.web.client.ResourceAccessException"), r.stdout);
    }
}
