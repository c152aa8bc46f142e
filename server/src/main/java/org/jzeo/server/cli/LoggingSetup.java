package org.jzeo.server.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jzeo.server.config.ConfigSection;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.LogFileConfig;
import org.jzeo.server.config.LogLevel;
import org.jzeo.server.config.LogTarget;
import org.jzeo.server.config.ZConfigParser;

/**
 * Applies a zeo.conf {@code <eventlog>} to slf4j-simple, which reads its settings once, when the first logger is
 * created; so this runs in {@code main} before any class that logs is touched, and reads the file with the
 * (silent) ZConfig parser only. What slf4j-simple can do: one destination (STDOUT, STDERR or a file, opened in
 * append mode here, not truncated as slf4j-simple would) and one threshold. What it cannot do (custom formats,
 * several destinations, rotation) is listed by {@link #limitations(LogConfig)} for the server to log. Settings
 * given on the JVM command line ({@code -Dorg.slf4j.simpleLogger.*}) win over the file.
 */
final class LoggingSetup {
    static final String LOG_FILE = "org.slf4j.simpleLogger.logFile";
    static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    /** slf4j-simple's name for standard error, which follows {@link System#setErr}. */
    static final String STDERR = "System.err";
    static final String STDOUT = "System.out";

    private LoggingSetup() {
    }

    /**
     * The {@code <eventlog>} of {@code configFile}, or null when it has none or cannot be read (the real load
     * reports why, once logging is set up). Only {@code level} and each {@code <logfile>}'s {@code path} and
     * {@code level} are read; the rest keeps its defaults.
     */
    static LogConfig readEventLog(Path configFile) {
        try {
            ConfigSection top = new ZConfigParser().parse(configFile);
            for (ConfigSection section : top.children()) {
                if (section.type().equalsIgnoreCase("eventlog")) {
                    return eventLog(section);
                }
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static LogConfig eventLog(ConfigSection section) {
        LogLevel level = last(section, "level").map(LogLevel::parse).orElse(LogLevel.INFO);
        List<LogFileConfig> files = new ArrayList<>();
        for (ConfigSection child : section.children()) {
            if (child.type().equalsIgnoreCase("logfile")) {
                String path = last(child, "path").orElseThrow();
                LogLevel own = last(child, "level").map(LogLevel::parse).orElse(LogLevel.NOTSET);
                files.add(new LogFileConfig(target(path), LogFileConfig.DEFAULT_FORMAT,
                        LogFileConfig.DEFAULT_DATE_FORMAT, own, 0, 0));
            }
        }
        return new LogConfig(level, files);
    }

    private static java.util.Optional<String> last(ConfigSection section, String key) {
        List<String> values = section.values(key);
        return values.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(values.get(values.size() - 1));
    }

    private static LogTarget target(String path) {
        String p = path.strip();
        switch (p.toUpperCase(Locale.ROOT)) {
            case "STDOUT":
                return LogTarget.stdout();
            case "STDERR":
                return LogTarget.stderr();
            default:
                return LogTarget.file(Path.of(p));
        }
    }

    /**
     * The slf4j-simple system properties for {@code log}: the first {@code <logfile>}'s destination and the
     * stricter of the eventlog's and that logfile's levels; no logfile means {@code off}. A file destination maps
     * to standard error, which {@link #apply} points at the file.
     */
    static Map<String, String> properties(LogConfig log) {
        Map<String, String> p = new LinkedHashMap<>();
        if (log.logfiles().isEmpty()) {
            p.put(DEFAULT_LEVEL, "off");
            return p;
        }
        LogFileConfig first = log.logfiles().get(0);
        LogLevel threshold = first.level().inherits() || first.level().value() < log.level().value()
                ? log.level() : first.level();
        p.put(DEFAULT_LEVEL, threshold.toSlf4j().name().toLowerCase(Locale.ROOT));
        p.put(LOG_FILE, first.target().kind() == LogTarget.Kind.STDOUT ? STDOUT : STDERR);
        return p;
    }

    /**
     * Sets the properties the JVM command line did not set, and for a file destination replaces standard error
     * with the file opened for appending (so that {@code logrotate}'s copytruncate works). Returns a message for
     * the terminal when the file cannot be opened (logging then stays on standard error), else null.
     */
    static String apply(LogConfig log) {
        boolean userChoseFile = System.getProperty(LOG_FILE) != null;
        properties(log).forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
        if (userChoseFile || log.logfiles().isEmpty()) {
            return null;
        }
        LogTarget target = log.logfiles().get(0).target();
        if (target.kind() != LogTarget.Kind.FILE) {
            return null;
        }
        Path file = target.file().orElseThrow();
        try {
            System.setErr(new PrintStream(new FileOutputStream(file.toFile(), true), true, StandardCharsets.UTF_8));
            return null;
        } catch (IOException e) {
            return "jzeo: cannot open the log file " + file + " (" + e.getMessage() + "); logging to standard error";
        }
    }

    /** What of {@code log} slf4j-simple does not do, one warning each, for the server to log at start. */
    static List<String> limitations(LogConfig log) {
        List<String> out = new ArrayList<>();
        List<LogFileConfig> files = log.logfiles();
        for (int i = 1; i < files.size(); i++) {
            out.add("<logfile> " + describe(files.get(i).target()) + " is ignored: jzeo logs to one destination,"
                    + " the first <logfile> (" + describe(files.get(0).target()) + ")");
        }
        for (LogFileConfig f : files.subList(0, Math.min(1, files.size()))) {
            if (!f.format().equals(LogFileConfig.DEFAULT_FORMAT)
                    || !f.dateFormat().equals(LogFileConfig.DEFAULT_DATE_FORMAT)) {
                out.add("'format' and 'dateformat' of <logfile> are not applied: jzeo writes one line per event as"
                        + " 'time [LEVEL] logger - message'");
            }
            if (f.maxSize() > 0) {
                out.add("'max-size'/'old-files' rotation is not done by jzeo; rotate " + describe(f.target())
                        + " with logrotate's copytruncate (jzeo appends to it and never reopens it)");
            }
        }
        return out;
    }

    private static String describe(LogTarget target) {
        return target.kind() == LogTarget.Kind.FILE ? target.file().orElseThrow().toString() : target.kind().name();
    }
}
