package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a jzeo server needs to start, as read from a {@code zeo.conf} (see {@link ServerConfigLoader}) or
 * {@link #defaults()} when there is none. Guarantees: at least one storage, storage names unique.
 *
 * @param zeo      the {@code <zeo>} section (all defaults when the section is absent)
 * @param storages the storages to serve, in file order
 * @param eventlog the {@code <eventlog>} section, or {@link LogConfig#defaults()} when absent
 */
public record ServerConfig(ZeoConfig zeo, List<StorageConfig> storages, LogConfig eventlog) {

    /** The storage served when no configuration names one. */
    public static final Path DEFAULT_DATA_FILE = Path.of("var", "Data.fs");
    /** ZEO's name for a storage whose section has no name, and the name clients ask for by default. */
    public static final String DEFAULT_STORAGE_NAME = "1";

    public ServerConfig {
        Objects.requireNonNull(zeo, "zeo");
        Objects.requireNonNull(eventlog, "eventlog");
        storages = List.copyOf(storages);
        if (storages.isEmpty()) {
            throw new IllegalArgumentException("no storage");
        }
        Set<String> names = new HashSet<>();
        for (StorageConfig storage : storages) {
            if (!names.add(storage.name())) {
                throw new IllegalArgumentException("two storages named '" + storage.name() + "'");
            }
        }
    }

    /**
     * No configuration file: {@code ./var/Data.fs} as storage {@code 1} on {@code 127.0.0.1:8100}; the {@code var}
     * folder is created when missing.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(ZeoConfig.defaults(),
                List.of(FileStorageConfig.builtInDefault(DEFAULT_STORAGE_NAME, DEFAULT_DATA_FILE)), LogConfig.defaults());
    }

    /** The storage clients reach as {@code name}, if any. */
    public Optional<StorageConfig> storage(String name) {
        return storages.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public ServerConfig withZeo(ZeoConfig value) {
        return new ServerConfig(value, storages, eventlog);
    }

    /** For the command line's {@code -f}: replaces every configured storage. */
    public ServerConfig withStorages(List<StorageConfig> value) {
        return new ServerConfig(zeo, value, eventlog);
    }
}
