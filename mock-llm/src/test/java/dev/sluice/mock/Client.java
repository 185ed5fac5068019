package dev.sluice.mock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The JDK HttpClient, as a test uses it against the mock. */
final class Client {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Client() {
    }

    static HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        return HTTP.send(request(url, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest request(String url, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.build();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String s) {
        return (Map<String, Object>) Json.parse(s);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }

    static List<?> list(Object o) {
        return (List<?>) o;
    }

    /** Dotted path into parsed JSON: "choices.0.message.content". */
    static Object at(Object root, String path) {
        Object cur = root;
        for (String p : path.split("\\.")) {
            if (cur instanceof Map) cur = ((Map<?, ?>) cur).get(p);
            else if (cur instanceof List) cur = ((List<?>) cur).get(Integer.parseInt(p));
            else throw new AssertionError("no " + p + " in " + cur);
        }
        return cur;
    }

    /** One server-sent event: its {@code event:} name (or null) and its data, with the time it arrived. */
    static final class Event {
        final String name;
        final String data;
        final long nanos;

        Event(String name, String data, long nanos) {
            this.name = name;
            this.data = data;
            this.nanos = nanos;
        }

        Map<String, Object> json() {
            return Client.json(data);
        }

        @Override
        public String toString() {
            return (name == null ? "" : "event: " + name + "\n") + "data: " + data;
        }
    }

    /** The stream's status and events, read as they arrive. */
    static final class Stream {
        final HttpResponse<InputStream> response;
        final List<Event> events = new ArrayList<>();
        final long startNanos;
        /** The body of a non-200 answer. */
        String errorBody;

        Stream(HttpResponse<InputStream> response, long startNanos) {
            this.response = response;
            this.startNanos = startNanos;
        }

        List<String> names() {
            List<String> n = new ArrayList<>();
            for (Event e : events) n.add(e.name);
            return n;
        }
    }

    static Stream stream(String url, String body) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = HTTP.send(request(url, body), HttpResponse.BodyHandlers.ofInputStream());
        Stream s = new Stream(r, t0);
        if (r.statusCode() != 200) {
            try (InputStream in = r.body()) {
                s.errorBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return s;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String name = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) s.events.add(new Event(name, data.toString(), System.nanoTime()));
                    name = null;
                    data = null;
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    if (data == null) data = new StringBuilder();
                    else data.append('\n');
                    data.append(line.substring(6));
                } else {
                    throw new IOException("not SSE: " + line);
                }
            }
        }
        return s;
    }
}
