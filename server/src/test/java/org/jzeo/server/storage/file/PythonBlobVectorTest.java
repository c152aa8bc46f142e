package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.blob.BlobLayout;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Data.fs and blob directory written by Python's FileStorage (test resources {@code vectors/blobs}, see their
 * README) open in jzeo: every revision Python's loadBlob answered loads the same bytes, from the very file Python
 * wrote, and no other revision has a blob.
 */
class PythonBlobVectorTest {
    @TempDir
    Path tmp;

    /** One manifest line: a revision with a blob and its content, as Python's loadBlob read it. */
    private record Revision(Oid oid, Tid tid, byte[] content) {
    }

    private Path copyVector(String name) throws IOException, URISyntaxException {
        Path source = Path.of(getClass().getResource("/vectors/blobs/" + name).toURI());
        Path target = tmp.resolve(name);
        try (Stream<Path> all = Files.walk(source)) {
            for (Path p : all.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    private static List<Revision> manifest(Path vector) throws IOException {
        List<Revision> out = new ArrayList<>();
        for (String line : Files.readAllLines(vector.resolve("blobs.manifest"))) {
            String[] f = line.split(" ", -1);
            out.add(new Revision(Oid.of(Long.parseUnsignedLong(f[0], 16)), Tid.of(Long.parseUnsignedLong(f[1], 16)),
                    HexFormat.of().parseHex(f[2])));
        }
        return out;
    }

    private static FileStorage open(Path vector) {
        return FileStorage.open(vector.resolve("Data.fs"), VectorFiles.testOptions().withReadOnly(true)
                .withBlobDir(vector.resolve("blobs")), ReferenceFinder.unavailable());
    }

    private static List<Path> blobFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".blob")).sorted().toList();
        }
    }

    /** Every revision in the file (oid and tid), in order. */
    private static List<Revision> revisions(FileStorage storage) {
        List<Revision> out = new ArrayList<>();
        try (StorageIterator it = storage.iterator(null, null)) {
            while (it.hasNext()) {
                TransactionRecord txn = it.next();
                for (DataRecord r : txn.records()) {
                    out.add(new Revision(r.oid(), txn.tid(), null));
                }
            }
        }
        return out;
    }

    private void checkEveryBlob(String name, BlobLayout layout, int revisions) throws Exception {
        Path vector = copyVector(name);
        List<Revision> manifest = manifest(vector);
        assertThat(manifest).hasSize(revisions);
        try (FileStorage storage = open(vector)) {
            List<Path> loaded = new ArrayList<>();
            for (Revision r : manifest) {
                Path file = storage.loadBlob(r.oid(), r.tid());
                assertThat(Files.readAllBytes(file)).as("blob of %s at %s", r.oid(), r.tid()).isEqualTo(r.content());
                assertThat(file.getParent()).isEqualTo(layout.oidFolder(vector.resolve("blobs"), r.oid()));
                loaded.add(file);
            }
            assertThat(loaded).as("the files jzeo finds are exactly the files Python wrote")
                    .containsExactlyInAnyOrderElementsOf(blobFiles(vector.resolve("blobs")));
            List<String> withBlob = manifest.stream().map(r -> r.oid() + "@" + r.tid()).toList();
            List<Revision> all = revisions(storage);
            assertThat(all.stream().map(r -> r.oid() + "@" + r.tid()).toList()).as("a record for every blob")
                    .containsAll(withBlob);
            for (Revision r : all) {
                if (!withBlob.contains(r.oid() + "@" + r.tid())) {
                    assertThatThrownBy(() -> storage.loadBlob(r.oid(), r.tid()))
                            .as("%s at %s has no blob for Python", r.oid(), r.tid()).isInstanceOf(POSKeyException.class);
                }
            }
        }
    }

    @Test
    void everyBlobOfABushyDirectoryWrittenByPythonLoadsByteIdentical() throws Exception {
        checkEveryBlob("bushy", BlobLayout.BUSHY, 7);

        Path vector = tmp.resolve("bushy");
        try (FileStorage storage = open(vector)) {
            Tid current = storage.loadBefore(Oid.of(2), Tid.MAX).start();
            assertThat(Files.readString(storage.loadBlob(Oid.of(2), current), StandardCharsets.US_ASCII))
                    .as("the undo's own copy of the second revision").isEqualTo("second revision of one");
            byte[] big = new byte[3072];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            Tid bigTid = storage.loadBefore(Oid.of(3), Tid.MAX).start();
            assertThat(Files.readAllBytes(storage.loadBlob(Oid.of(3), bigTid))).isEqualTo(big);
            Tid emptyTid = storage.loadBefore(Oid.of(1), Tid.MAX).start();
            assertThat(Files.size(storage.loadBlob(Oid.of(1), emptyTid))).isZero();
            Tid goneUndone = storage.history(Oid.of(4), 1).get(0).tid();
            assertThatThrownBy(() -> storage.loadBlob(Oid.of(4), goneUndone))
                    .as("the undone creation has no file").isInstanceOf(POSKeyException.class);
        }
    }

    @Test
    void everyBlobOfALawnDirectoryWrittenByPythonLoadsByteIdentical() throws Exception {
        checkEveryBlob("lawn", BlobLayout.LAWN, 2);
    }

    @Test
    void jzeoCommitsIntoAPythonBlobDirectoryInItsLayout() throws Exception {
        for (String name : List.of("bushy", "lawn")) {
            Path vector = copyVector(name);
            try (FileStorage storage = FileStorage.open(vector.resolve("Data.fs"),
                    VectorFiles.testOptions().withBlobDir(vector.resolve("blobs")), ReferenceFinder.unavailable())) {
                Oid oid = Oid.of(2 - (name.equals("lawn") ? 1 : 0));
                Path upload = Files.writeString(storage.blobTemporaryDirectory().resolve("u.tmp"), "from jzeo");
                var txn = storage.begin(org.jzeo.storage.TransactionMetadata.of("", "", Map.of()));
                txn.storeBlob(oid, storage.currentSerial(oid), storage.loadBefore(oid, Tid.MAX).data(), upload);
                txn.vote();
                Tid tid = txn.finish();

                Path file = storage.loadBlob(oid, tid);
                assertThat(vector.resolve("blobs").relativize(file).toString()).as(name).isEqualTo(
                        (name.equals("lawn") ? "0x01/" : "0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x02/")
                                + BlobLayout.repr(tid.value()) + ".blob");
                assertThat(Files.readString(file)).isEqualTo("from jzeo");
            }
        }
    }
}
