package org.jzeo.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.server.config.ConfigSection;
import org.jzeo.server.config.EventLogSectionBinder;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.LogFileConfig;
import org.jzeo.server.config.LogLevel;
import org.jzeo.server.config.LogTarget;
import org.jzeo.server.config.ZConfigParser;
import org.slf4j.LoggerFactory;

/**
 * Applies a zeo.conf {@code <eventlog>} to logback as ZConfig applies it to Python's logging: the eventlog's
 * {@code level} on the root logger; one destination per {@code <logfile>} (STDOUT, STDERR or a file opened for
 * appending), each with its own {@code level}, its {@code format} and {@code dateformat} ({@link PythonLogFormat}),
 * and, with {@code max-size} and {@code old-files}, rotation to {@code file.1 ... file.N} as Python's
 * RotatingFileHandler does. Runs in {@code main} before the server starts, so every line of the run follows it.
 */
final class LoggingSetup {
    /** logback keeps at most this many rotated files in a fixed window. */
    static final int MAX_OLD_FILES = 20;

    private LoggingSetup() {
    }

    /**
     * The {@code <eventlog>} of {@code configFile}, or null when it has none or the file cannot be read (the real
     * load reports why, once logging is set up). Read with the silent ZConfig parser; the configuration loader
     * reports the warnings later.
     */
    static LogConfig readEventLog(Path configFile) {
        try {
            ConfigSection top = new ZConfigParser().parse(configFile);
            for (ConfigSection section : top.children()) {
                if (section.type().equalsIgnoreCase("eventlog")) {
                    return EventLogSectionBinder.bind(section, warning -> { });
                }
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Replaces the logging configuration with {@code log}. Returns what went wrong for the terminal (a file that
     * cannot be opened: its lines go to standard error instead), or null.
     */
    static String apply(LogConfig log) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        registerConverters(context);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(log.logfiles().isEmpty() ? Level.OFF : level(log.level()));
        List<String> problems = new ArrayList<>();
        for (LogFileConfig file : log.logfiles()) {
            OutputStreamAppender<ILoggingEvent> appender = appender(context, file);
            if (!appender.isStarted()) {
                problems.add("jzeo: cannot open the log file " + describe(file.target())
                        + "; its lines go to standard error");
                appender = appender(context, new LogFileConfig(LogTarget.stderr(), file.format(), file.dateFormat(),
                        file.level(), 0, 0));
            }
            root.addAppender(appender);
        }
        return problems.isEmpty() ? null : String.join("\n", problems);
    }

    private static void registerConverters(LoggerContext context) {
        @SuppressWarnings("unchecked")
        Map<String, String> rules = (Map<String, String>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, rules);
        }
        rules.put("pylevel", PythonLevelConverter.class.getName());
    }

    private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext context, LogFileConfig file) {
        OutputStreamAppender<ILoggingEvent> appender;
        LogTarget target = file.target();
        if (target.isStandardStream()) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget(target.kind() == LogTarget.Kind.STDOUT ? "System.out" : "System.err");
            appender = console;
        } else if (file.maxSize() > 0) {
            RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
            String path = target.file().orElseThrow().toString();
            rolling.setFile(path);
            FixedWindowRollingPolicy window = new FixedWindowRollingPolicy();
            window.setContext(context);
            window.setParent(rolling);
            window.setFileNamePattern(path.replace("%", "\\%") + ".%i");
            window.setMinIndex(1);
            window.setMaxIndex(Math.min(file.oldFiles(), MAX_OLD_FILES));
            window.start();
            SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
            size.setContext(context);
            size.setMaxFileSize(new FileSize(file.maxSize()));
            // Checked at every line, as Python's RotatingFileHandler does (logback's default looks once a minute).
            size.setCheckIncrement(Duration.buildByMilliseconds(0));
            size.start();
            rolling.setRollingPolicy(window);
            rolling.setTriggeringPolicy(size);
            appender = rolling;
        } else {
            FileAppender<ILoggingEvent> plain = new FileAppender<>();
            plain.setFile(target.file().orElseThrow().toString());
            plain.setAppend(true);
            appender = plain;
        }
        appender.setContext(context);
        appender.setName(describe(target));
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PythonLogFormat.pattern(file.format(), file.dateFormat()));
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        appender.setEncoder(encoder);
        if (!file.level().inherits()) {
            ThresholdFilter threshold = new ThresholdFilter();
            threshold.setLevel(level(file.level()).toString());
            threshold.start();
            appender.addFilter(threshold);
        }
        appender.start();
        return appender;
    }

    /** What of {@code log} jzeo cannot do as ZConfig does, one warning each, for the server to log at start. */
    static List<String> limitations(LogConfig log) {
        List<String> out = new ArrayList<>();
        for (LogFileConfig file : log.logfiles()) {
            if (file.oldFiles() > MAX_OLD_FILES) {
                out.add("<logfile> " + describe(file.target()) + ": old-files " + file.oldFiles() + " is more than"
                        + " jzeo keeps; the newest " + MAX_OLD_FILES + " rotated files are kept");
            }
        }
        return out;
    }

    /** The logback level that lets through what a Python threshold does (BLATHER, 15, maps to DEBUG). */
    static Level level(LogLevel level) {
        return Level.toLevel(level.toSlf4j().name());
    }

    private static String describe(LogTarget target) {
        return target.kind() == LogTarget.Kind.FILE ? target.file().orElseThrow().toString() : target.kind().name();
    }
}
