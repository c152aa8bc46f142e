package org.jzeo.server.config;

import java.util.Objects;

/**
 * What {@code jzeo copy} reads from its configuration file: the storage to copy from and the one to copy into.
 *
 * @param source      the {@code source} section; opened read-only by the copy
 * @param destination the {@code destination} section
 */
public record CopyConfig(StorageConfig source, StorageConfig destination) {
    public CopyConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
    }
}
