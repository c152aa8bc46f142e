package org.jzeo.server.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * A place in a configuration file, printed the way compilers do ({@code zeo.conf:12}) so that every message about
 * the configuration can be pasted into an editor's "go to line".
 *
 * @param file the file as the operator named it (or, for an included file, as resolved from the including file)
 * @param line 1-based line number, or 0 when the message is about the file as a whole
 */
public record SourceLocation(String file, int line) implements Serializable {

    public SourceLocation {
        Objects.requireNonNull(file, "file");
        if (line < 0) {
            throw new IllegalArgumentException("line " + line);
        }
    }

    /** The file as a whole, for problems no single line is to blame for (e.g. "no storage configured"). */
    public static SourceLocation wholeFile(String file) {
        return new SourceLocation(file, 0);
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line;
    }
}
