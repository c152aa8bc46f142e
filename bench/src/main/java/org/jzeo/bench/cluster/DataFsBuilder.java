package org.jzeo.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.bench.BenchSupport;
import org.jzeo.bench.server.ZeoRequests;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * Writes a Data.fs of about the size asked for, through FileStorage directly (no server, fsync off), shaped like
 * a database that has lived a while: many small transactions, each adding a few objects and updating a few
 * earlier ones, so that objects have several revisions. Records are ZODB-shaped pickles ({@link ZeoRequests#record})
 * of a few sizes, so a copy that looks inside them (references) finds what it expects.
 */
final class DataFsBuilder {
    private static final int PER_TXN = 10;
    private static final int[] SIZES = {200, 500, 1000, 2000, 4000};

    private DataFsBuilder() {
    }

    /** Builds {@code dir/Data.fs} anew, until it holds at least {@code megabytes} MB; returns its path. */
    static Path build(Path dir, int megabytes) throws IOException {
        Files.createDirectories(dir);
        BenchSupport.deleteDataFs(dir);
        Path dataFs = dir.resolve("Data.fs");
        long target = (long) megabytes << 20;
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            records.add(ZeoRequests.record(SIZES[i % SIZES.length], 1000 + i));
        }
        SplittableRandom random = new SplittableRandom(42);
        List<Oid> oids = new ArrayList<>();
        List<Tid> serials = new ArrayList<>();
        long start = System.nanoTime();
        long txns = 0;
        // ReferenceFinder.unavailable(): nothing here packs.
        try (FileStorage storage = FileStorage.open(dataFs, FileStorageOptions.defaults().withFsync(false),
                ReferenceFinder.unavailable())) {
            while (storage.size() < target) {
                StorageTransaction txn = storage.begin(TransactionMetadata.of("clusterbench", "transaction " + txns,
                        java.util.Map.of()));
                List<Integer> touched = new ArrayList<>();
                int updates = oids.size() < 1000 ? 0 : PER_TXN / 2;
                for (int k = 0; k < updates; k++) {
                    int i = random.nextInt(oids.size());
                    if (!touched.contains(i)) {
                        touched.add(i);
                        txn.store(oids.get(i), serials.get(i), records.get(random.nextInt(records.size())));
                    }
                }
                List<Oid> added = storage.newOids(PER_TXN - updates);
                for (Oid oid : added) {
                    txn.store(oid, Tid.ZERO, records.get(random.nextInt(records.size())));
                }
                txn.vote();
                Tid tid = txn.finish();
                for (int i : touched) {
                    serials.set(i, tid);
                }
                for (Oid oid : added) {
                    oids.add(oid);
                    serials.add(tid);
                }
                txns++;
            }
        }
        System.out.printf(Locale.ROOT, "# built %s: %,d MB, %,d transactions, %,d objects, %.1f s%n", dataFs,
                Files.size(dataFs) >> 20, txns, oids.size(), (System.nanoTime() - start) / 1e9);
        return dataFs;
    }
}
