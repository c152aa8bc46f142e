package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads through FileStorage's record cache, which keeps records by file position: what it returns is always the
 * record the index points at now, across commits and across a pack that moves records to positions where other
 * records were cached.
 */
class RecordCacheTest {
    @TempDir
    Path dir;

    private static Tid store(FileStorage storage, long oid, String text) {
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        Tid serial;
        try {
            serial = storage.getTid(Oid.of(oid));
        } catch (org.jzeo.api.POSKeyException e) {
            serial = Tid.ZERO;
        }
        txn.store(Oid.of(oid), serial, text.getBytes(StandardCharsets.UTF_8));
        txn.vote();
        return txn.finish();
    }

    private static String current(FileStorage storage, long oid) {
        return new String(storage.loadBefore(Oid.of(oid), Tid.MAX).data(), StandardCharsets.UTF_8);
    }

    @Test
    void aCommittedChangeIsLoadedAfterTheFormerRevisionWasCached() {
        try (FileStorage storage = FileStorage.open(dir.resolve("Data.fs"), VectorFiles.testOptions(),
                ReferenceFinder.unavailable())) {
            store(storage, 1, "one v1");
            assertThat(current(storage, 1)).isEqualTo("one v1");
            Tid v2 = store(storage, 1, "one v2");
            assertThat(current(storage, 1)).isEqualTo("one v2");
            assertThat(storage.loadBefore(Oid.of(1), v2).data()).asString(StandardCharsets.UTF_8)
                    .isEqualTo("one v1");
        }
    }

    @Test
    void afterAPackMovesRecordsEveryObjectLoadsItsOwnData() {
        try (FileStorage storage = FileStorage.open(dir.resolve("Data.fs"), VectorFiles.testOptions(),
                ReferenceFinder.unavailable())) {
            // Same-sized transactions: when pack drops the first ones, each later record moves to exactly where
            // an earlier transaction's record was, a position the cache has seen.
            for (long oid = 1; oid <= 20; oid++) {
                store(storage, oid, String.format("object %02d rev 1", oid));
            }
            for (long oid = 1; oid <= 10; oid++) {
                store(storage, oid, String.format("object %02d rev 2", oid));
            }
            for (long oid = 1; oid <= 20; oid++) {
                current(storage, oid);
            }
            storage.pack(storage.lastTransaction(), false);
            for (long oid = 1; oid <= 20; oid++) {
                assertThat(current(storage, oid)).as("object %d after the pack", oid)
                        .isEqualTo(String.format("object %02d rev %d", oid, oid <= 10 ? 2 : 1));
            }
        }
    }

    @Test
    void loadsFromMemoryOnlyWhenTheCachedCurrentRevisionAnswers() {
        try (FileStorage storage = FileStorage.open(dir.resolve("Data.fs"), VectorFiles.testOptions(),
                ReferenceFinder.unavailable())) {
            Oid one = Oid.of(1);
            Tid v1 = store(storage, 1, "one v1");
            assertThat(storage.loadsFromMemory(one, Tid.MAX)).as("never loaded").isFalse();
            current(storage, 1);
            assertThat(storage.loadsFromMemory(one, Tid.MAX)).as("loaded once").isTrue();
            assertThat(storage.loadsFromMemory(one, v1)).as("a revision before the cached one").isFalse();
            store(storage, 1, "one v2");
            assertThat(storage.loadsFromMemory(one, Tid.MAX)).as("changed since").isFalse();
            assertThat(storage.loadsFromMemory(Oid.of(99), Tid.MAX)).as("no such object: nothing to read").isTrue();
        }
    }

    @Test
    void aCacheOfZeroBytesKeepsNothingAndStillLoads() {
        try (FileStorage storage = FileStorage.open(dir.resolve("Data.fs"),
                VectorFiles.testOptions().withRecordCacheBytes(0), ReferenceFinder.unavailable())) {
            store(storage, 1, "uncached");
            assertThat(current(storage, 1)).isEqualTo("uncached");
            assertThat(storage.loadsFromMemory(Oid.of(1), Tid.MAX)).isFalse();
        }
    }
}
