package org.jzeo.server.config;

import java.util.Objects;

/**
 * One log destination, from {@code <logfile>} inside {@code <eventlog>}, with ZConfig's option names and defaults.
 *
 * @param target     {@code path}: {@code STDOUT}, {@code STDERR} or a file (required)
 * @param format     {@code format}: a Python logging format ({@code %(asctime)s %(message)s}); the escapes
 *                   {@code \n \t \r \f \b \\} are already replaced
 * @param dateFormat {@code dateformat}: a Python {@code strftime} pattern for {@code %(asctime)s}
 * @param level      {@code level}: this destination's own threshold (default {@code notset}: the logger's)
 * @param maxSize    {@code max-size}: rotate when the file reaches this many bytes; 0 = never (files only)
 * @param oldFiles   {@code old-files}: rotated files to keep; positive whenever {@code maxSize} is (files only)
 */
public record LogFileConfig(LogTarget target, String format, String dateFormat, LogLevel level, long maxSize,
                            int oldFiles) {

    /** ZConfig's default {@code format}: a separator line, then time, level, logger name and message. */
    public static final String DEFAULT_FORMAT = "------\n%(asctime)s %(levelname)s %(name)s %(message)s";
    /** ZConfig's default {@code dateformat} (ISO 8601 to the second). */
    public static final String DEFAULT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S";

    public LogFileConfig {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(dateFormat, "dateFormat");
        Objects.requireNonNull(level, "level");
        if (maxSize < 0 || oldFiles < 0) {
            throw new IllegalArgumentException("maxSize " + maxSize + ", oldFiles " + oldFiles);
        }
        if (maxSize > 0 && (oldFiles == 0 || target.isStandardStream())) {
            throw new IllegalArgumentException("rotation needs a file and old-files > 0");
        }
    }

    /** {@code target} with every other option at ZConfig's default. */
    public static LogFileConfig to(LogTarget target) {
        return new LogFileConfig(target, DEFAULT_FORMAT, DEFAULT_DATE_FORMAT, LogLevel.NOTSET, 0, 0);
    }
}
