package dev.sluice.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Where a Redis store is: {@code redis://[user:password@]host[:port][/db]}, {@code rediss://} for TLS. The password
 * comes from the environment variable named by {@code store.password-env} when set, else from the URI.
 * {@link #toString()} never shows it; nothing else prints it either.
 */
public final class RedisTarget {
    public static final int DEFAULT_PORT = 6379;

    final String host;
    final int port;
    final boolean tls;
    final int database;
    /** ACL user; null = the default user (AUTH with the password alone). */
    final String user;
    /** Null = no AUTH. */
    final String password;
    /** Where the password came from, for messages: "none", "the URI" or "environment variable X". */
    final String passwordSource;

    RedisTarget(String host, int port, boolean tls, int database, String user, String password, String passwordSource) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.database = database;
        this.user = user;
        this.password = password;
        this.passwordSource = passwordSource;
    }

    /**
     * @param uri         a redis:// or rediss:// URI (already validated by the configuration)
     * @param passwordEnv the environment variable holding the password; null = none
     * @param env         the environment (System.getenv() outside tests)
     * @throws IllegalArgumentException with a message that never contains the password
     */
    public static RedisTarget parse(String uri, String passwordEnv, Map<String, String> env) {
        URI u;
        try {
            u = new URI(uri.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a redis:// URI");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) throw new IllegalArgumentException("not a redis:// URI");
        if (u.getHost() == null) throw new IllegalArgumentException("a redis URI without a host");
        int port = u.getPort() < 0 ? DEFAULT_PORT : u.getPort();
        int db = 0;
        String path = u.getPath();
        if (path != null && path.length() > 1) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a redis URI whose path is not a database number");
            }
        }
        String user = null;
        String password = null;
        String source = "none";
        String info = u.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            String rawUser = colon >= 0 ? info.substring(0, colon) : null;
            String rawPassword = colon >= 0 ? info.substring(colon + 1) : info;
            if (rawUser != null && !rawUser.isEmpty()) user = URLDecoder.decode(rawUser, StandardCharsets.UTF_8);
            if (!rawPassword.isEmpty()) {
                password = URLDecoder.decode(rawPassword, StandardCharsets.UTF_8);
                source = "the URI";
            }
        }
        if (passwordEnv != null) {
            String v = env == null ? null : env.get(passwordEnv);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("store.password-env names " + passwordEnv
                        + ", which is not set in the environment");
            }
            password = v;
            source = "environment variable " + passwordEnv;
        }
        return new RedisTarget(u.getHost(), port, scheme.equals("rediss"), db, user, password, source);
    }

    public boolean tls() {
        return tls;
    }

    /** {@code redis://host:port/db}: no user, no password. */
    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + host + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
