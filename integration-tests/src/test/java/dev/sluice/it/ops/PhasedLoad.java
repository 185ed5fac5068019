package dev.sluice.it.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary application (no Sluice classes) offering chat calls (see {@link Call}) at a rate that changes
 * in phases, then staying alive for a while so a test can read its MBeans. Arguments (key=value):
 * url; client=jdk|urlconn; phases=rate:seconds[,rate:seconds...]; priority=cycle like low,normal,high (or none);
 * lingerMs.
 * Prints {@code START epochMs=...}, one {@code CALL t=<sent, ms after start> p=<priority> o=<outcome> d=<done>} per call
 * (outcome: 200, 429, other status, refused:<reason>, error:<type>), then {@code RESULT k=v ...}, then lingers.
 */
public final class PhasedLoad {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        String[] priorities = a.getOrDefault("priority", "none").split(",");
        long lingerMs = Long.parseLong(a.getOrDefault("lingerMs", "0"));
        List<double[]> phases = new ArrayList<>();
        for (String p : a.getOrDefault("phases", "10:1").split(",")) {
            String[] rs = p.split(":");
            phases.add(new double[]{Double.parseDouble(rs[0]), Double.parseDouble(rs[1])});
        }
        Call client = new Call(a.getOrDefault("client", "jdk"));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        long start = System.nanoTime();
        System.out.println("START epochMs=" + System.currentTimeMillis());
        System.out.flush();
        double phaseStart = 0;
        int n = 0;
        for (double[] phase : phases) {
            double rate = phase[0];
            double secs = phase[1];
            long count = Math.round(rate * secs);
            for (long i = 0; i < count; i++) {
                long due = start + (long) ((phaseStart + i / rate) * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                String p = priorities[n++ % priorities.length];
                long t = (System.nanoTime() - start) / 1_000_000L;
                sent.add("t=" + t + " p=" + p);
                calls.add(client.async(url, p).thenApply(o -> o                        + " d=" + (System.nanoTime() - start) / 1_000_000L));
            }
            phaseStart += secs;
        }
        Map<String, Integer> totals = new TreeMap<>();
        for (int i = 0; i < calls.size(); i++) {
            String o;
            try {
                o = calls.get(i).get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                o = "error:unfinished d=-1";
            }
            System.out.println("CALL " + sent.get(i) + " o=" + o);
            totals.merge(o.substring(0, o.indexOf(" d=")), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder("RESULT calls=" + calls.size());
        int ok = 0, s429 = 0, refused = 0, failed = 0;
        for (Map.Entry<String, Integer> e : totals.entrySet()) {
            if (e.getKey().equals("200")) ok += e.getValue();
            else if (e.getKey().equals("429")) s429 += e.getValue();
            else if (e.getKey().startsWith("refused:")) refused += e.getValue();
            else failed += e.getValue();
        }
        sb.append(" ok=").append(ok).append(" status429=").append(s429).append(" refused=").append(refused)
                .append(" failed=").append(failed);
        totals.forEach((k, v) -> sb.append(" o.").append(k.replace(':', '.')).append('=').append(v));
        System.out.println(sb);
        System.out.flush();
        if (lingerMs > 0) Thread.sleep(lingerMs);
        System.exit(0);
    }
}
