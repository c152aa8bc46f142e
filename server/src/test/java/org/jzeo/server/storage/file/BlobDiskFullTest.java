package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.testing.crashfs.CrashFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk at finish (simulated: the next write stores half its bytes and fails) fails the commit cleanly,
 * whether it hits the copy of a blob or the Data.fs write after the blob was linked: no committed blob file, no
 * partial file, Data.fs as before, and the storage goes on committing.
 */
class BlobDiskFullTest {
    private static final Oid A = Oid.of(1);

    @TempDir
    Path tmp;

    private static byte[] bytes(int n) {
        byte[] b = new byte[3000];
        java.util.Arrays.fill(b, (byte) n);
        return b;
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".blob") || name.endsWith(".partial");
            }).toList();
        }
    }

    private void fullDiskAtFinishFailsCleanly(boolean uploadOnAnotherFileSystem) throws Exception {
        CrashFileSystem disk = CrashFileSystem.over(Files.createDirectories(tmp.resolve("disk")));
        Path root = disk.root();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        try (FileStorage storage = FileStorage.open(root.resolve("Data.fs"),
                FileStorageOptions.defaults().withBlobDir(root.resolve("blobs")), ReferenceFinder.unavailable())) {
            Path folder = uploadOnAnotherFileSystem ? elsewhere : storage.blobTemporaryDirectory();
            Path upload = Files.write(folder.resolve("upload.tmp"), bytes(1));
            long sizeBefore = storage.size();
            StorageTransaction txn = storage.begin(TransactionMetadata.of("", "full disk", Map.of()));
            txn.storeBlob(A, Tid.ZERO, "a".getBytes(StandardCharsets.UTF_8), upload);
            txn.vote();

            disk.failNextWrite();
            assertThatThrownBy(txn::finish).isInstanceOf(StorageException.class)
                    .hasMessageContaining("No space left on device");

            assertThat(files(root)).as("committed or partial blob files left by the failed finish").isEmpty();
            assertThat(Files.size(root.resolve("Data.fs"))).as("Data.fs size").isEqualTo(sizeBefore);
            assertThat(Files.readAllBytes(upload)).as("the upload").isEqualTo(bytes(1));
            assertThat(storage.currentSerial(A)).isNull();

            Path again = Files.write(folder.resolve("again.tmp"), bytes(2));
            StorageTransaction retry = storage.begin(TransactionMetadata.of("", "retry", Map.of()));
            retry.storeBlob(A, Tid.ZERO, "a".getBytes(StandardCharsets.UTF_8), again);
            retry.vote();
            Tid tid = retry.finish();
            assertThat(Files.readAllBytes(storage.loadBlob(A, tid))).isEqualTo(bytes(2));
        }
    }

    @Test
    void aFullDiskWhileCopyingABlobFailsFinishAndLeavesNothing() throws Exception {
        fullDiskAtFinishFailsCleanly(true);
    }

    @Test
    void aFullDiskWritingDataFsAfterTheLinkRemovesTheLink() throws Exception {
        fullDiskAtFinishFailsCleanly(false);
    }
}
