package org.jzeo.bench.client;

import org.jzeo.bench.server.ServerProcess;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;

/**
 * {@code ShootoutTool --diagnose}: times the sections under each shootout phase, one client, through the public
 * layers below the application API (ClientStorage, DiskCache), so that the cost of each layer shows:
 * the commit split into newOids / record encoding / store / vote / finish, a cold read by ClientStorage.loadBefore
 * (network + cache store) against loadSerial (network only) and against k concurrent readers (pipelining), the
 * DiskCache alone (store and hit), a warm read by ClientStorage (cache hit) against the connection's read.
 * Prints µs per object, median over the repeats.
 */
final class Diagnose {
    private final String address;
    private final String storageName;
    private final int n;
    private final int size;
    private final long cacheSize;
    private final int repeats;
    private final int warmups;
    private final byte[] template;

    Diagnose(String address, String storageName, int n, int size, long cacheSize, int repeats, int warmups) {
        this.address = address;
        this.storageName = storageName;
        this.n = n;
        this.size = size;
        this.cacheSize = cacheSize;
        this.repeats = repeats;
        this.warmups = warmups;
        this.template = new byte[size];
        new Random(7).nextBytes(template);
    }

    private ClientOptions temporary() {
        return ClientOptions.of(address).withStorage(storageName).withCacheSize(cacheSize);
    }

    /** Median of {@code values} (ns per batch) as µs per object. */
    private String perObject(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
        return String.format(Locale.ROOT, "%7.2f µs/object (%,9.0f objects/s)", median / 1e3 / n, n / (median / 1e9));
    }

