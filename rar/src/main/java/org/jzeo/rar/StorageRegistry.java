package org.jzeo.rar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared storages of one resource adapter instance, one per {@link StorageKey}: configuration and signed-on
 * user. A container may create several managed connection factories with the same configuration (one for the pool,
 * one for recovery); keying by configuration makes them share one client storage and cache, and keying by user too
 * keeps every user's connections on a session authenticated as that user.
 */
final class StorageRegistry {
    /**
     * For factories used without a resource adapter (non-managed use): lives as long as the JVM. Its storages
     * are closed by a shutdown hook so that persistent client caches are written out.
     */
    private static final class Standalone {
        static final StorageRegistry INSTANCE = new StorageRegistry();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(INSTANCE::close, "jzeo-rar-standalone-storages"));
        }
    }

    private final Map<StorageKey, SharedStorage> storages = new HashMap<>();
    private boolean closed;

    static StorageRegistry standalone() {
        return Standalone.INSTANCE;
    }

    /** The shared storage for {@code key}, not yet opened if new; IllegalStateException once closed. */
    synchronized SharedStorage storage(StorageKey key) {
        if (closed) {
            throw new IllegalStateException("the jzeo resource adapter was stopped");
        }
        return storages.computeIfAbsent(key, SharedStorage::new);
    }

    /**
     * Forgets {@code storage} if it is still the one for its key and was never opened (its sign-on or connection
     * failed): credentials that never worked leave nothing behind, however many were tried.
     */
    synchronized void forgetIfUnopened(SharedStorage storage) {
        if (!storage.isOpen()) {
            storages.remove(storage.key(), storage);
        }
    }

    /** How many storages are kept (for tests). */
    synchronized int size() {
        return storages.size();
    }

    /** Closes every storage; the registry hands out none afterwards. */
    void close() {
        List<SharedStorage> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(storages.values());
            storages.clear();
        }
        all.forEach(SharedStorage::close);
    }
}
