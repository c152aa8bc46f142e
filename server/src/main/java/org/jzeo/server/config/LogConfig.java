package org.jzeo.server.config;

import java.util.List;
import java.util.Objects;

/**
 * The server's logging, from {@code <eventlog>}: a threshold and where records go. Only data: applying it to a
 * logging backend is the server's job.
 *
 * @param level    {@code level} of {@code <eventlog>} (default {@code info})
 * @param logfiles the {@code <logfile>} sections, in file order; may be empty (nothing is written)
 */
public record LogConfig(LogLevel level, List<LogFileConfig> logfiles) {

    public LogConfig {
        Objects.requireNonNull(level, "level");
        logfiles = List.copyOf(logfiles);
    }

    /** What ZEO's runzeo does without {@code <eventlog>}: INFO and above to standard error, in ZConfig's format. */
    public static LogConfig defaults() {
        return new LogConfig(LogLevel.INFO, List.of(LogFileConfig.to(LogTarget.stderr())));
    }
}
