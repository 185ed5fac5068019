package dev.sluice.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;

/**
 * An application that handles HTTP errors itself (it knows nothing of Sluice): makes {@code calls} calls one right
 * after the other, alternately with {@code send(ofString)} and {@code sendAsync(ofLines)}, and prints each answer's
 * status, the headers a retrying client reads, and the body. {@code openBreaker=true}: first opens the endpoint's
 * breaker through Sluice's MBean (as an operator would in JConsole).
 */
public final class JdkRejectHttp {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String api = args[1];
        int calls = Integer.parseInt(args[2]);
        boolean openBreaker = args.length > 3 && Boolean.parseBoolean(args[3]);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName mbean = new ObjectName("dev.sluice:type=Endpoint,name=mock");
        if (openBreaker) server.invoke(mbean, "openBreaker", new Object[0], new String[0]);
        HttpClient client = HttpClient.newHttpClient();
        String body = JdkStreamLoad.body(api, "gpt-4o-mini", false, false, 40, 10);
        for (int i = 0; i < calls; i++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            int status;
            String text;
            java.net.http.HttpHeaders h;
            if (i % 2 == 0) {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                text = r.body();
                h = r.headers();
            } else {
                HttpResponse<java.util.stream.Stream<String>> r = client.sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get();
                status = r.statusCode();
                text = r.body().collect(Collectors.joining("\n"));
                h = r.headers();
            }
            System.out.println("CALL i=" + i + " status=" + status
                    + " retry-after=" + h.firstValue("retry-after").orElse("-")
                    + " retry-after-ms=" + h.firstValue("retry-after-ms").orElse("-")
                    + " x-should-retry=" + h.firstValue("x-should-retry").orElse("-")
                    + " x-sluice-reason=" + h.firstValue("x-sluice-reason").orElse("-")
                    + " content-type=" + h.firstValue("content-type").orElse("-"));
            System.out.println("BODY i=" + i + " " + text.replace('\n', ' '));
        }
        System.out.println("RESULT upstream429=" + server.getAttribute(mbean, "Upstream429")
                + " rejected=" + server.getAttribute(mbean, "Rejected"));
        System.exit(0);
    }
}
