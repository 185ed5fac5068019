package dev.sluice.it.apps;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HttpURLConnection in {@link ChaosLoad}: buffered, fixed-length and chunked bodies; read timeouts; interrupts;
 * bodies closed unread or half read; disconnect without reading; and responses abandoned to the GC.
 */
final class ChaosUrlConnection implements ChaosLoad.Family {
    /** Abandoned streams are dropped a while later, not at once (the GC hands their permits back). */
    private final List<InputStream> abandoned = new ArrayList<>();

    ChaosUrlConnection() {
        System.setProperty("http.maxConnections", "200");
    }

    @Override
    public String call(ChaosLoad.Plan p, ChaosLoad.Context ctx) throws Exception {
        byte[] body = p.body().getBytes(StandardCharsets.UTF_8);
        HttpURLConnection c = (HttpURLConnection) new URL(ctx.url).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(p.action == ChaosLoad.Action.TIMEOUT ? p.millis : 30_000);
        c.setRequestProperty("content-type", "application/json");
        for (String[] h : SluiceProbe.credentialHeaders()) c.setRequestProperty(h[0], h[1]);
        if (p.chaos != null) c.setRequestProperty("x-mock-chaos", p.chaos);
        if (p.priority != null) c.setRequestProperty("X-Sluice-Priority", p.priority);
        int mode = p.flavour % 3;
        if (mode == 1) c.setFixedLengthStreamingMode(body.length);
        else if (mode == 2) c.setChunkedStreamingMode(64);
        if (p.action == ChaosLoad.Action.INTERRUPT || p.action == ChaosLoad.Action.CANCEL_WAITING
                || p.action == ChaosLoad.Action.CANCEL_IN_FLIGHT) {
            ctx.interruptLater(p.index, p.action == ChaosLoad.Action.CANCEL_WAITING ? 0 : p.millis);
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        switch (p.action) {
            case DISCONNECT:
                c.disconnect();
                return "disconnected:" + status;
            case ABANDON: {
                InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                synchronized (abandoned) {
                    abandoned.add(in);
                    if (abandoned.size() > 20) abandoned.remove(0);
                }
                return "abandoned:" + status;
            }
            case CLOSE_UNREAD:
            case READ_PART: {
                InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                if (in != null) {
                    try (in) {
                        if (p.action == ChaosLoad.Action.READ_PART) ChaosLoad.readSome(in, p.partBytes);
                    }
                }
                return "closed:" + status;
            }
            default: {
                InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                String text = in == null ? null : new String(LoadDriver.drain(in), StandardCharsets.UTF_8);
                return ChaosLoad.verify(status, text, p.stream);
            }
        }
    }

    /** The end of the run: the abandoned streams become garbage. */
    void forget() {
        synchronized (abandoned) {
            abandoned.clear();
        }
    }
}
