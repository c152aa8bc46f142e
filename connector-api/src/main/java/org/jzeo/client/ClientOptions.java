package org.jzeo.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jzeo.client.blob.BlobOptions;
import org.jzeo.client.net.ClientTls;
import org.jzeo.config.ConfigValues;
import org.jzeo.client.net.ServerAddress;

/**
 * How a {@link ClientStorage} connects and caches, with ZEO's client option names and defaults (in brackets the
 * name used by {@link #fromProperties}).
 *
 * @param servers           addresses to try, in order [{@code server}, several separated by spaces or commas]
 * @param storage           the storage name on the server [{@code storage}, "1"]
 * @param cacheSize         client cache size in bytes [{@code cache-size}, 20 MB]
 * @param client            persistent cache name: with it the cache is {@code <var>/<client>-<storage>.jzc} and
 *                          survives restarts; without it the cache is a temporary file [{@code client}]
 * @param var               folder of the persistent cache [{@code var}, the working directory]
 * @param minDisconnectPoll first reconnect delay [{@code min-disconnect-poll}, 5 s]
 * @param maxDisconnectPoll reconnect delays double up to this [{@code max-disconnect-poll}, 300 s]
 * @param waitForConnection the constructor waits until connected and verified [{@code wait}, true]
 * @param waitTimeout       how long it waits [{@code wait-timeout}, 30 s]
 * @param readOnly          register read-only [{@code read-only}, false]
 * @param readOnlyFallback  accept a read-only server while none is writable, and switch when one is
 *                          [{@code read-only-fallback}, false]
 * @param tls               TLS settings, null for plain TCP
 * @param connectTimeout    how long one connection attempt may take, handshake included (10 s)
 * @param cacheTrace        also write a trace of cache events to {@code <cache file>.trace} [{@code cache-trace}]
 * @param blobs             the blob directory and cache [{@code blob-dir}, {@code shared-blob-dir},
 *                          {@code blob-cache-size}, {@code blob-cache-size-check}]; see {@link BlobOptions}
 * @param credentials       who to sign on as when the server requires authentication, null for nobody
 *                          [{@code username}, {@code password}, {@code realm}]
 */
