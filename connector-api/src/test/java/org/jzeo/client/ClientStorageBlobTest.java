package org.jzeo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.protocol.Requests.BlobCallbacks;
import org.jzeo.protocol.WireMessage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's blob messages against a scripted server, byte for byte as zeo-protocol.md describes them:
 * downloads by {@code sendBlob} with {@code receiveBlob*} before the reply, uploads as {@code storea} then
 * {@code storeBlobStart}/{@code Chunk}/{@code End} (or {@code storeBlobShared}), and the cache keeping what was
 * downloaded or committed.
 */
class ClientStorageBlobTest {
    private static final Tid T1 = Tid.fromHex("03e8000000000001");
    private static final Tid T2 = Tid.fromHex("03e8000000000002");
    private static final Oid X = Oid.of(1000);
    private static final Map<String, Object> BLOB_SERVER = Map.of("interfaces",
            List.of(List.of("ZODB.interfaces", "IBlobStorage"), List.of("ZODB.interfaces", "IStorage")));

    @TempDir
    Path dir;

    private ClientStorage client(ScriptedServer server, Path blobDir, boolean shared) {
        return new ClientStorage(ClientOptions.of(server.address()).withWait(true, Duration.ofSeconds(30))
                .withBlobDir(blobDir, shared), DiskCache.temporary(1 << 20));
    }

    @Test
    void blobsNeedBothABlobDirectoryAndAServerThatKeepsBlobs() throws Exception {
        try (ScriptedServer plain = new ScriptedServer(T1);
             ClientStorage withDir = client(plain, dir.resolve("a"), false)) {
            assertThat(withDir.supportsBlobs()).as("server without IBlobStorage").isFalse();
            assertThatThrownBy(() -> withDir.loadBlob(X, T1)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("keeps no blobs");
        }
        try (ScriptedServer blobs = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage noDir = new ClientStorage(ClientOptions.of(blobs.address()),
                     DiskCache.temporary(1 << 20))) {
            assertThat(noDir.supportsBlobs()).as("no blob-dir").isFalse();
            assertThatThrownBy(() -> noDir.loadBlob(X, T1)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("set the client option blob-dir");
        }
    }

    @Test
    void aDownloadArrivesInChunksBeforeTheReplyAndIsCachedInZeosLayout() throws Exception {
        byte[] content = randomBytes(2 * BlobCallbacks.CHUNK_SIZE + 17);
        Path blobDir = dir.resolve("blobs");
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, blobDir, false)) {
            assertThat(client.supportsBlobs()).isTrue();
            CompletableFuture<Path> load = CompletableFuture.supplyAsync(() -> client.loadBlob(X, T1));
            WireMessage sendBlob = server.nextCall();
            assertThat(sendBlob.name()).isEqualTo("sendBlob");
            assertThat(sendBlob.args()).containsExactly(X.toBytes(), T1.toBytes());
            List<byte[]> frames = new ArrayList<>();
            frames.add(server.callback(BlobCallbacks.START, X.toBytes(), T1.toBytes()));
            for (int at = 0; at < content.length; at += BlobCallbacks.CHUNK_SIZE) {
                byte[] chunk = java.util.Arrays.copyOfRange(content, at,
                        Math.min(content.length, at + BlobCallbacks.CHUNK_SIZE));
                frames.add(server.callback(BlobCallbacks.CHUNK, X.toBytes(), T1.toBytes(), chunk));
            }
            frames.add(server.callback(BlobCallbacks.STOP, X.toBytes(), T1.toBytes()));
            frames.add(server.reply(sendBlob, null));
            server.sendTogether(frames.toArray(new byte[0][]));

            Path file = load.get();
            assertThat(file).isEqualTo(blobDir.toAbsolutePath().resolve("3").resolve("1.03e8000000000001.blob"));
            assertThat(Files.readAllBytes(file)).isEqualTo(content);
            assertThat(Files.readString(blobDir.resolve(".layout")).strip()).isEqualTo("zeocache");
            assertThat(client.loadBlob(X, T1)).as("a hit").isEqualTo(file);
            assertThat(client.blobDownloads()).as("sendBlob calls").isEqualTo(1);
        }
    }

