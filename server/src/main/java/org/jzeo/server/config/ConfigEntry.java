package org.jzeo.server.config;

import java.util.Objects;

/**
 * One {@code key value} line of a configuration file, after {@code $name} substitution.
 *
 * @param key      the key, lower-cased (ZConfig keys are case-insensitive)
 * @param value    the rest of the line with surrounding blanks removed; empty when the line has only a key
 * @param location the line it came from
 */
public record ConfigEntry(String key, String value, SourceLocation location) {

    public ConfigEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(location, "location");
    }
}
