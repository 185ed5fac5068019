package dev.sluice.log;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sluice's own logging: one line per event on stderr, prefixed {@code [sluice]}. Deliberately not SLF4J, JUL or
 * System.Logger: those route into the application's logging configuration, which an agent must not disturb or
 * depend on. Level from {@code sluice.log.level} (error, warn, info, debug; default info).
 * Never log API keys, Authorization headers or prompt text.
 */
public final class SluiceLog {
    public enum Level { ERROR, WARN, INFO, DEBUG }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final ConcurrentHashMap<String, Boolean> ONCE = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Long> LAST = new ConcurrentHashMap<>();
    private static volatile Level level = initialLevel();
    private static volatile PrintStream out = System.err;

    private SluiceLog() {
    }

    private static Level initialLevel() {
        Level l = parse(System.getProperty("sluice.log.level"));
        if (l == null) l = parse(System.getenv("SLUICE_LOG_LEVEL"));
        return l == null ? Level.INFO : l;
    }

    public static Level parse(String s) {
        if (s == null) return null;
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "error": return Level.ERROR;
            case "warn": case "warning": return Level.WARN;
            case "info": return Level.INFO;
            case "debug": case "trace": return Level.DEBUG;
            default: return null;
        }
    }

    public static void setLevel(Level l) {
        if (l != null) level = l;
    }

    /** For tests: capture the output. */
    public static void setOut(PrintStream p) {
        out = p == null ? System.err : p;
    }

    public static boolean enabled(Level l) {
        return l.ordinal() <= level.ordinal();
    }

    public static void error(String msg) { log(Level.ERROR, msg, null); }
    public static void warn(String msg) { log(Level.WARN, msg, null); }
    public static void info(String msg) { log(Level.INFO, msg, null); }
    public static void debug(String msg) { if (enabled(Level.DEBUG)) log(Level.DEBUG, msg, null); }

    /** Logs {@code msg} the first time {@code key} is seen, never again (fail-open faults, config problems). */
    public static void once(Level l, String key, String msg, Throwable t) {
        if (ONCE.putIfAbsent(key, Boolean.TRUE) == null) log(l, msg, t);
    }

    /** Logs at most once per {@code intervalMillis} for {@code key} (state changes that may flap). */
    public static void rateLimited(Level l, String key, long intervalMillis, String msg) {
        long now = System.nanoTime();
        Long last = LAST.get(key);
        if (last != null && now - last < intervalMillis * 1_000_000L) return;
        LAST.put(key, now);
        log(l, msg, null);
    }

    public static void log(Level l, String msg, Throwable t) {
        if (!enabled(l)) return;
        StringBuilder sb = new StringBuilder(msg.length() + 48);
        sb.append(LocalTime.now().format(TIME)).append(" [sluice] ").append(l.name()).append(' ').append(msg);
        if (t != null) {
            // Type and message only: a stack trace may carry request data; DEBUG prints the trace.
            sb.append(" (").append(t.getClass().getName());
            if (t.getMessage() != null) sb.append(": ").append(t.getMessage());
            sb.append(')');
        }
        PrintStream p = out;
        synchronized (p) {
            p.println(sb);
            if (t != null && enabled(Level.DEBUG)) t.printStackTrace(p);
        }
    }
}
