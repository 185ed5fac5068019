package dev.sluice.it.apps;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HttpURLConnection used the ways that leave a response body hanging. {@code scenario=}:
 * <ul>
 * <li>{@code readLater}: every call gets its status and input stream, and reads the bodies only after all have
 *     answered ({@code inFlightHeld} is InFlight while the bodies wait);</li>
 * <li>{@code closeUnread}: gets the input stream and closes it unread;</li>
 * <li>{@code disconnect}: reads the status only, then {@code disconnect()};</li>
 * <li>{@code abandon}: reads the status only and drops the connection (no close, no disconnect); the
 *     permits must still come back once the connections are garbage.</li>
 * </ul>
 * Prints the usual RESULT line with {@code inFlight=} at the end.
 */
public final class UrlConnectionLazy {
    public static void main(String[] argv) throws Exception {
        LoadDriver d = new LoadDriver(argv);
        URL url = new URL(d.url());
        byte[] body = d.body.getBytes(StandardCharsets.UTF_8);
        String scenario = d.args.getOrDefault("scenario", "readLater");
        Map<String, Object> extra = new TreeMap<>();
        long start = System.nanoTime();
        List<HttpURLConnection> open = new ArrayList<>();
        List<InputStream> streams = new ArrayList<>();
        int okCount = 0;
        for (int i = 0; i < d.calls; i++) {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("content-type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            if (c.getResponseCode() == 200) okCount++;
            switch (scenario) {
                case "readLater" -> {
                    streams.add(c.getInputStream());
                    open.add(c);
                }
                case "closeUnread" -> c.getInputStream().close();
                case "disconnect" -> c.disconnect();
                case "abandon" -> { /* dropped */ }
                default -> throw new IllegalArgumentException(scenario);
            }
        }
        extra.put("statusOk", okCount);
        if (scenario.equals("readLater")) {
            Thread.sleep(300);
            extra.put("inFlightHeld", LoadDriver.inFlight());
            int bytes = 0;
            for (InputStream in : streams) bytes += LoadDriver.drain(in).length;
            extra.put("bodyBytes", bytes);
            streams.clear();
            open.clear();
        }
        if (scenario.equals("abandon")) {
            extra.put("inFlightHeld", LoadDriver.inFlight());
            // Nothing refers to the connections any more. Collect them; the next call on the client expunges them.
            for (int round = 0; round < 20 && LoadDriver.inFlight() > 0; round++) {
                System.gc();
                Thread.sleep(100);
                HttpURLConnection c = (HttpURLConnection) url.openConnection();
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
                c.getResponseCode();
                LoadDriver.drain(c.getInputStream());
                extra.put("gcRounds", round + 1);
            }
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000L;
        d.finish(wallMs, extra);
    }
}
