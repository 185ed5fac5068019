package dev.sluice.it.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.TreeMap;

/** Makes three calls (send, sendAsync, a streaming one) and prints everything it received, in order. */
public final class Exchange {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        String streamBody = "{\"model\":\"m\",\"max_tokens\":5,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        HttpRequest plain = HttpRequest.newBuilder(URI.create(args[0])).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpRequest stream = HttpRequest.newBuilder(URI.create(args[0])).POST(HttpRequest.BodyPublishers.ofString(streamBody)).build();
        print("send", client.send(plain, HttpResponse.BodyHandlers.ofString()));
        print("sendAsync", client.sendAsync(plain, HttpResponse.BodyHandlers.ofString()).join());
        HttpResponse<java.util.stream.Stream<String>> lines = client.send(stream, HttpResponse.BodyHandlers.ofLines());
        System.out.println("== stream " + lines.statusCode());
        lines.body().forEach(l -> System.out.println("line " + l.replaceAll("\"(id|created)\":[^,]*,", "")));
        System.exit(0);
    }

    static void print(String what, HttpResponse<String> r) {
        System.out.println("== " + what + " " + r.statusCode());
        new TreeMap<>(r.headers().map()).forEach((k, v) -> {
            if (!k.startsWith("x-ratelimit")) System.out.println("header " + k + ": " + v);
        });
        System.out.println("body " + r.body().replaceAll("\"(id|created)\":[^,]*,", ""));
    }
}
