package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@code <logfile>} writes: the process's standard output, its standard error, or a file.
 *
 * @param kind which of the three
 * @param file the file, present exactly when {@code kind} is {@link Kind#FILE}
 */
public record LogTarget(Kind kind, Optional<Path> file) {

    /** The three kinds of destination. */
    public enum Kind { STDOUT, STDERR, FILE }

    public LogTarget {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(file, "file");
        if (file.isPresent() != (kind == Kind.FILE)) {
            throw new IllegalArgumentException(kind + " with file " + file);
        }
    }

    public static LogTarget stdout() {
        return new LogTarget(Kind.STDOUT, Optional.empty());
    }

    public static LogTarget stderr() {
        return new LogTarget(Kind.STDERR, Optional.empty());
    }

    public static LogTarget file(Path path) {
        return new LogTarget(Kind.FILE, Optional.of(path));
    }

    public boolean isStandardStream() {
        return kind != Kind.FILE;
    }
}
