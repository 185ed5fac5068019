package dev.sluice.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a sluice.properties for one test: one endpoint named {@code mock} matching the upstream. */
public final class SluiceConfigFile {
    private final Map<String, String> keys = new LinkedHashMap<>();

    private SluiceConfigFile() {
    }

    public static SluiceConfigFile forUpstream(Upstream upstream) {
        SluiceConfigFile f = new SluiceConfigFile();
        f.keys.put("sluice.reload", "0");
        f.endpoint("match", upstream.baseUrl() + "/v1");
        f.endpoint("provider", "openai");
        return f;
    }

    public static SluiceConfigFile empty() {
        return new SluiceConfigFile();
    }

    public SluiceConfigFile endpoint(String key, Object value) {
        keys.put("sluice.endpoint.mock." + key, String.valueOf(value));
        return this;
    }

    public SluiceConfigFile key(String key, Object value) {
        keys.put(key, String.valueOf(value));
        return this;
    }

    public SluiceConfigFile raw(String line) {
        keys.put(line, null);
        return this;
    }

    public Path write() throws IOException {
        Files.createDirectories(ChildJvm.WORK);
        Path p = Files.createTempFile(ChildJvm.WORK, "sluice-", ".properties");
        StringBuilder sb = new StringBuilder();
        keys.forEach((k, v) -> sb.append(v == null ? k : k + "=" + v).append('\n'));
        Files.writeString(p, sb.toString());
        return p;
    }
}