    @Test
    void aHitMovesTheFilesAccessTimeSoTheTrimKeepsItLonger() throws Exception {
        Path blobDir = dir.resolve("blobs");
        Path file = blobDir.resolve("3").resolve("1.03e8000000000001.blob");
        Files.createDirectories(file.getParent());
        Files.write(file, "cached".getBytes());
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000);
        Files.getFileAttributeView(file, java.nio.file.attribute.BasicFileAttributeView.class).setTimes(null, old,
                null);
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, blobDir, false)) {
            assertThat(Files.readString(client.loadBlob(X, T1))).isEqualTo("cached");
            assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                    .lastAccessTime()).isGreaterThan(old);
            assertThat(client.blobDownloads()).isZero();
        }
    }

    @Test
    void aDownloadTheCacheCannotWriteFailsTheLoadWithTheReason() throws Exception {
        Path blobDir = dir.resolve("blobs");
        // A folder where the download's file would go: creating it fails as a full or broken disk would.
        Files.createDirectories(blobDir.resolve("3").resolve("1.03e8000000000001.blob.dl"));
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, blobDir, false)) {
            CompletableFuture<Path> load = CompletableFuture.supplyAsync(() -> client.loadBlob(X, T1));
            WireMessage sendBlob = server.nextCall();
            server.sendTogether(server.callback(BlobCallbacks.START, X.toBytes(), T1.toBytes()),
                    server.callback(BlobCallbacks.CHUNK, X.toBytes(), T1.toBytes(), "abc".getBytes()),
                    server.callback(BlobCallbacks.STOP, X.toBytes(), T1.toBytes()),
                    server.reply(sendBlob, null));
            assertThatThrownBy(load::join).cause().isInstanceOf(StorageException.class)
                    .isNotInstanceOf(POSKeyException.class).hasMessageContaining("cannot write the blob");
            assertThat(client.isConnected()).as("a local disk problem keeps the connection").isTrue();
        }
    }

    @Test
    void twoThreadsLoadingOneMissingBlobDownloadItOnce() throws Exception {
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, dir.resolve("blobs"), false)) {
            CompletableFuture<Path> first = CompletableFuture.supplyAsync(() -> client.loadBlob(X, T1));
            WireMessage sendBlob = server.nextCall();
            CompletableFuture<Path> second = CompletableFuture.supplyAsync(() -> client.loadBlob(X, T1));
            Await.until(() -> client.blobDownloads() == 1, "the first download to be asked for");
            server.sendTogether(server.callback(BlobCallbacks.START, X.toBytes(), T1.toBytes()),
                    server.callback(BlobCallbacks.CHUNK, X.toBytes(), T1.toBytes(), "abc".getBytes()),
                    server.callback(BlobCallbacks.STOP, X.toBytes(), T1.toBytes()),
                    server.reply(sendBlob, null));
            assertThat(Files.readString(first.get())).isEqualTo("abc");
            assertThat(Files.readString(second.get())).isEqualTo("abc");
            assertThat(client.blobDownloads()).as("the second thread waited for the first one's download")
                    .isEqualTo(1);
        }
    }

    @Test
    void optionsTakeZeosNames() {
        ClientOptions options = ClientOptions.fromProperties(Map.of("server", "127.0.0.1:1", "blob-dir", "/b",
                "shared-blob-dir", "false", "blob-cache-size", "100MB", "blob-cache-size-check", "20"));
        assertThat(options.blobs().directory()).isEqualTo(Path.of("/b"));
        assertThat(options.blobs().cacheSize()).isEqualTo(100L * 1024 * 1024);
        assertThat(options.blobs().trimTarget()).isEqualTo(80L * 1024 * 1024);
        assertThat(ClientOptions.of("127.0.0.1:1").blobs().cacheSize()).as("unbounded by default").isNull();
        assertThat(ClientOptions.of("127.0.0.1:1").blobs().cacheSizeCheck()).isEqualTo(10);
    }

    @Test
    void aServerWithoutTheBlobIsAPosKeyErrorAndLeavesNoPartialFile() throws Exception {
        Path blobDir = dir.resolve("blobs");
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, blobDir, false)) {
            CompletableFuture<Path> load = CompletableFuture.supplyAsync(() -> client.loadBlob(X, T1));
            WireMessage sendBlob = server.nextCall();
            server.sendTogether(server.error(sendBlob, "ZODB.POSException.POSKeyError", List.of(X.toBytes())));
            assertThatThrownBy(load::join).hasCauseInstanceOf(POSKeyException.class);
            try (var files = Files.walk(blobDir.resolve("3"))) {
                assertThat(files.filter(p -> p.toString().endsWith(".blob") || p.toString().endsWith(".dl")))
                        .isEmpty();
            }
        }
    }

    @Test
    void aStoredBlobGoesAsStoreaThenChunksOfAtMost59000BytesAndIsCachedUnderTheNewTid() throws Exception {
        byte[] content = randomBytes(3 * BlobCallbacks.CHUNK_SIZE + 5);
        Path mine = Files.write(dir.resolve("mine.bin"), content);
        Path blobDir = dir.resolve("blobs");
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, blobDir, false)) {
            CompletableFuture<Tid> commit = CompletableFuture.supplyAsync(() -> {
                StorageTransaction txn = client.begin(TransactionMetadata.of("", "", Map.of()));
                txn.storeBlob(X, Tid.ZERO, "state".getBytes(), mine);
                txn.vote();
                return txn.finish();
            });
            assertThat(server.nextCall().name()).isEqualTo("tpc_begin");
            WireMessage storea = server.nextCall();
            assertThat(storea.name()).isEqualTo("storea");
            assertThat(storea.args().get(0)).isEqualTo(X.toBytes());
            assertThat(server.nextCall().name()).isEqualTo("storeBlobStart");
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            WireMessage next = server.nextCall();
            int chunks = 0;
            while (next.name().equals("storeBlobChunk")) {
                byte[] chunk = (byte[]) next.args().get(0);
                assertThat(chunk.length).isBetween(1, BlobCallbacks.CHUNK_SIZE);
                received.write(chunk);
                chunks++;
                next = server.nextCall();
            }
            assertThat(chunks).isEqualTo(4);
            assertThat(received.toByteArray()).isEqualTo(content);
            assertThat(next.name()).isEqualTo("storeBlobEnd");
            assertThat(next.args().get(0)).isEqualTo(X.toBytes());
            assertThat(next.args().get(2)).isEqualTo("state".getBytes());
            assertThat(next.args().get(3)).isEqualTo(storea.args().get(3));
            WireMessage vote = server.nextCall();
            assertThat(vote.name()).isEqualTo("vote");
            server.sendTogether(server.reply(vote, List.of()));
            WireMessage finish = server.nextCall();
            server.sendTogether(server.reply(finish, T2.toBytes()));
            assertThat(commit.get()).isEqualTo(T2);

            assertThat(Files.readAllBytes(client.loadBlob(X, T2))).isEqualTo(content);
            assertThat(client.blobDownloads()).as("own blob read back from the cache").isZero();
            assertThat(Files.readAllBytes(mine)).as("the caller's file stays").isEqualTo(content);
            try (var staged = Files.list(blobDir.resolve("tmp"))) {
                assertThat(staged).as("no staged file left").isEmpty();
            }
        }
    }

    @Test
    void aBlobStoredTwiceInOneTransactionSendsBothAndCachesTheLater() throws Exception {
        Path first = Files.write(dir.resolve("first.bin"), "first".getBytes());
        Path second = Files.write(dir.resolve("second.bin"), "second".getBytes());
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, dir.resolve("blobs"), false)) {
            CompletableFuture<Tid> commit = CompletableFuture.supplyAsync(() -> {
                StorageTransaction txn = client.begin(TransactionMetadata.of("", "", Map.of()));
                txn.storeBlob(X, Tid.ZERO, "state".getBytes(), first);
                txn.storeBlob(X, Tid.ZERO, "state".getBytes(), second);
                txn.vote();
                return txn.finish();
            });
            List<String> chunks = new ArrayList<>();
            WireMessage call;
            while (!(call = server.nextCall()).name().equals("vote")) {
                if (call.name().equals("storeBlobChunk")) {
                    chunks.add(new String((byte[]) call.args().get(0)));
                }
            }
            assertThat(chunks).containsExactly("first", "second");
            server.sendTogether(server.reply(call, List.of()));
            WireMessage finish = server.nextCall();
            server.sendTogether(server.reply(finish, T2.toBytes()));
            assertThat(Files.readString(client.loadBlob(X, commit.get()))).isEqualTo("second");
            try (var staged = Files.list(dir.resolve("blobs").resolve("tmp"))) {
                assertThat(staged).isEmpty();
            }
        }
    }

    @Test
    void anEmptyBlobSendsNoChunk() throws Exception {
        Path mine = Files.write(dir.resolve("empty.bin"), new byte[0]);
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, dir.resolve("blobs"), false)) {
            CompletableFuture<List<Oid>> vote = CompletableFuture.supplyAsync(() -> {
                StorageTransaction txn = client.begin(TransactionMetadata.of("", "", Map.of()));
                txn.storeBlob(X, Tid.ZERO, "state".getBytes(), mine);
                return txn.vote();
            });
            List<String> names = new ArrayList<>();
            WireMessage call;
            do {
                call = server.nextCall();
                names.add(call.name());
            } while (!call.name().equals("vote"));
            assertThat(names).containsExactly("tpc_begin", "storea", "storeBlobStart", "storeBlobEnd", "vote");
            server.sendTogether(server.reply(call, List.of()));
            assertThat(vote.get()).isEmpty();
        }
    }

    @Test
    void sharedModeReadsTheServersFileAndStoresByNamingAFileInTheOidFolder() throws Exception {
        Path shared = dir.resolve("server-blobs");
        Path committed = shared.resolve("0x00/0x00/0x00/0x00/0x00/0x00/0x03/0xe8/0x03e8000000000001.blob");
        Files.createDirectories(committed.getParent());
        Files.writeString(shared.resolve(".layout"), "bushy");
        Files.write(committed, "on the server".getBytes());
        Path mine = Files.write(dir.resolve("mine.bin"), "new content".getBytes());
        try (ScriptedServer server = new ScriptedServer(T1, BLOB_SERVER);
             ClientStorage client = client(server, shared, true)) {
            assertThat(Files.readString(client.loadBlob(X, T1))).isEqualTo("on the server");
            assertThatThrownBy(() -> client.loadBlob(X, T2)).isInstanceOf(POSKeyException.class);
            assertThat(client.blobDownloads()).isZero();

            CompletableFuture<List<Oid>> vote = CompletableFuture.supplyAsync(() -> {
                StorageTransaction txn = client.begin(TransactionMetadata.of("", "", Map.of()));
                txn.storeBlob(X, T1, "state".getBytes(), mine);
                return txn.vote();
            });
            assertThat(server.nextCall().name()).isEqualTo("tpc_begin");
            assertThat(server.nextCall().name()).isEqualTo("storea");
            WireMessage storeShared = server.nextCall();
            assertThat(storeShared.name()).isEqualTo("storeBlobShared");
            String name = (String) storeShared.args().get(3);
            assertThat(name).endsWith(".tmp").doesNotContain("/");
            assertThat(Files.readString(committed.getParent().resolve(name))).isEqualTo("new content");
            WireMessage voteCall = server.nextCall();
            server.sendTogether(server.reply(voteCall, List.of()));
            vote.get();
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
