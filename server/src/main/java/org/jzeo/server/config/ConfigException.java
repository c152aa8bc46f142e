package org.jzeo.server.config;

import java.util.Objects;

/**
 * The configuration cannot be used. The message always starts with the file and line to blame
 * ({@code zeo.conf:12: unknown key 'adress' in <zeo>}), so an operator can fix it without reading code.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SourceLocation location;

    public ConfigException(SourceLocation location, String problem) {
        super(location + ": " + problem);
        this.location = Objects.requireNonNull(location, "location");
    }

    public ConfigException(SourceLocation location, String problem, Throwable cause) {
        super(location + ": " + problem, cause);
        this.location = Objects.requireNonNull(location, "location");
    }

    /** Where the problem is. */
    public SourceLocation location() {
        return location;
    }
}
