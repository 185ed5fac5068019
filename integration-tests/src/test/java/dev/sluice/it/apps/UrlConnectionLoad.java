package dev.sluice.it.apps;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary application calling a chat endpoint through {@link HttpURLConnection}, the way most old code
 * does: POST a JSON body, {@code getResponseCode()}, then read {@code getInputStream()} (or
 * {@code getErrorStream()} for an error status). {@code body=} chooses how the body is written: {@code buffered}
 * (the JDK buffers it, the default), {@code fixed} (fixed-length streaming), {@code chunked}, or {@code mixed}
 * (each in turn). Arguments and RESULT line as in {@link LoadDriver}.
 */
public final class UrlConnectionLoad {
    public static void main(String[] argv) throws Exception {
        // Keep-alive cache for the calls in flight at once (the JDK keeps 5 by default): without it most calls open a
        // new connection, and the time they take bunches requests up on their way to the upstream.
        System.setProperty("http.maxConnections", "200");
        LoadDriver d = new LoadDriver(argv);
        URL url = new URL(d.url());
        byte[] body = d.body.getBytes(StandardCharsets.UTF_8);
        String how = d.args.getOrDefault("body", "buffered");
        String[] cycle = how.equals("mixed") ? new String[]{"buffered", "fixed", "chunked"} : new String[]{how};
        d.run(i -> {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setConnectTimeout(10_000);
            c.setRequestProperty("content-type", "application/json");
            for (String[] h : SluiceProbe.credentialHeaders()) c.setRequestProperty(h[0], h[1]);
            String mode = cycle[Math.floorMod(i, cycle.length)];
            if (mode.equals("fixed")) c.setFixedLengthStreamingMode(body.length);
            else if (mode.equals("chunked")) c.setChunkedStreamingMode(16);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            LoadDriver.drain(in);
            return status;
        }, null);
    }
}
