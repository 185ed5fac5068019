package dev.sluice.provider;

import dev.sluice.provider.Tiktoken.Vocabulary;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "Estimator accuracy" table of the README: on a fixed set of prompts, how far the {@code chars} and
 * {@code tiktoken} estimators are from what OpenAI counts, and what the gap does to a TPM reservation. Writes
 * {@code target/estimator-accuracy.md}; regenerate with
 * {@code mvn -B -o -pl agent test -Dtest=EstimatorAccuracyTest}.
 *
 * <p>The truth is OpenAI's own counting rule for chat requests, computed here independently of the scanner: for
 * every message 3 tokens + the tokens of its role and content (+1 and its name's tokens for a name), + 3 for the
 * reply, each string encoded with the model's vocabulary (the rule that gives the 129 / 124 prompt tokens OpenAI's
 * cookbook reports, see {@link TiktokenTest#openAiCookbookExample}). Each request is a system message and the prompt
 * as the user message, with {@code max_tokens: 256}.
 */
class EstimatorAccuracyTest {
    static final int MAX_TOKENS = 256;
    static final String SYSTEM = "You are a helpful assistant. Answer precisely and cite the relevant part of the input.";

    static final Map<String, String> PROMPTS = new LinkedHashMap<>();

    static {
        PROMPTS.put("English prose", "The committee met on Thursday to review the quarterly results. Revenue grew by"
                + " eleven percent compared with the same period last year, driven mostly by subscriptions in Europe"
                + " and a strong holiday season in North America. Operating costs rose faster than expected, however,"
                + " because the new data centre came online two months early and the hiring plan for support staff was"
                + " brought forward. The chair asked the finance team to prepare a revised forecast before the board"
                + " meeting, with three scenarios: a cautious one that assumes flat demand, a central one based on the"
                + " current pipeline, and an optimistic one that includes the partnership still under negotiation."
                + " Please summarise the main risks in no more than five bullet points, and say which of them the"
                + " company can influence directly.");
        PROMPTS.put("Java code", "Review this method and explain the bug:\n\n"
                + "public static Map<String, List<Order>> byCustomer(List<Order> orders) {\n"
                + "    Map<String, List<Order>> result = new HashMap<>();\n"
                + "    for (Order o : orders) {\n"
                + "        List<Order> list = result.get(o.customerId());\n"
                + "        if (list == null) {\n"
                + "            list = new ArrayList<>();\n"
                + "        }\n"
                + "        list.add(o);\n"
                + "    }\n"
                + "    result.values().removeIf(l -> l.size() < 2);\n"
                + "    return Collections.unmodifiableMap(result);\n"
                + "}\n\n"
                + "private static final ConcurrentHashMap<Long, AtomicInteger> COUNTS = new ConcurrentHashMap<>();\n"
                + "static int next(long key) { return COUNTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet(); }\n");
        PROMPTS.put("JSON", "Extract the overdue invoices from this data: {\"invoices\":[{\"id\":\"INV-2024-00417\","
                + "\"customer\":{\"name\":\"Acme GmbH\",\"vat\":\"DE811907980\"},\"amount\":1299.5,\"currency\":\"EUR\","
                + "\"due\":\"2024-11-30\",\"paid\":false,\"lines\":[{\"sku\":\"X-100\",\"qty\":3,\"unit\":249.9},"
                + "{\"sku\":\"SRV-12M\",\"qty\":1,\"unit\":549.8}]},{\"id\":\"INV-2024-00418\",\"customer\":{\"name\":"
                + "\"Globex Ltd\",\"vat\":\"GB123456789\"},\"amount\":87.0,\"currency\":\"GBP\",\"due\":\"2025-01-15\","
                + "\"paid\":true,\"lines\":[{\"sku\":\"B-7\",\"qty\":10,\"unit\":8.7}]},{\"id\":\"INV-2024-00419\","
                + "\"customer\":{\"name\":\"Initech\",\"vat\":null},\"amount\":15400,\"currency\":\"USD\",\"due\":"
                + "\"2024-10-01\",\"paid\":false,\"lines\":[]}]}");
        PROMPTS.put("CJK", "请把下面的会议记录整理成要点，并指出需要负责人跟进的事项。周四下午，产品团队讨论了下个季度的路线图。"
                + "大家一致认为移动端的性能问题必须优先解决，因为用户投诉在过去一个月里增加了近一倍。市场部希望在春节前发布新功能，"
                + "但工程部认为时间太紧，测试不充分会带来风险。最后决定先发布一个小版本修复崩溃问题，新功能推迟到三月。"
                + "会議の後で、東京チームは翻訳の品質についても確認しました。韓国語版: 다음 주까지 번역 검토를 마쳐 주세요.");
        PROMPTS.put("Emoji and mixed", "Rate these reviews 1-5 ⭐ and tag the language: 1) \"Absolutely love it!!! 😍😍🔥"
                + " Fast shipping 🚚💨\" 2) \"Nicht schlecht, aber der Akku hält nur 3 Std. 🔋😕\" 3) \"C'est génial 👍🏽👍🏽"
                + " — je recommande à 100 %\" 4) \"壊れて届きました 😡📦 返品します\" 5) \"meh 🤷‍♂️ it's ok I guess… 5/10\" 6)"
                + " \"¡Increíble! 🎉🇪🇸 Mejor compra del año 💯\" 7) \"👨‍👩‍👧‍👦 family approved ✅✅✅\"");
    }

    /** OpenAI's count of a two-message chat request's prompt. */
    static long truth(Vocabulary v, String prompt) {
        return 3 + Tiktoken.count(v, "system") + Tiktoken.count(v, SYSTEM)
                + 3 + Tiktoken.count(v, "user") + Tiktoken.count(v, prompt) + 3;
    }

    static String request(String model, String prompt) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + MAX_TOKENS + ",\"messages\":[{\"role\":\"system\","
                + "\"content\":" + json(SYSTEM) + "},{\"role\":\"user\",\"content\":" + json(prompt) + "}]}";
    }

    static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c == '\n') sb.append("\\n");
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    static long estimate(String body, Estimator e) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        RequestInfo info = RequestScanner.scan(b, 0, b.length, e);
        return PromptCounter.of(e).promptTokens(info);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%+.1f%%", v * 100);
    }

    @Test
    void writesTheTable() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| prompt | model (vocabulary) | OpenAI counts | `chars` | error | `tiktoken` | error |"
                + " `tiktoken`, wrong vocabulary | error | reservation error, `chars` | reservation error, `tiktoken` |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double sumAbsChars = 0;
        double sumAbsTik = 0;
        int rows = 0;
        for (Map.Entry<String, String> p : PROMPTS.entrySet()) {
            for (String model : new String[]{"gpt-4", "gpt-4o"}) {
                Vocabulary v = Tiktoken.forModel(model);
                Vocabulary other = v == Vocabulary.CL100K_BASE ? Vocabulary.O200K_BASE : Vocabulary.CL100K_BASE;
                String body = request(model, p.getValue());
                long truth = truth(v, p.getValue());
                long chars = estimate(body, Estimator.CHARS);
                long tik = estimate(body, Estimator.TIKTOKEN);
                long wrong = truth(other, p.getValue());
                double eChars = (double) (chars - truth) / truth;
                double eTik = (double) (tik - truth) / truth;
                double eWrong = (double) (wrong - truth) / truth;
                // The TPM reservation is prompt estimate + max_tokens; the provider charges true prompt + max_tokens.
                double rChars = (double) (chars - truth) / (truth + MAX_TOKENS);
                double rTik = (double) (tik - truth) / (truth + MAX_TOKENS);
                md.append("| ").append(p.getKey()).append(" | ").append(model).append(" (").append(v.label())
                        .append(") | ").append(truth).append(" | ").append(chars).append(" | ").append(pct(eChars))
                        .append(" | ").append(tik).append(" | ").append(pct(eTik)).append(" | ").append(wrong)
                        .append(" | ").append(pct(eWrong)).append(" | ").append(pct(rChars)).append(" | ")
                        .append(pct(rTik)).append(" |\n");
                sumAbsChars += Math.abs(eChars);
                sumAbsTik += Math.abs(eTik);
                rows++;
                assertEquals(truth, tik, p.getKey() + " / " + model + ": tiktoken with OpenAI's framing is exact");
            }
        }
        md.append(String.format(Locale.ROOT, "%nMean absolute error on the prompt: `chars` %.1f%%, `tiktoken` %.1f%%.%n",
                sumAbsChars / rows * 100, sumAbsTik / rows * 100));
        md.append(loadCost());
        md.append(countingCost());
        Path out = Path.of("target", "estimator-accuracy.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }

    /** Time and heap to load each vocabulary, measured in a fresh JVM (this one may have loaded them already). */
    static String loadCost() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), VocabularyLoadCost.class.getName()).redirectErrorStream(true);
        Process proc = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        }
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "load-cost JVM finished");
        StringBuilder sb = new StringBuilder("\nLoading a vocabulary (first use, once per JVM; fresh JVM, -XX:+UseSerialGC):\n\n");
        sb.append("| vocabulary | load time | heap retained |\n|---|---:|---:|\n");
        for (String l : lines) {
            if (!l.startsWith("LOAD ")) continue;
            String[] f = l.split(" ");
            sb.append("| ").append(f[1]).append(" | ").append(f[2]).append(" ms | ").append(f[3]).append(" MB |\n");
        }
        assertTrue(sb.toString().contains("o200k_base"), "measured: " + lines);
        return sb.toString();
    }

    /**
     * Per-call cost of counting, once loaded: the scan with the tokenizer against the plain scan, for a request whose
     * one message is ~32 KB of each kind of prompt (the text repeated).
     */
    static String countingCost() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nCounting cost once loaded, on the caller's"
                + " thread (one ~32 KB message of each kind, gpt-4o; the first 16 KB counted, the rest extrapolated;"
                + " median of 15 after warm-up; a 2-core machine shared with other builds):%n%n"
                + "| prompt | request | `tiktoken` | extrapolation error | `chars` |%n|---|---:|---:|---:|---:|%n"));
        for (Map.Entry<String, String> p : PROMPTS.entrySet()) {
            String text = p.getValue();
            text = text.repeat(Math.max(1, 32 * 1024 / text.getBytes(StandardCharsets.UTF_8).length));
            byte[] b = request("gpt-4o", text).getBytes(StandardCharsets.UTF_8);
            long tik = median(b, Estimator.TIKTOKEN);
            long chars = median(b, Estimator.CHARS);
            double kb = b.length / 1024.0;
            long exact = Tiktoken.count(Vocabulary.O200K_BASE, text);
            long est = RequestScanner.scan(b, 0, b.length, Estimator.TIKTOKEN).promptTokens();
            sb.append(String.format(Locale.ROOT, "| %s | %.0f KB | %.2f ms | %s | %.3f ms |%n", p.getKey(), kb,
                    tik / 1e6, pct((double) (est - exact) / exact), chars / 1e6));
        }
        return sb.toString();
    }

    static long median(byte[] b, Estimator e) {
        for (int i = 0; i < 10; i++) RequestScanner.scan(b, 0, b.length, e);
        long[] t = new long[15];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            RequestScanner.scan(b, 0, b.length, e);
            t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    /** Run in a fresh JVM by {@link #loadCost()}. */
    public static final class VocabularyLoadCost {
        public static void main(String[] args) {
            for (Vocabulary v : Vocabulary.values()) {
                long before = usedAfterGc();
                long t0 = System.nanoTime();
                int n = Tiktoken.count(v, "warm up the vocabulary");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                long after = usedAfterGc();
                System.out.printf(Locale.ROOT, "LOAD %s %d %.1f %d%n", v.label(), ms, (after - before) / 1048576.0, n);
            }
        }

        static long usedAfterGc() {
            for (int i = 0; i < 3; i++) System.gc();
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }
    }
}
