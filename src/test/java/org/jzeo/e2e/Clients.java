package org.jzeo.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientListener;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.cache.ClientCache;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;

/** Client-side helpers: options for test servers, opening clients with listeners, string objects. */
final class Clients {
    /** Small reconnect delays so that a test does not wait for ZEO's 5 s default. */
    static final Duration MIN_POLL = Duration.ofMillis(100);
    static final Duration MAX_POLL = Duration.ofMillis(500);
    static final long CACHE_SIZE = 1024 * 1024;

    private Clients() {
    }

    /** Options for a client of these servers (in this order): fast reconnects, 30 s connect wait, 1 MB cache. */
    static ClientOptions options(ServerProcess... servers) {
        String[] addresses = new String[servers.length];
        for (int i = 0; i < servers.length; i++) {
            addresses[i] = servers[i].hostPort();
        }
        return options(addresses);
    }

    static ClientOptions options(String... addresses) {
        return ClientOptions.of(addresses).withDisconnectPoll(MIN_POLL, MAX_POLL).withWait(true, Await.TIMEOUT)
                .withCacheSize(CACHE_SIZE);
    }

    /** A persistent cache {@code <var>/<name>-1.jzc}. */
    static ClientOptions persistent(ClientOptions options, Path var, String name) {
        return options.withClient(name).withVar(var);
    }

    /** The cache the options ask for, opened here so that a test can look at its {@code openReport()}. */
    static DiskCache openCache(ClientOptions options) {
        Path file = options.cacheFile();
        return file == null ? DiskCache.temporary(options.cacheSize())
                : DiskCache.persistent(file, options.cacheSize());
    }

    /**
     * A connected, verified client with {@code listeners} attached before its first verification, so they hear
     * of everything it did (a cache dropped, objects invalidated, the first connection).
     */
    static ClientStorage open(ClientOptions options, ClientCache cache, ClientListener... listeners)
            throws InterruptedException {
        GatedCache gated = new GatedCache(cache, true);
        ClientStorage storage = new ClientStorage(options.withWait(false, options.waitTimeout()), gated);
        for (ClientListener l : listeners) {
            storage.addListener(l);
        }
        gated.release();
        if (options.waitForConnection() && !storage.awaitConnected(options.waitTimeout())) {
            storage.close();
            throw new AssertionError("client of " + options.servers() + " not connected within "
                    + options.waitTimeout());
        }
        return storage;
    }

    static ClientStorage open(ClientOptions options, ClientListener... listeners) throws InterruptedException {
        return open(options, openCache(options), listeners);
    }

    // ---------------------------------------------------------------- objects holding a string

    static byte[] record(String value) {
        return JzeoRecord.encode(List.of(), value.getBytes(StandardCharsets.UTF_8));
    }

    static String value(byte[] record) {
        return new String(JzeoRecord.decode(record).payload(), StandardCharsets.UTF_8);
    }

    /** The object's state as the client knows it now (its last tid), or null if it has none there. */
    static String current(ClientStorage storage, Oid oid) {
        LoadResult r = storage.loadBefore(oid, storage.lastTransaction().next());
        return r == null || r.data() == null ? null : value(r.data());
    }

    /** The object's revision as the client knows it now: start tid and value. */
    static LoadResult currentRevision(ClientStorage storage, Oid oid) {
        return storage.loadBefore(oid, storage.lastTransaction().next());
    }

    /** Writes {@code values} (new objects or changes) in one transaction of {@code c} and commits it. */
    static Tid commit(StorageConnection c, Map<Oid, String> values) {
        c.begin();
        try {
            values.forEach((oid, v) -> c.write(oid, v.getBytes(StandardCharsets.UTF_8), List.of()));
            return c.commit();
        } catch (RuntimeException e) {
            c.abort();
            throw e;
        }
    }

    static String read(StorageConnection c, Oid oid) {
        return new String(c.read(oid).payload(), StandardCharsets.UTF_8);
    }

    /**
     * Creates {@code count} objects named "{@code prefix}-i" in one transaction through the storage contract
     * (new oids, serial ZERO); returns oid to value, in order.
     */
    static Map<Oid, String> createObjects(ClientStorage storage, String prefix, int count) {
        List<Oid> oids = storage.newOids(count);
        Map<Oid, String> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            values.put(oids.get(i), prefix + "-" + i);
        }
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        values.forEach((oid, v) -> txn.store(oid, Tid.ZERO, record(v)));
        txn.vote();
        txn.finish();
        return values;
    }

    /**
     * Changes existing objects in one transaction through the storage contract, naming the serial the client
     * currently knows for each; returns the commit's tid.
     */
    static Tid change(ClientStorage storage, Map<Oid, String> values) {
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        try {
            for (Map.Entry<Oid, String> e : values.entrySet()) {
                LoadResult current = currentRevision(storage, e.getKey());
                txn.store(e.getKey(), current.start(), record(e.getValue()));
            }
            txn.vote();
            return txn.finish();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
    }

    /** Waits until {@code storage} has heard of transaction {@code tid} (its last tid reached it). */
    static void awaitSeen(ClientStorage storage, Tid tid) {
        Await.until(() -> storage + " has seen " + tid + " (its last tid is " + storage.lastTransaction() + ")",
                Await.TIMEOUT, () -> !storage.lastTransaction().isBefore(tid));
    }

    static List<Oid> oids(Map<Oid, String> values) {
        return new ArrayList<>(values.keySet());
    }
}
