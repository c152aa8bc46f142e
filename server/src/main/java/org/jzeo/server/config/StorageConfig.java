package org.jzeo.server.config;

/**
 * One storage the server serves, from a storage section ({@code <filestorage NAME>}, {@code <mappingstorage NAME>}).
 * Clients pick it by {@link #name()} when they register.
 */
public sealed interface StorageConfig permits FileStorageConfig, MappingStorageConfig {

    /** The name clients register with: the section name, lower-cased, or {@code "1"} when the section has none. */
    String name();
}
