package org.jzeo.server.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** StorageCopier between real FileStorages: full, incremental, diverged, non-empty, blobs, dry run. */
class StorageCopierTest {
    @TempDir
    Path tmp;

    private final List<FileStorage> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(FileStorage::close);
    }

    private FileStorage open(String name, boolean blobs) {
        FileStorageOptions options = FileStorageOptions.defaults().withFsync(false).withName(name);
        if (blobs) {
            options = options.withBlobDir(tmp.resolve(name + "-blobs"));
        }
        FileStorage s = FileStorage.open(tmp.resolve(name + ".fs"), options, ReferenceFinder.unavailable());
        opened.add(s);
        return s;
    }

    @Test
    void copiesEveryTransactionRecordAndBackPointerAndKeepsOidsAllocatedAbove() {
        FileStorage source = open("source", false);
        List<Oid> oids = new SampleHistory(source).write();
        FileStorage destination = open("destination", false);
        List<CopyProgress> seen = new ArrayList<>();

        assertThat(SampleHistory.kinds(source)).as("what the sample holds, so that the copy is tested on it")
                .contains("status p", "back pointer", "no data");

        CopyProgress done = new StorageCopier(source, seen::add).copy(null, destination);

        StorageAssertions.assertSameHistory(source, destination);
        List<Tid> tids = StorageAssertions.tids(source);
        assertThat(done.transactions()).isEqualTo(tids.size());
        assertThat(seen).hasSize(tids.size());
        assertThat(seen.get(seen.size() - 1)).isEqualTo(done);
        assertThat(destination.lastTransaction()).isEqualTo(source.lastTransaction());
        Oid highest = StorageAssertions.highestOid(source);
        assertThat(highest).as("the sample stores oids beyond the root").isEqualTo(oids.get(3));
        assertThat(destination.newOids(1).get(0)).isGreaterThan(highest);
    }

    @Test
    void aBackPointerToATransactionTheDestinationLacksIsCopiedAsData() {
        FileStorage source = open("source", false);
        new SampleHistory(source).write();
        // Start after the transaction "a v2", which the undo of "a v3" points back to.
        Tid aV2 = StorageAssertions.tids(source).get(2);
        FileStorage destination = open("destination", false);

        new StorageCopier(source, CopyListener.none()).copy(aV2, destination);

        List<org.jzeo.storage.TransactionRecord> undo = new ArrayList<>();
        try (var it = source.iterator(null, null); var copied = destination.iterator(null, null)) {
            it.forEachRemaining(t -> {
                if (new String(t.description(), java.nio.charset.StandardCharsets.UTF_8).equals("undo a v3")) {
                    undo.add(t);
                }
            });
            copied.forEachRemaining(t -> {
                if (t.tid().equals(undo.get(0).tid())) {
                    undo.add(t);
                }
            });
        }
        assertThat(undo).hasSize(2);
        var original = undo.get(0).records().get(0);
        var copy = undo.get(1).records().get(0);
        assertThat(original.dataTxn()).isEqualTo(aV2);
        assertThat(copy.dataTxn()).as("no back pointer to a transaction that is not there").isNull();
        assertThat(copy.data()).isEqualTo(original.data());
        assertThat(destination.loadBefore(original.oid(), Tid.MAX).data()).isEqualTo(original.data());
    }

    @Test
    void copiesIntoAMemoryStorageToo() {
        FileStorage source = open("source", false);
        new SampleHistory(source).write();
        try (MemoryStorage destination = new MemoryStorage("memory", ReferenceFinder.unavailable(),
                Duration.ofSeconds(10), InstantSource.system())) {
            new StorageCopier(source, CopyListener.none()).copy(null, destination);

            StorageAssertions.assertSameHistory(source, destination);
            assertThat(destination.newOids(1).get(0)).isGreaterThan(StorageAssertions.highestOid(source));
        }
    }

    @Test
    void copiesBlobsByteForByte() {
        FileStorage source = open("source", true);
        new SampleHistory(source).write();
        FileStorage destination = open("destination", true);

        CopyProgress done = new StorageCopier(source, CopyListener.none()).copy(null, destination);

        assertThat(StorageAssertions.assertSameHistory(source, destination)).as("blob revisions compared")
                .isEqualTo(3);
        assertThat(done.blobs()).isEqualTo(3);
    }

    @Test
    void sourceBlobsIntoADestinationWithoutBlobsFailNamingTheOid() {
        FileStorage source = open("source", true);
        new SampleHistory(source).write();
        FileStorage destination = open("destination", false);

        assertThatThrownBy(() -> new StorageCopier(source, CopyListener.none()).copy(null, destination))
                .isInstanceOf(CopyException.class)
                .hasMessageContaining("has a blob in the source 'source', but the destination keeps no blobs");
        assertThatThrownBy(() -> new StorageCopier(source, CopyListener.none()).dryRun(null, false))
                .isInstanceOf(CopyException.class).hasMessageContaining("keeps no blobs");
    }

    @Test
    void incrementalCopiesOnlyTheNewTransactions() {
        FileStorage source = open("source", false);
        SampleHistory history = new SampleHistory(source);
        history.write();
        FileStorage destination = open("destination", false);
        StorageCopier copier = new StorageCopier(source, CopyListener.none());
        copier.copy(copier.startAfter(destination.lastTransaction(), true, "destination"), destination);
        Tid before = destination.lastTransaction();
        history.more("one");
        history.more("two");

        Tid after = copier.startAfter(destination.lastTransaction(), true, "destination");
        CopyProgress done = copier.copy(after, destination);

        assertThat(after).isEqualTo(before);
        assertThat(done.transactions()).isEqualTo(2);
        StorageAssertions.assertSameHistory(source, destination);
        // Nothing new: nothing copied.
        assertThat(copier.copy(copier.startAfter(destination.lastTransaction(), true, "d"), destination)
                .transactions()).isZero();
    }

    @Test
    void incrementalIntoADivergedDestinationFailsBeforeWriting() {
        FileStorage source = open("source", false);
        new SampleHistory(source).write();
        FileStorage destination = open("destination", false);
        StorageCopier copier = new StorageCopier(source, CopyListener.none());
        copier.copy(null, destination);
        commitRoot(destination, "only in the destination");
        Tid diverged = destination.lastTransaction();

        assertThatThrownBy(() -> copier.startAfter(diverged, true, "destination"))
                .isInstanceOf(CopyException.class)
                .hasMessageContaining("--incremental: the destination's last transaction " + diverged)
                .hasMessageContaining("is not in the source 'source'");
    }

    @Test
    void aNonEmptyDestinationIsRefusedWithoutIncremental() {
        FileStorage source = open("source", false);
        new SampleHistory(source).write();
        FileStorage destination = open("destination", false);
        commitRoot(destination, "existing");

        assertThatThrownBy(() -> new StorageCopier(source, CopyListener.none())
                .startAfter(destination.lastTransaction(), false, "destination"))
                .isInstanceOf(CopyException.class)
                .hasMessageContaining("the destination 'destination' is not empty")
                .hasMessageContaining("--clear").hasMessageContaining("--incremental");
    }

    @Test
    void dryRunCountsWhatACopyCopiesAndWritesNothing() {
        FileStorage source = open("source", true);
        new SampleHistory(source).write();
        FileStorage destination = open("destination", true);

        CopyProgress read = new StorageCopier(source, CopyListener.none()).dryRun(null, true);

        assertThat(destination.lastTransaction()).isEqualTo(Tid.ZERO);
        CopyProgress copied = new StorageCopier(source, CopyListener.none()).copy(null, destination);
        assertThat(read.transactions()).isEqualTo(copied.transactions());
        assertThat(read.records()).isEqualTo(copied.records());
        assertThat(read.blobs()).isEqualTo(copied.blobs());
        assertThat(read.bytes()).isEqualTo(copied.bytes());
    }

    /** Files written by Python's FileStorage: pickled extensions, its back pointers, a packed file, ZODB's blobs. */
    @ParameterizedTest
    @ValueSource(strings = {"filestorage/Data.fs", "filestorage/Data-packed.fs", "blobs/bushy/Data.fs",
        "blobs/lawn/Data.fs"})
    void copiesFilesWrittenByPython(String vector) throws Exception {
        Path folder = tmp.resolve("vector");
        Path resource = Path.of(getClass().getResource("/vectors/" + vector).toURI());
        copyTree(resource.getParent(), folder);
        Path blobs = folder.resolve("blobs");
        FileStorageOptions options = FileStorageOptions.defaults().withFsync(false).withName("python");
        FileStorage source = FileStorage.open(folder.resolve(resource.getFileName()),
                Files.isDirectory(blobs) ? options.withBlobDir(blobs) : options, ReferenceFinder.unavailable());
        opened.add(source);
        FileStorage destination = open("destination", true);

        CopyProgress done = new StorageCopier(source, CopyListener.none()).copy(null, destination);

        int blobRevisions = StorageAssertions.assertSameHistory(source, destination);
        assertThat(done.blobs()).isEqualTo(blobRevisions);
        assertThat(blobRevisions > 0).as("blob revisions copied").isEqualTo(Files.isDirectory(blobs));
        assertThat(done.transactions()).isPositive();
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void commitRoot(FileStorage storage, String text) {
        StorageTransaction txn = storage.begin(TransactionMetadata.of("x", text, Map.of()));
        Tid serial = storage.lastTransaction().equals(Tid.ZERO) ? Tid.ZERO : storage.getTid(Oid.ROOT);
        txn.store(Oid.ROOT, serial, SampleHistory.data(text));
        txn.vote();
        txn.finish();
    }
}
