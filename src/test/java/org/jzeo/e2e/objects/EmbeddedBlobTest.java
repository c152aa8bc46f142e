package org.jzeo.e2e.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.BlobServers.digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.e2e.BlobServers;
import org.jzeo.objects.Blob;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs without a server: the record API and the object layer's {@link Blob} over a FileStorage with a blob-dir in
 * this JVM (EmbeddedConnectionFactory), through the same connection code as a client's.
 */
class EmbeddedBlobTest {
    @TempDir
    Path dir;

    private EmbeddedConnectionFactory open() {
        return new EmbeddedConnectionFactory(FileStorage.open(dir.resolve("Data.fs"), FileStorageOptions.defaults()
                .withBlobDir(dir.resolve("blobs")), ReferenceScanner.finder()), true);
    }

    @Test
    void theRecordApiStoresAndStreamsBlobsOfAnEmbeddedStorage() throws Exception {
        Path content = BlobServers.content(dir, 1_000_000, 21);
        String expected = digest(content);
        Oid oid;
        try (EmbeddedConnectionFactory factory = open(); StorageConnection c = factory.getConnection()) {
            assertThat(c.supportsBlobs()).isTrue();
            c.begin();
            oid = c.newOid();
            try (InputStream in = Files.newInputStream(content)) {
                c.writeBlob(oid, "doc".getBytes(StandardCharsets.UTF_8), List.of(), in);
            }
            c.write(c.rootOid(), "root".getBytes(StandardCharsets.UTF_8), List.of(oid));
            c.commit();
            try (var left = Files.list(factory.storage().blobTemporaryDirectory())) {
                assertThat(left).as("the connection removed its temporary file").isEmpty();
            }
        }
        try (EmbeddedConnectionFactory factory = open(); StorageConnection c = factory.getConnection()) {
            c.begin();
            assertThat(c.blobSize(oid)).isEqualTo(1_000_000);
            assertThat(digest(c.openBlob(oid))).as("after reopening the storage").isEqualTo(expected);
            c.commit();
        }
    }

    @Test
    void aBlobObjectKeepsItsContentAcrossCommitsAndAnAbortPutsItBack() {
        byte[] first = "first content".getBytes(StandardCharsets.UTF_8);
        try (EmbeddedConnectionFactory factory = open()) {
            ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of());
            db.run(conn -> conn.root().put("doc", new Blob(first)));
            byte[] stored = db.call(conn -> read((Blob) conn.root().get("doc")));
            assertThat(stored).isEqualTo(first);

            try (var conn = db.open()) {
                conn.begin();
                Blob blob = (Blob) conn.root().get("doc");
                write(blob, "never committed");
                assertThat(read(blob)).as("the transaction sees its own change")
                        .isEqualTo("never committed".getBytes(StandardCharsets.UTF_8));
                conn.abort();
                conn.begin();
                assertThat(read(blob)).as("after the abort").isEqualTo(first);
                assertThat(blob.size()).isEqualTo(first.length);
                conn.commit();
            }
            db.run(conn -> write((Blob) conn.root().get("doc"), "second"));
            String second = db.call(conn -> new String(read((Blob) conn.root().get("doc")), StandardCharsets.UTF_8));
            assertThat(second).isEqualTo("second");
        }
    }

    private static byte[] read(Blob blob) {
        try (InputStream in = blob.openInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Blob blob, String text) {
        try (OutputStream out = blob.openOutputStream()) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
