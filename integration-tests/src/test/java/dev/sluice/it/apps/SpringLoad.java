package dev.sluice.it.apps;

import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * An ordinary Spring application: {@code client=restTemplate} is {@code new RestTemplate()} (Spring's default
 * request factory, SimpleClientHttpRequestFactory, i.e. HttpURLConnection); {@code client=restClientApache} is
 * a RestClient on HttpComponentsClientHttpRequestFactory (Apache HttpClient 5 classic), what
 * {@code RestClient.create()} picks when Apache 5 is on the class path. Error statuses are returned, not thrown,
 * so the app can count them. Arguments and RESULT line as in {@link LoadDriver}.
 */
public final class SpringLoad {
    public static void main(String[] argv) throws Exception {
        LoadDriver d = new LoadDriver(argv);
        String url = d.url();
        String client = d.args.getOrDefault("client", "restTemplate");
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        for (String[] h : SluiceProbe.credentialHeaders()) headers.set(h[0], h[1]);
        if (client.equals("restTemplate")) {
            RestTemplate rt = new RestTemplate(new SimpleClientHttpRequestFactory());
            rt.setErrorHandler(new ResponseErrorHandler() {
                @Override
                public boolean hasError(org.springframework.http.client.ClientHttpResponse response) {
                    return false;
                }
            });
            d.run(i -> rt.postForEntity(url, new HttpEntity<>(d.body, headers), String.class).getStatusCode().value(),
                    null);
            return;
        }
        RestClient rc = RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory())
                .defaultStatusHandler(s -> true, (req, res) -> { }).build();
        d.run(i -> rc.post().uri(url).headers(h -> h.addAll(headers)).body(d.body).retrieve()
                .toEntity(String.class).getStatusCode().value(), null);
    }
}