    void run() throws Exception {
        System.out.printf(Locale.ROOT, "%n## Diagnostics: sections of each phase, one client, %d objects of %d bytes,"
                + " median of %d repeats after %d warm-ups%n%n", n, size, repeats, warmups);
        int total = warmups + repeats;
        long[] newOids = new long[repeats];
        long[] encode = new long[repeats];
        long[] store = new long[repeats];
        long[] vote = new long[repeats];
        long[] finish = new long[repeats];
        long[] coldLoadBefore = new long[repeats];
        long[] coldLoadSerial = new long[repeats];
        long[] cold4 = new long[repeats];
        long[] warmStorage = new long[repeats];
        long[] connRead = new long[repeats];
        long[] diskStore = new long[repeats];
        long[] diskHit = new long[repeats];
        try (ClientStorage writer = new ClientStorage(temporary())) {
            for (int round = 0; round < total; round++) {
                int slot = round - warmups;
                // ---- add, split
                long t0 = System.nanoTime();
                List<Oid> oids = writer.newOids(n);
                long t1 = System.nanoTime();
                List<byte[]> records = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    records.add(JzeoRecord.encode(List.of(), template.clone()));
                }
                long t2 = System.nanoTime();
                StorageTransaction txn = writer.begin(TransactionMetadata.empty());
                for (int i = 0; i < n; i++) {
                    txn.store(oids.get(i), Tid.ZERO, records.get(i));
                }
                long t3 = System.nanoTime();
                txn.vote();
                long t4 = System.nanoTime();
                Tid committed = txn.finish();
                long t5 = System.nanoTime();
                // ---- cold: ClientStorage.loadBefore with an empty cache (network + cache store)
                Tid before = committed.next();
                long c0;
                long c1;
                try (ClientStorage cold = new ClientStorage(temporary())) {
                    c0 = System.nanoTime();
                    for (Oid oid : oids) {
                        check(cold.loadBefore(oid, before));
                    }
                    c1 = System.nanoTime();
                }
                // ---- cold, network only: loadSerial (no cache, no in-flight map)
                long s0;
                long s1;
                try (ClientStorage cold = new ClientStorage(temporary())) {
                    s0 = System.nanoTime();
                    for (Oid oid : oids) {
                        if (cold.loadSerial(oid, committed).length != records.get(0).length) {
                            throw new IllegalStateException("unexpected loadSerial result");
                        }
                    }
                    s1 = System.nanoTime();
                }
                // ---- cold with 4 reader threads on one storage (requests in flight together)
                long p0;
                long p1;
                ExecutorService readers = Executors.newFixedThreadPool(4);
                try (ClientStorage cold = new ClientStorage(temporary())) {
                    p0 = System.nanoTime();
                    List<Future<?>> parts = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        int from = k * n / 4;
                        int to = (k + 1) * n / 4;
                        parts.add(readers.submit(() -> {
                            for (Oid oid : oids.subList(from, to)) {
                                check(cold.loadBefore(oid, before));
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : parts) {
                        f.get();
                    }
                    p1 = System.nanoTime();
                } finally {
                    readers.shutdown();
                }
                // ---- warm, ClientStorage level: the writer's cache holds the committed records (hits)
                long w0 = System.nanoTime();
                for (Oid oid : oids) {
                    check(writer.loadBefore(oid, before));
                }
                long w1 = System.nanoTime();
                // ---- the same hits through a fresh connection (decode + object cache + copy on top)
                long r0;
                long r1;
                try (ClientConnectionFactory factory = new ClientConnectionFactory(writer);
                     StorageConnection c = factory.getConnection()) {
                    r0 = System.nanoTime();
                    c.begin();
                    for (Oid oid : oids) {
                        c.read(oid);
                    }
                    c.commit();
                    r1 = System.nanoTime();
                }
                // ---- the disk cache alone: n stores, then n hits
                long d0;
                long d1;
                long d2;
                try (DiskCache cache = DiskCache.temporary(cacheSize)) {
                    Tid start = Tid.of(1000);
                    d0 = System.nanoTime();
                    for (Oid oid : oids) {
                        cache.store(oid, start, null, records.get(0));
                    }
                    d1 = System.nanoTime();
                    Tid after = start.next();
                    for (Oid oid : oids) {
                        check(cache.loadBefore(oid, after));
                    }
                    d2 = System.nanoTime();
                }
                if (slot >= 0) {
                    newOids[slot] = t1 - t0;
                    encode[slot] = t2 - t1;
                    store[slot] = t3 - t2;
                    vote[slot] = t4 - t3;
                    finish[slot] = t5 - t4;
                    coldLoadBefore[slot] = c1 - c0;
                    coldLoadSerial[slot] = s1 - s0;
                    cold4[slot] = p1 - p0;
                    warmStorage[slot] = w1 - w0;
                    connRead[slot] = r1 - r0;
                    diskStore[slot] = d1 - d0;
                    diskHit[slot] = d2 - d1;
                }
            }
        }
        System.out.println("add (new objects, ClientStorage API directly):");
        System.out.println("  newOids(n)                        " + perObject(newOids));
        System.out.println("  JzeoRecord.encode                 " + perObject(encode));
        System.out.println("  txn.store (buffered)              " + perObject(store));
        System.out.println("  txn.vote (send all + wait)        " + perObject(vote));
        System.out.println("  txn.finish (incl. cache update)   " + perObject(finish));
        long[] commit = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            commit[i] = newOids[i] + encode[i] + store[i] + vote[i] + finish[i];
        }
        System.out.println("  total                             " + perObject(commit));
        System.out.println("cold:");
        System.out.println("  ClientStorage.loadBefore, 1 thread " + perObject(coldLoadBefore));
        System.out.println("  ClientStorage.loadSerial, 1 thread " + perObject(coldLoadSerial)
                + "  (round trip, no cache store)");
        System.out.println("  loadBefore, 4 threads, 1 storage  " + perObject(cold4) + "  (4 requests in flight)");
        System.out.println("warm / hot:");
        System.out.println("  ClientStorage.loadBefore, hit      " + perObject(warmStorage));
        System.out.println("  connection.read, object cache miss " + perObject(connRead)
                + "  (= storage hit + decode + object cache)");
        System.out.println("DiskCache alone (temporary file):");
        System.out.println("  store                             " + perObject(diskStore));
        System.out.println("  loadBefore hit                    " + perObject(diskHit));
    }

    private void check(LoadResult r) {
        if (r == null || r.data() == null) {
            throw new IllegalStateException("diagnostics: a load found nothing");
        }
    }
}
