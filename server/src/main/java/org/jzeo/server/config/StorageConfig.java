package org.jzeo.server.config;

/**
 * One storage the server serves, from a storage section ({@code <filestorage NAME>}, {@code <mappingstorage NAME>},
 * {@code <relstorage NAME>}). Clients pick it by {@link #name()} when they register.
 */
public sealed interface StorageConfig permits FileStorageConfig, MappingStorageConfig, PostgresStorageConfig {

    /** The name clients register with: the section name, lower-cased, or {@code "1"} when the section has none. */
    String name();

    /** Whether pack also removes objects no longer reachable from the root (ZODB's {@code pack-gc}). */
    default boolean packGc() {
        return true;
    }
}
