package org.jzeo.server.config;

import java.util.Objects;

/**
 * An in-memory storage, from {@code <mappingstorage NAME>}: everything is lost when the server stops. For tests and
 * demonstrations.
 *
 * @param name  the storage name clients register with (the section name)
 * @param label the storage's own description (ZODB {@code name} key, default {@code Mapping Storage}), shown in
 *              {@code get_info} and logs; it is not the name clients register with
 */
public record MappingStorageConfig(String name, String label) implements StorageConfig {

    public static final String DEFAULT_LABEL = "Mapping Storage";

    public MappingStorageConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(label, "label");
    }
}
