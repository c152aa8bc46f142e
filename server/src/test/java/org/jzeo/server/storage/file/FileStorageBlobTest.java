package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.blob.BlobLayout;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.UndoEntry;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FileStorage with a blob directory: storeBlob/loadBlob per revision, abort, undo, deletion, restoreBlob and pack
 * (with and without gc, keeping the old files or not), on the real file system.
 */
class FileStorageBlobTest {
    private static final ReferenceFinder REFERENCES = (oid, data) -> JzeoRecord.decode(data).references();
    private static final Oid A = Oid.of(1);
    private static final Oid B = Oid.of(2);

    @TempDir
    Path tmp;

    private FileStorage storage;

    private FileStorage open(boolean keepOld) {
        storage = FileStorage.open(tmp.resolve("Data.fs"), VectorFiles.testOptions().withPackKeepOld(keepOld)
                .withBlobDir(tmp.resolve("blobs")), REFERENCES);
        return storage;
    }

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private static byte[] record(String payload, Oid... references) {
        return JzeoRecord.encode(List.of(references), payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A file in the blob temporary directory holding {@code content}, as an upload would. */
    private Path upload(byte[] content) {
        try {
            Path file = Files.createTempFile(storage.blobTemporaryDirectory(), "upload", ".tmp");
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tid commit(Consumer<StorageTransaction> body) {
        StorageTransaction txn = storage.begin(TransactionMetadata.of("test", "blob test", Map.of()));
        body.accept(txn);
        txn.vote();
        return txn.finish();
    }

    /** Commits a new revision of {@code oid} with blob {@code content}; removes the upload after, as callers do. */
    private Tid storeBlob(Oid oid, byte[] content) {
        Path upload = upload(content);
        Tid serial = storage.currentSerial(oid);
        Tid tid = commit(txn -> txn.storeBlob(oid, serial == null ? Tid.ZERO : serial, record("blob " + oid), upload));
        assertThat(upload).as("the caller's upload after finish").exists();
        try {
            Files.delete(upload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tid;
    }

    private Tid storeRoot(Oid... references) {
        Tid serial = storage.currentSerial(Oid.ROOT);
        return commit(txn -> txn.store(Oid.ROOT, serial == null ? Tid.ZERO : serial, record("root", references)));
    }

    private byte[] blob(Oid oid, Tid serial) {
        try {
            return Files.readAllBytes(storage.loadBlob(oid, serial));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private List<Path> blobFiles(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".blob")).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 59_000, 1 << 20})
    void aStoredBlobIsLoadedByteIdenticalFromItsBushyPath(int size) throws IOException {
        open(true);
        byte[] content = bytes(size, size);

        Tid tid = storeBlob(A, content);

        Path expected = tmp.resolve("blobs/0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x01").resolve(
                BlobLayout.repr(tid.value()) + ".blob");
        assertThat(storage.loadBlob(A, tid)).isEqualTo(expected);
        assertThat(blob(A, tid)).as("blob of %s bytes, read after the upload was removed", size).isEqualTo(content);
        assertThat(storage.supportsBlobs()).isTrue();
        assertThat(Files.readString(tmp.resolve("blobs/.layout"))).isEqualTo("bushy");
        assertThat(storage.blobTemporaryDirectory()).isEqualTo(tmp.resolve("blobs/tmp")).isDirectory();
    }

    @Test
    void everyRevisionKeepsItsOwnFileAndOlderSerialsLoadTheirs() throws IOException {
        open(true);
        Tid t1 = storeBlob(A, bytes(100, 1));
        Tid t2 = storeBlob(A, bytes(200, 2));
        Tid t3 = storeBlob(A, bytes(300, 3));
        storage.close();
        open(true);

        assertThat(blob(A, t1)).isEqualTo(bytes(100, 1));
        assertThat(blob(A, t2)).isEqualTo(bytes(200, 2));
        assertThat(blob(A, t3)).isEqualTo(bytes(300, 3));
        assertThat(storage.loadBefore(A, t3).start()).isEqualTo(t2);
        assertThatThrownBy(() -> storage.loadBlob(A, Tid.of(t3.value() + 1))).isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.loadBlob(B, t1)).isInstanceOf(POSKeyException.class);
    }

    @Test
    void aStoreWithoutBlobAfterABlobStoreOfTheSameOidWinsAndHasNoFile() {
        open(true);
        Path upload = upload(bytes(10, 1));
        Tid tid = commit(txn -> {
            txn.storeBlob(A, Tid.ZERO, record("blob"), upload);
            txn.store(A, Tid.ZERO, record("plain"));
        });

        assertThatThrownBy(() -> storage.loadBlob(A, tid)).isInstanceOf(POSKeyException.class);
    }

    @Test
    void anAbortedTransactionLeavesNoFileAndTheUploadAlone() throws IOException {
        open(true);
        Path upload = upload(bytes(1000, 1));
        StorageTransaction txn = storage.begin(TransactionMetadata.of("test", "aborted", Map.of()));
        txn.storeBlob(A, Tid.ZERO, record("blob"), upload);
        txn.vote();
        txn.abort();

        assertThat(blobFiles(tmp.resolve("blobs"))).isEmpty();
        assertThat(Files.readAllBytes(upload)).isEqualTo(bytes(1000, 1));
    }

    @Test
    void undoGivesTheNewRevisionTheRestoredRevisionsBlob() throws IOException {
        open(true);
        Tid t1 = storeBlob(A, bytes(500, 1));
        Tid t2 = storeBlob(A, bytes(600, 2));

        Tid undo = commit(txn -> txn.undo(UndoEntry.idOf(t2)));

        assertThat(storage.loadBefore(A, Tid.MAX).start()).isEqualTo(undo);
        assertThat(blob(A, undo)).isEqualTo(bytes(500, 1));
        assertThat(storage.loadBlob(A, undo)).isNotEqualTo(storage.loadBlob(A, t1));
        assertThat(blob(A, t2)).as("the undone revision's file stays until pack").isEqualTo(bytes(600, 2));
    }

    @Test
    void undoingABlobsCreationMakesNoFile() throws IOException {
        open(true);
        Tid t1 = storeBlob(A, bytes(50, 1));

        Tid undo = commit(txn -> txn.undo(UndoEntry.idOf(t1)));

        assertThatThrownBy(() -> storage.loadBlob(A, undo)).isInstanceOf(POSKeyException.class);
        assertThat(blobFiles(tmp.resolve("blobs"))).hasSize(1);
    }

    @Test
    void deletingABlobObjectKeepsItsFilesUntilPack() {
        open(true);
        Tid t1 = storeBlob(A, bytes(70, 1));

        Tid deleted = commit(txn -> txn.delete(A, t1));

        assertThatThrownBy(() -> storage.loadBlob(A, deleted)).isInstanceOf(POSKeyException.class);
        assertThat(blob(A, t1)).isEqualTo(bytes(70, 1));
    }

    @Test
    void restoreBlobCommitsTheGivenRevisionWithItsFile() {
        open(true);
        Tid explicit = Tid.of(0x0300000000000001L);
        Path upload = upload(bytes(4000, 9));
        StorageTransaction txn = storage.begin(new TransactionMetadata(null, null, null, explicit, ' '));
        txn.restoreBlob(A, explicit, record("restored"), null, upload);
        txn.vote();

        assertThat(txn.finish()).isEqualTo(explicit);
        assertThat(blob(A, explicit)).isEqualTo(bytes(4000, 9));
    }

    @Test
    void packWithoutGcRemovesTheFilesOfNonCurrentRevisionsOnly() throws IOException {
        open(false);
        Tid a1 = storeBlob(A, bytes(10, 1));
        Tid a2 = storeBlob(A, bytes(20, 2));
        Tid b1 = storeBlob(B, bytes(30, 3));
        Tid after = storeBlob(A, bytes(40, 4));

        storage.pack(b1, false);

        assertThat(storage.loadBlob(A, a2)).exists();
        assertThat(blob(B, b1)).isEqualTo(bytes(30, 3));
        assertThat(blob(A, after)).isEqualTo(bytes(40, 4));
        assertThatThrownBy(() -> storage.loadBlob(A, a1)).isInstanceOf(POSKeyException.class);
        assertThat(blobFiles(tmp.resolve("blobs"))).hasSize(3);
        assertThat(tmp.resolve("blobs.old")).doesNotExist();
    }

    @Test
    void packKeepingOldMovesRemovedFilesToBlobsOldAndLinksTheRestThere() throws IOException {
        open(true);
        Tid a1 = storeBlob(A, bytes(10, 1));
        Tid a2 = storeBlob(A, bytes(20, 2));
        Path a1File = storage.loadBlob(A, a1);
        Path old = tmp.resolve("blobs.old");
        Path a1Old = old.resolve(tmp.resolve("blobs").relativize(a1File));
        Path a2Old = old.resolve(tmp.resolve("blobs").relativize(storage.loadBlob(A, a2)));

        storage.pack(a2, false);

        assertThat(a1File).doesNotExist();
        assertThat(Files.readAllBytes(a1Old)).isEqualTo(bytes(10, 1));
        assertThat(Files.readAllBytes(a2Old)).as("blobs.old matches Data.fs.old").isEqualTo(bytes(20, 2));
        assertThat(Files.readString(old.resolve(".layout"))).isEqualTo("bushy");
        assertThat(blob(A, a2)).isEqualTo(bytes(20, 2));
    }

    @Test
    void packWithGcRemovesTheWholeFolderOfAnUnreachableBlob() throws IOException {
        open(false);
        storeBlob(A, bytes(10, 1));
        storeBlob(A, bytes(11, 1));
        Tid b1 = storeBlob(B, bytes(20, 2));
        storeRoot(A, B);
        Tid onlyB = storeRoot(B);
        Path aFolder = tmp.resolve("blobs/0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x01");
        assertThat(aFolder).isDirectory();

        storage.pack(onlyB, true);

        assertThat(aFolder).doesNotExist();
        assertThat(blob(B, b1)).isEqualTo(bytes(20, 2));
        assertThat(blobFiles(tmp.resolve("blobs"))).hasSize(1);
        assertThat(tmp.resolve("blobs/0x00")).as("a folder still in use").isDirectory();
    }

    @Test
    void packWithGcKeepingOldMovesAnUnreachableBlobsFilesToBlobsOld() throws IOException {
        open(true);
        Tid a1 = storeBlob(A, bytes(10, 1));
        Tid a2 = storeBlob(A, bytes(11, 2));
        storeRoot(A);
        Tid none = storeRoot();
        Path blobs = tmp.resolve("blobs");
        Path a1Old = tmp.resolve("blobs.old").resolve(blobs.relativize(storage.loadBlob(A, a1)));
        Path a2Old = tmp.resolve("blobs.old").resolve(blobs.relativize(storage.loadBlob(A, a2)));

        storage.pack(none, true);

        assertThat(blobFiles(blobs)).isEmpty();
        assertThat(blobs.resolve("0x00")).as("folders left empty are removed").doesNotExist();
        assertThat(Files.readAllBytes(a1Old)).isEqualTo(bytes(10, 1));
        assertThat(Files.readAllBytes(a2Old)).isEqualTo(bytes(11, 2));
        assertThat(storage.blobTemporaryDirectory()).isDirectory();
    }

    @Test
    void concurrentBlobCommitsEachGetTheirOwnFiles() throws Exception {
        open(true);
        List<Oid> oids = storage.newOids(4);
        record Committed(Oid oid, Tid tid, byte[] content) {
        }
        java.util.Queue<Committed> committed = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < oids.size(); t++) {
                Oid oid = oids.get(t);
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        byte[] content = bytes(1000 + i, thread * 100 + i);
                        Tid tid = storeBlob(oid, content);
                        committed.add(new Committed(oid, tid, content));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(committed).hasSize(20);
        for (Committed c : committed) {
            assertThat(blob(c.oid(), c.tid())).as("blob of %s at %s", c.oid(), c.tid()).isEqualTo(c.content());
        }
        assertThat(blobFiles(tmp.resolve("blobs"))).hasSize(20);
    }

    @Test
    void aStorageWithoutBlobDirectoryRefusesBlobs() {
        storage = FileStorage.open(tmp.resolve("Data.fs"), VectorFiles.testOptions(), REFERENCES);
        StorageTransaction txn = storage.begin(TransactionMetadata.of("test", "", Map.of()));

        assertThat(storage.supportsBlobs()).isFalse();
        assertThatThrownBy(() -> txn.storeBlob(A, Tid.ZERO, record("x"), tmp.resolve("x")))
                .isInstanceOf(StorageException.class).hasMessageContaining("no blob");
        assertThatThrownBy(() -> storage.loadBlob(A, Tid.of(1))).isInstanceOf(StorageException.class);
        assertThatThrownBy(storage::blobTemporaryDirectory).isInstanceOf(StorageException.class);
    }

    @Test
    void mappingStorageHasNoBlobsAsInZodb() {
        MemoryStorage memory = new MemoryStorage("m", REFERENCES, Duration.ofSeconds(1), InstantSource.system());
        StorageTransaction txn = memory.begin(TransactionMetadata.of("test", "", Map.of()));

        assertThat(memory.supportsBlobs()).isFalse();
        assertThatThrownBy(() -> txn.storeBlob(A, Tid.ZERO, record("x"), tmp.resolve("x")))
                .isInstanceOf(StorageException.class);
    }

    @Test
    void anUploadInTheOidsOwnFolderIsCommittedBesideIt() throws IOException {
        open(true);
        Path folder = tmp.resolve("blobs/0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x01");
        Files.createDirectories(folder);
        Path shared = Files.write(folder.resolve("upload.tmp"), bytes(333, 3));

        assertThat(storage.blobFolder(A)).isEqualTo(folder);

        Tid tid = commit(txn -> txn.storeBlob(A, Tid.ZERO, record("shared"), shared));

        assertThat(blob(A, tid)).isEqualTo(bytes(333, 3));
        assertThat(shared).exists();
    }

    @Test
    void anOrphanFileWithTheNewTidIsReplaced() throws IOException {
        open(true);
        Tid explicit = Tid.of(0x0300000000000005L);
        Path orphan = storage.blobTemporaryDirectory().getParent().resolve(
                "0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x01/" + BlobLayout.repr(explicit.value()) + ".blob");
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, bytes(5, 5));
        Path upload = upload(bytes(6, 6));

        StorageTransaction txn = storage.begin(new TransactionMetadata(null, null, null, explicit, ' '));
        txn.storeBlob(A, Tid.ZERO, record("a"), upload);
        txn.vote();
        txn.finish();

        assertThat(blob(A, explicit)).isEqualTo(bytes(6, 6));
        assertThat(Arrays.equals(Files.readAllBytes(upload), bytes(6, 6))).as("the upload is unchanged").isTrue();
    }
}
