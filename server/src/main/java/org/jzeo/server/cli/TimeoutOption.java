package org.jzeo.server.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The admin commands' {@code --timeout}: how long connecting and each call may take. */
final class TimeoutOption {
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Give up when connecting or a call takes longer (default ${DEFAULT-VALUE} s).")
    double seconds;

    Duration duration() {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("--timeout must be more than 0 seconds");
        }
        return Duration.ofMillis(Math.max(1, (long) (seconds * 1000)));
    }
}
