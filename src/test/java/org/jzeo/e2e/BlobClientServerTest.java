package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.e2e.BlobServers.digest;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blobs between the Java client and a jzeo server whose FileStorage has a blob directory: byte-identical round
 * trips at the sizes around the protocol's chunk size, the committer's cache keeping its own blobs, other clients
 * downloading once, reads at the transaction's snapshot, the cache kept near its bound, and shared-blob-dir mode.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BlobClientServerTest {
    @TempDir
    static Path dir;
    static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = BlobServers.start(dir);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static Tid storeBlob(ClientStorage client, Oid oid, Tid serial, Path content) {
        StorageTransaction txn = client.begin(TransactionMetadata.of("", "blob", Map.of()));
        txn.storeBlob(oid, serial, "blob state".getBytes(StandardCharsets.UTF_8), content);
        txn.vote();
        return txn.finish();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 59_000, 59_001, 1 << 20, 10 << 20})
    void aBlobStoredThroughClientStorageReadsBackIdenticalFromTheCommittersCacheAndFromAnotherClient(long size,
            @TempDir Path tmp) throws Exception {
        Path content = BlobServers.content(tmp, size, 1);
        String expected = digest(content);
        try (ClientStorage writer = new ClientStorage(BlobServers.client(server, tmp.resolve("cache-w")));
             ClientStorage reader = new ClientStorage(BlobServers.client(server, tmp.resolve("cache-r")))) {
            assertThat(writer.supportsBlobs()).as("blob-dir on both sides").isTrue();
            Oid oid = writer.newOids(1).get(0);
            Tid tid = storeBlob(writer, oid, Tid.ZERO, content);

            assertThat(digest(writer.loadBlob(oid, tid))).isEqualTo(expected);
            assertThat(Files.size(writer.loadBlob(oid, tid))).isEqualTo(size);
            assertThat(writer.blobDownloads()).as("the committer keeps its own blob").isZero();

            Await.until("the reader to hear of " + tid, () -> !reader.lastTransaction().isBefore(tid));
            assertThat(digest(reader.loadBlob(oid, tid))).isEqualTo(expected);
            assertThat(digest(reader.loadBlob(oid, tid))).isEqualTo(expected);
            assertThat(reader.blobDownloads()).as("downloaded once, then a cache hit").isEqualTo(1);
            assertThat(digest(content)).as("the caller's file is left as it was").isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 59_000, 1 << 20, 10 << 20})
    void aBlobWrittenThroughAStorageConnectionStreamsBackAtTheSnapshot(long size, @TempDir Path tmp)
            throws Exception {
        Path content = BlobServers.content(tmp, size, 2);
        String expected = digest(content);
        Oid oid;
        try (ClientConnectionFactory factory = new ClientConnectionFactory(BlobServers.client(server,
                tmp.resolve("cache-w")));
             StorageConnection c = factory.getConnection()) {
            assertThat(c.supportsBlobs()).isTrue();
            c.begin();
            oid = c.newOid();
            try (InputStream in = Files.newInputStream(content)) {
                c.writeBlob(oid, "doc".getBytes(StandardCharsets.UTF_8), List.of(), in);
            }
            assertThat(digest(c.openBlob(oid))).as("its own write, before commit").isEqualTo(expected);
            assertThat(c.blobSize(oid)).isEqualTo(size);
            c.commit();

            c.begin();
            assertThat(digest(c.openBlob(oid))).isEqualTo(expected);
            assertThat(new String(c.read(oid).payload(), StandardCharsets.UTF_8)).isEqualTo("doc");
            c.commit();
            assertThat(factory.storage().blobDownloads()).isZero();
            try (var staged = Files.list(tmp.resolve("cache-w").resolve("tmp"))) {
                assertThat(staged).as("no temporary blob file left behind").isEmpty();
            }
        }
        try (ClientConnectionFactory other = new ClientConnectionFactory(BlobServers.client(server,
                tmp.resolve("cache-r")));
             StorageConnection c = other.getConnection()) {
            c.begin();
            assertThat(c.blobSize(oid)).isEqualTo(size);
            assertThat(digest(c.openBlob(oid))).isEqualTo(expected);
            c.commit();
            assertThat(other.storage().blobDownloads()).isEqualTo(1);
        }
    }

    @Test
    void aTransactionReadsTheBlobOfItsSnapshotWhileAnotherCommitsANewOne(@TempDir Path tmp) throws Exception {
        try (ClientConnectionFactory factory = new ClientConnectionFactory(BlobServers.client(server,
                tmp.resolve("cache")));
             StorageConnection reader = factory.getConnection();
             StorageConnection writer = factory.getConnection()) {
            writer.begin();
            Oid oid = writer.newOid();
            writer.writeBlob(oid, new byte[0], List.of(), InputStream.nullInputStream());
            writer.commit();
            writer.begin();
            writer.writeBlob(oid, new byte[0], List.of(), new java.io.ByteArrayInputStream("one".getBytes()));
            writer.commit();

            reader.begin();
            assertThat(new String(reader.openBlob(oid).readAllBytes())).isEqualTo("one");
            writer.begin();
            writer.writeBlob(oid, new byte[0], List.of(), new java.io.ByteArrayInputStream("two".getBytes()));
            writer.commit();
            assertThat(new String(reader.openBlob(oid).readAllBytes())).as("still the snapshot's").isEqualTo("one");
            reader.commit();
            reader.begin();
            assertThat(new String(reader.openBlob(oid).readAllBytes())).isEqualTo("two");
            reader.commit();
        }
    }

    @Test
    void withoutABlobDirectoryTheErrorNamesTheOption(@TempDir Path tmp) {
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(server.hostPort()));
             StorageConnection c = factory.getConnection()) {
            assertThat(c.supportsBlobs()).isFalse();
            c.begin();
            assertThatThrownBy(() -> c.writeBlob(c.newOid(), new byte[0], List.of(), InputStream.nullInputStream()))
                    .isInstanceOf(StorageException.class).hasMessageContaining("blob-dir");
            c.abort();
        }
    }

    @Test
    void theBlobCacheIsTrimmedNearItsBoundWhileTheMostRecentlyReadBlobStays(@TempDir Path tmp) throws Exception {
        long blobSize = 300_000;
        int blobs = 12;
        long bound = 2_000_000;
        ClientOptions bounded = BlobServers.client(server, tmp.resolve("cache-r"));
        bounded = bounded.withBlobs(bounded.blobs().withCacheSize(bound));
        try (ClientStorage writer = new ClientStorage(BlobServers.client(server, tmp.resolve("cache-w")));
             ClientStorage reader = new ClientStorage(bounded)) {
            List<Oid> oids = writer.newOids(blobs);
            Tid tid;
            StorageTransaction txn = writer.begin(TransactionMetadata.of("", "many blobs", Map.of()));
            for (int i = 0; i < blobs; i++) {
                txn.storeBlob(oids.get(i), Tid.ZERO, "state".getBytes(StandardCharsets.UTF_8),
                        BlobServers.content(tmp, blobSize, i));
            }
            txn.vote();
            tid = txn.finish();
            Await.until("the reader to hear of " + tid, () -> !reader.lastTransaction().isBefore(tid));
            Path last = null;
            for (Oid oid : oids) {
                last = reader.loadBlob(oid, tid);
            }
            assertThat(reader.blobDownloads()).isEqualTo(blobs);
            Path cache = tmp.resolve("cache-r");
            Await.until(() -> "the blob cache to be trimmed to " + bound + " bytes; it holds "
                    + BlobServers.blobBytes(cache), Await.TIMEOUT, () -> BlobServers.blobBytes(cache) <= bound);
            assertThat(BlobServers.blobBytes(cache)).as("trimmed near the bound, not emptied")
                    .isGreaterThanOrEqualTo(bound / 2);
            assertThat(last).as("the blob read last").exists();
        }
    }

    @Test
    void sharedBlobDirModeReadsAndWritesTheServersDirectoryAndNeverDownloads(@TempDir Path tmp) throws Exception {
        Path content = BlobServers.content(tmp, 100_000, 3);
        String expected = digest(content);
        ClientOptions shared = BlobServers.client(server, BlobServers.blobDir(dir)).withBlobDir(BlobServers.blobDir(dir),
                true);
        try (ClientStorage writer = new ClientStorage(shared);
             ClientStorage reader = new ClientStorage(BlobServers.client(server, tmp.resolve("cache-r")))) {
            Oid oid = writer.newOids(1).get(0);
            Tid tid = storeBlob(writer, oid, Tid.ZERO, content);
            Path file = writer.loadBlob(oid, tid);
            assertThat(file.startsWith(BlobServers.blobDir(dir).toAbsolutePath())).as(file.toString()).isTrue();
            assertThat(digest(file)).isEqualTo(expected);
            assertThat(writer.blobDownloads()).isZero();

            Await.until("the reader to hear of " + tid, () -> !reader.lastTransaction().isBefore(tid));
            assertThat(digest(reader.loadBlob(oid, tid))).as("what the server took from the shared directory")
                    .isEqualTo(expected);
            try (var folder = Files.list(file.getParent())) {
                assertThat(folder.map(p -> p.getFileName().toString())).as("no .tmp file left in the oid folder")
                        .noneMatch(name -> name.endsWith(".tmp"));
            }
        }
    }
}