public record ClientOptions(List<ServerAddress> servers, String storage, long cacheSize, String client, Path var,
                            Duration minDisconnectPoll, Duration maxDisconnectPoll, boolean waitForConnection,
                            Duration waitTimeout, boolean readOnly, boolean readOnlyFallback, ClientTls tls,
                            Duration connectTimeout, boolean cacheTrace, BlobOptions blobs, Credentials credentials) {

    public static final long DEFAULT_CACHE_SIZE = 20L * 1024 * 1024;

    public ClientOptions {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server address is required");
        }
        Objects.requireNonNull(storage, "storage");
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache-size must not be negative");
        }
        var = var == null ? Path.of("") : var;
        blobs = blobs == null ? BlobOptions.NONE : blobs;
        if (minDisconnectPoll.isNegative() || minDisconnectPoll.isZero()
                || maxDisconnectPoll.compareTo(minDisconnectPoll) < 0) {
            throw new IllegalArgumentException("need 0 < min-disconnect-poll <= max-disconnect-poll, got "
                    + minDisconnectPoll + " and " + maxDisconnectPoll);
        }
        if (readOnly && readOnlyFallback) {
            throw new IllegalArgumentException("read-only and read-only-fallback exclude each other");
        }
    }

    /** Defaults for the given servers ("host:port" or socket paths). */
    public static ClientOptions of(String... servers) {
        return new ClientOptions(ServerAddress.parseList(String.join(" ", servers)), "1", DEFAULT_CACHE_SIZE, null,
                null, Duration.ofSeconds(5), Duration.ofSeconds(300), true, Duration.ofSeconds(30), false, false,
                null, Duration.ofSeconds(10), false, BlobOptions.NONE, null);
    }

    /**
     * Options from ZEO-style names (see the parameters). Values follow ZConfig's rules ({@link ConfigValues}): sizes
     * like {@code 20MB}, intervals like {@code 5}, {@code 2.5s} or {@code 5m}, booleans on/off, yes/no, true/false. Unknown names are refused.
     */
    public static ClientOptions fromProperties(Map<String, String> properties) {
        String server = properties.get("server");
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("option 'server' is required");
        }
        ClientOptions options = of(server);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String v = e.getValue().trim();
            options = switch (e.getKey()) {
                case "server" -> options;
                case "storage" -> options.withStorage(v);
                case "cache-size" -> options.withCacheSize(ConfigValues.byteSize(v));
                case "client" -> options.withClient(v.isEmpty() ? null : v);
                case "var" -> options.withVar(Path.of(v));
                case "min-disconnect-poll" -> options.withDisconnectPoll(ConfigValues.timeInterval(v), options.maxDisconnectPoll);
                case "max-disconnect-poll" -> options.withDisconnectPoll(options.minDisconnectPoll, ConfigValues.timeInterval(v));
                case "wait" -> options.withWait(ConfigValues.bool(v), options.waitTimeout);
                case "wait-timeout" -> options.withWait(options.waitForConnection, ConfigValues.timeInterval(v));
                case "read-only" -> options.withReadOnly(ConfigValues.bool(v));
                case "read-only-fallback" -> options.withReadOnlyFallback(ConfigValues.bool(v));
                case "cache-trace" -> options.withCacheTrace(ConfigValues.bool(v));
                case "blob-dir" -> options.withBlobs(options.blobs.withDirectory(v.isEmpty() ? null : Path.of(v)));
                case "shared-blob-dir" -> options.withBlobs(options.blobs.withShared(ConfigValues.bool(v)));
                case "blob-cache-size" -> options.withBlobs(options.blobs.withCacheSize(ConfigValues.byteSize(v)));
                case "blob-cache-size-check" -> options.withBlobs(options.blobs.withCacheSizeCheck(Integer.parseInt(v)));
                case "username", "password", "realm" -> options;
                default -> throw new IllegalArgumentException("unknown client option '" + e.getKey() + "'");
            };
        }
        String username = properties.get("username");
        String password = properties.get("password");
        String realm = properties.get("realm");
        if (username != null && !username.isBlank()) {
            if (password == null) {
                throw new IllegalArgumentException("option 'username' needs 'password'");
            }
            options = options.withCredentials(new Credentials(username.trim(), password,
                    realm == null || realm.isBlank() ? null : realm.trim()));
        } else if (password != null && !password.isEmpty()) {
            throw new IllegalArgumentException("option 'password' needs 'username'");
        }
        return options;
    }

    public ClientOptions withStorage(String name) {
        return new ClientOptions(servers, name, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withCacheSize(long bytes) {
        return new ClientOptions(servers, storage, bytes, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    /** A persistent cache named {@code name} (null: temporary cache). */
    public ClientOptions withClient(String name) {
        return new ClientOptions(servers, storage, cacheSize, name, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withVar(Path folder) {
        return new ClientOptions(servers, storage, cacheSize, client, folder, minDisconnectPoll, maxDisconnectPoll,
                waitForConnection, waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withDisconnectPoll(Duration min, Duration max) {
        return new ClientOptions(servers, storage, cacheSize, client, var, min, max, waitForConnection, waitTimeout, readOnly,
                readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withWait(boolean waitForServer, Duration timeout) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll,
                waitForServer, timeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withReadOnly(boolean value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, value, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withReadOnlyFallback(boolean value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, value, tls, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withTls(ClientTls value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, value, connectTimeout, cacheTrace, blobs, credentials);
    }

    public ClientOptions withConnectTimeout(Duration value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, value, cacheTrace, blobs, credentials);
    }

    public ClientOptions withCacheTrace(boolean value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, value, blobs, credentials);
    }

    public ClientOptions withBlobs(BlobOptions value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, value, credentials);
    }

    public ClientOptions withCredentials(Credentials value) {
        return new ClientOptions(servers, storage, cacheSize, client, var, minDisconnectPoll, maxDisconnectPoll, waitForConnection,
                waitTimeout, readOnly, readOnlyFallback, tls, connectTimeout, cacheTrace, blobs, value);
    }

    /** Signs on as {@code username} with {@code password} (ZEO's {@code username} and {@code password}). */
    public ClientOptions withCredentials(String username, String password) {
        return withCredentials(Credentials.of(username, password));
    }

    /** A blob cache (or, {@code shared}, the server's blob directory) at {@code directory}, ZEO's {@code blob-dir}. */
    public ClientOptions withBlobDir(Path directory, boolean shared) {
        return withBlobs(blobs.withDirectory(directory).withShared(shared));
    }

    /** The persistent cache file, or null for a temporary cache. */
    public Path cacheFile() {
        return client == null ? null : var.resolve(client + "-" + storage + ".jzc");
    }
}
