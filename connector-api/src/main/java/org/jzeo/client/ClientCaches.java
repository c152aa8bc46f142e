package org.jzeo.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jzeo.client.cache.ClientCache;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.client.cache.TracingCache;

/**
 * Opens the cache the options ask for: persistent under {@code var} with a client name, else temporary; with
 * {@code cache-trace}, wrapped so every cache event is appended to a trace file for {@code jzeo cache-sim}.
 */
final class ClientCaches {
    private ClientCaches() {
    }

    static ClientCache open(ClientOptions options) {
        Path file = options.cacheFile();
        ClientCache cache = file == null ? DiskCache.temporary(options.cacheSize())
                : DiskCache.persistent(file, options.cacheSize());
        if (!options.cacheTrace()) {
            return cache;
        }
        Path trace = file != null ? Path.of(file + ".trace")
                : options.var().resolve("jzeo-client-" + options.storage() + ".trace");
        try {
            return TracingCache.wrap(cache, trace);
        } catch (IOException e) {
            cache.close();
            throw new UncheckedIOException("cannot write the cache trace " + trace, e);
        }
    }
}
