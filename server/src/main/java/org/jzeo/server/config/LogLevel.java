package org.jzeo.server.config;

import java.util.Locale;
import java.util.Map;
import org.slf4j.event.Level;

/**
 * A logging threshold on Python's numeric scale, as ZConfig's logger components use it: {@code critical}/
 * {@code fatal} 50, {@code error} 40, {@code warn}/{@code warning} 30, {@code info} 20, {@code blather} 15,
 * {@code debug} 10, {@code trace} 5, {@code all} 1, {@code notset} 0 (inherit), or any number 0-50.
 *
 * @param value 0-50; a record passes when its level is at least this
 */
public record LogLevel(int value) {
    public static final LogLevel NOTSET = new LogLevel(0);
    public static final LogLevel DEBUG = new LogLevel(10);
    public static final LogLevel INFO = new LogLevel(20);
    public static final LogLevel WARNING = new LogLevel(30);
    public static final LogLevel ERROR = new LogLevel(40);
    public static final LogLevel CRITICAL = new LogLevel(50);

    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("critical", 50), Map.entry("fatal", 50), Map.entry("error", 40), Map.entry("warn", 30),
            Map.entry("warning", 30), Map.entry("info", 20), Map.entry("blather", 15), Map.entry("debug", 10),
            Map.entry("trace", 5), Map.entry("all", 1), Map.entry("notset", 0));

    public LogLevel {
        if (value < 0 || value > 50) {
            throw new IllegalArgumentException("log level " + value + " is not in 0-50");
        }
    }

    /**
     * Parses a level name (any case) or number.
     *
     * @throws IllegalArgumentException saying which names and numbers are accepted
     */
    public static LogLevel parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        Integer named = NAMES.get(s);
        if (named != null) {
            return new LogLevel(named);
        }
        try {
            int number = Integer.parseInt(s);
            if (number >= 0 && number <= 50) {
                return new LogLevel(number);
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + text + "' is not a log level (critical, error, warning, info,"
                + " blather, debug, trace, all, notset, or a number 0-50)");
    }

    /** True for {@code notset}: the handler passes whatever its logger passes. */
    public boolean inherits() {
        return value == 0;
    }

    /** The most verbose SLF4J level this threshold lets through (NOTSET and anything below DEBUG: TRACE). */
    public Level toSlf4j() {
        if (value >= 40) {
            return Level.ERROR;
        }
        if (value >= 30) {
            return Level.WARN;
        }
        if (value >= 20) {
            return Level.INFO;
        }
        if (value >= 10) {
            return Level.DEBUG;
        }
        return Level.TRACE;
    }
}
