package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.PackProgress;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileStorage behaviour beyond the storage contract: files, locking, index snapshots, pack under load. */
class FileStorageBehaviourTest {
    private static final ReferenceFinder JZEO_REFERENCES = (oid, data) -> JzeoRecord.decode(data).references();

    @TempDir
    Path dir;

    private FileStorage open(Path path) {
        return FileStorage.open(path, VectorFiles.testOptions(), JZEO_REFERENCES);
    }

    private static Tid commit(FileStorage storage, Map<Oid, byte[]> writes) {
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        writes.forEach((oid, data) -> {
            Tid serial;
            try {
                serial = storage.getTid(oid);
            } catch (org.jzeo.api.POSKeyException e) {
                serial = Tid.ZERO;
            }
            txn.store(oid, serial, data);
        });
        txn.vote();
        return txn.finish();
    }

    private static byte[] record(String payload, long... references) {
        return JzeoRecord.encode(java.util.Arrays.stream(references).mapToObj(Oid::of).toList(),
                payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHasTheFileOpen() {
        Path path = dir.resolve("Data.fs");
        try (FileStorage first = open(path)) {
            assertThatThrownBy(() -> open(path)).isInstanceOf(StorageLockedException.class)
                    .hasMessageContaining("locked");
            try (FileStorage reader = FileStorage.open(path, VectorFiles.testOptions().withReadOnly(true),
                    JZEO_REFERENCES)) {
                assertThat(reader.isReadOnly()).isTrue();
            }
        }
        open(path).close();
    }

    @Test
    void readOnlyStorageRefusesWrites() {
        Path path = dir.resolve("Data.fs");
        open(path).close();
        try (FileStorage storage = FileStorage.open(path, VectorFiles.testOptions().withReadOnly(true),
                JZEO_REFERENCES)) {
            assertThatThrownBy(() -> storage.begin(TransactionMetadata.empty())).isInstanceOf(ReadOnlyException.class);
            assertThatThrownBy(() -> storage.newOids(1)).isInstanceOf(ReadOnlyException.class);
            assertThatThrownBy(() -> storage.pack(Tid.MAX, true)).isInstanceOf(ReadOnlyException.class);
        }
    }

    @Test
    void readOnlyOpenOfAMissingFileSaysSo() {
        assertThatThrownBy(() -> FileStorage.open(dir.resolve("none.fs"), VectorFiles.testOptions().withReadOnly(true),
                JZEO_REFERENCES)).isInstanceOf(StorageException.class).hasMessageContaining("does not exist");
    }

    @Test
    void aMissingFolderIsRefusedAndLeftUncreatedUnlessCreatingFoldersIsAllowed() {
        Path folder = dir.resolve("no").resolve("such");
        Path path = folder.resolve("Data.fs");

        assertThatThrownBy(() -> FileStorage.open(path, VectorFiles.testOptions(), JZEO_REFERENCES))
                .isInstanceOfSatisfying(MissingFolderException.class,
                        e -> assertThat(e.folder()).isEqualTo(folder.toAbsolutePath()))
                .hasMessage(path.toAbsolutePath() + ": the folder " + folder.toAbsolutePath() + " does not exist");
        assertThat(dir.resolve("no")).doesNotExist();

        try (FileStorage storage = FileStorage.open(path,
                VectorFiles.testOptions().withCreateMissingFolders(true), JZEO_REFERENCES)) {
            assertThat(storage.lastTransaction()).isEqualTo(Tid.ZERO);
        }
        assertThat(path).isRegularFile();
    }

    @Test
    void indexSnapshotIsUsedWhenItMatchesAndIgnoredWhenItDoesNot() throws IOException {
        Path path = dir.resolve("Data.fs");
        try (FileStorage storage = open(path)) {
            for (int i = 0; i < 20; i++) {
                commit(storage, Map.of(Oid.of(i % 7), record("v" + i)));
            }
        }
        Path snapshot = IndexFile.pathFor(path);
        assertThat(snapshot).exists();
        byte[] good = Files.readAllBytes(snapshot);
        try (FileStorage storage = open(path)) {
            assertThat(storage.length()).isEqualTo(7);
            commit(storage, Map.of(Oid.of(100), record("new")));
        }
        // An older snapshot still matches a prefix of the file: it is used and the rest is scanned.
        Files.write(snapshot, good);
        try (FileStorage storage = open(path)) {
            assertThat(storage.length()).isEqualTo(8);
            assertThat(new String(JzeoRecord.decode(storage.loadBefore(Oid.of(100), Tid.MAX).data()).payload()))
                    .isEqualTo("new");
        }
        // A damaged snapshot fails its checksum and the index is rebuilt.
        byte[] damaged = Files.readAllBytes(snapshot);
        damaged[40] ^= 0x55;
        Files.write(snapshot, damaged);
        try (FileStorage storage = open(path)) {
            assertThat(storage.length()).isEqualTo(8);
            for (int i = 0; i < 7; i++) {
                assertThat(storage.loadBefore(Oid.of(i), Tid.MAX)).isNotNull();
            }
        }
    }

    @Test
    void newOidsStayAboveEveryStoredOidAcrossReopen() {
        Path path = dir.resolve("Data.fs");
        try (FileStorage storage = open(path)) {
            assertThat(storage.newOids(1)).containsExactly(Oid.of(1));
            commit(storage, Map.of(Oid.of(500), record("x")));
            assertThat(storage.newOids(2)).containsExactly(Oid.of(501), Oid.of(502));
        }
        try (FileStorage storage = open(path)) {
            assertThat(storage.newOids(1)).containsExactly(Oid.of(501));
        }
    }

    @Test
    void aRunningPackPublishesItsProgressAndNothingIsLeftOnceItEnds() throws Exception {
        Path path = dir.resolve("Data.fs");
        CountDownLatch packInGc = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ReferenceFinder pausingFinder = (oid, data) -> {
            packInGc.countDown();
            try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return JzeoRecord.decode(data).references();
        };
        try (FileStorage storage = FileStorage.open(path, VectorFiles.testOptions(), pausingFinder)) {
            commit(storage, Map.of(Oid.ROOT, record("root", 1), Oid.of(1), record("one v1"), Oid.of(2), record("x")));
            commit(storage, Map.of(Oid.of(1), record("one v2")));
            assertThat(storage.packProgress()).as("no pack yet").isEmpty();
            ExecutorService packer = Executors.newSingleThreadExecutor();
            try {
                Future<?> pack = packer.submit(() -> storage.pack(storage.lastTransaction(), true));
                assertThat(packInGc.await(30, TimeUnit.SECONDS)).as("pack reached its GC phase").isTrue();

                // Held in the root's references: the root is the first of the 3 objects current at the pack time.
                assertThat(storage.packProgress()).hasValueSatisfying(p -> {
                    assertThat(p.phase()).isEqualTo(PackProgress.Phase.FINDING_REACHABLE);
                    assertThat(p.done()).isEqualTo(1);
                    assertThat(p.total()).isEqualTo(3);
                });
                release.countDown();
                pack.get(60, TimeUnit.SECONDS);
            } finally {
                release.countDown();
                packer.shutdown();
            }
            assertThat(storage.packProgress()).as("after the pack").isEmpty();
        }
    }

    @Test
    void commitsMadeWhilePackRunsSurviveThePack() throws Exception {
        Path path = dir.resolve("Data.fs");
        CountDownLatch packInGc = new CountDownLatch(1);
        CountDownLatch commitsDone = new CountDownLatch(1);
        ReferenceFinder pausingFinder = (oid, data) -> {
            packInGc.countDown();
            try {
                assertThat(commitsDone.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return JzeoRecord.decode(data).references();
        };
        try (FileStorage storage = FileStorage.open(path, VectorFiles.testOptions(), pausingFinder)) {
            commit(storage, Map.of(Oid.ROOT, record("root v1", 1), Oid.of(1), record("one v1"),
                    Oid.of(2), record("garbage")));
            commit(storage, Map.of(Oid.of(1), record("one v2")));
            Tid packTime = storage.lastTransaction();
            ExecutorService packer = Executors.newSingleThreadExecutor();
            Future<?> pack = packer.submit(() -> storage.pack(packTime, true));
            assertThat(packInGc.await(30, TimeUnit.SECONDS)).as("pack reached its GC phase").isTrue();
            Tid during1 = commit(storage, Map.of(Oid.of(1), record("one v3")));
            Tid during2 = commit(storage, Map.of(Oid.of(3), record("three v1"), Oid.ROOT, record("root v2", 1, 3)));
            commitsDone.countDown();
            pack.get(60, TimeUnit.SECONDS);
            packer.shutdown();

            assertThat(storage.lastTransaction()).isEqualTo(during2);
            assertThat(payload(storage, 1)).isEqualTo("one v3");
            assertThat(payload(storage, 3)).isEqualTo("three v1");
            assertThat(storage.loadBefore(Oid.of(1), during1).data()).isNotNull();
            assertThatThrownBy(() -> storage.loadBefore(Oid.of(2), Tid.MAX))
                    .isInstanceOf(org.jzeo.api.POSKeyException.class);
            // History before the pack time is gone: the first revision of oid 1 no longer exists.
            assertThat(storage.history(Oid.of(1), 10)).hasSize(2);
            Tid after = commit(storage, Map.of(Oid.of(1), record("one v4")));
            assertThat(storage.lastTransaction()).isEqualTo(after);
        }
        try (FileStorage reopened = open(path)) {
            assertThat(payload(reopened, 1)).isEqualTo("one v4");
            assertThat(payload(reopened, 3)).isEqualTo("three v1");
            assertThat(reopened.length()).isEqualTo(3);
        }
    }

    @Test
    void packStopsOnAnUnreadableRecordAndChangesNothing() throws IOException {
        Path path = dir.resolve("Data.fs");
        try (FileStorage storage = open(path)) {
            commit(storage, Map.of(Oid.ROOT, record("root", 1)));
            commit(storage, Map.of(Oid.of(1), "not a record at all".getBytes()));
            byte[] before = Files.readAllBytes(path);
            assertThatThrownBy(() -> storage.pack(storage.lastTransaction(), true))
                    .isInstanceOf(StorageException.class).hasMessageContaining("pack stopped");
            assertThat(Files.readAllBytes(path)).isEqualTo(before);
            assertThat(dir.resolve("Data.fs.pack")).doesNotExist();
        }
    }

    @Test
    void packWithoutGcKeepsUnreachableObjects() {
        Path path = dir.resolve("Data.fs");
        try (FileStorage storage = FileStorage.open(path, VectorFiles.testOptions(), ReferenceFinder.unavailable())) {
            commit(storage, Map.of(Oid.ROOT, record("root"), Oid.of(5), record("orphan v1")));
            commit(storage, Map.of(Oid.of(5), record("orphan v2")));
            storage.pack(storage.lastTransaction(), false);
            assertThat(payload(storage, 5)).isEqualTo("orphan v2");
            assertThat(storage.history(Oid.of(5), 10)).hasSize(1);
            commit(storage, Map.of(Oid.of(5), record("orphan v3")));
            assertThatThrownBy(() -> storage.pack(storage.lastTransaction(), true))
                    .isInstanceOf(StorageException.class).hasMessageContaining("no reference finder");
        }
    }

    private static String payload(FileStorage storage, long oid) {
        return new String(JzeoRecord.decode(storage.loadBefore(Oid.of(oid), Tid.MAX).data()).payload());
    }

    @Test
    void extensionUserAndDescriptionAreStoredAsPythonWouldReadThem() {
        Path path = dir.resolve("Data.fs");
        try (FileStorage storage = open(path)) {
            StorageTransaction txn = storage.begin(TransactionMetadata.of("/ alice", "déjà vu",
                    Map.of("k", "v", "n", 3L)));
            txn.store(Oid.ROOT, Tid.ZERO, record("root"));
            txn.vote();
            Tid tid = txn.finish();
            var h = storage.history(Oid.ROOT, 1).get(0);
            assertThat(h.tid()).isEqualTo(tid);
            assertThat(new String(h.user(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("/ alice");
            assertThat(new String(h.description(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("déjà vu");
            assertThat(h.extension()).containsEntry("k", "v").containsEntry("n", 3L);
            List<org.jzeo.storage.UndoEntry> log = storage.undoLog(0, 20);
            assertThat(log).hasSize(1);
            assertThat(new String(log.get(0).id())).isEqualTo(java.util.Base64.getEncoder()
                    .encodeToString(tid.toBytes()));
        }
    }
}
