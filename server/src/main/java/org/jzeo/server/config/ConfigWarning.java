package org.jzeo.server.config;

import java.util.Objects;

/**
 * Something in the configuration that jzeo accepts but does not act on (a ZEO 4 option, a Python-only logging
 * knob, a {@code <runner>} section). The server logs each one at WARN when it starts.
 *
 * @param location where the ignored text is
 * @param message  what is ignored and why, in the operator's terms
 */
public record ConfigWarning(SourceLocation location, String message) {

    public ConfigWarning {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
