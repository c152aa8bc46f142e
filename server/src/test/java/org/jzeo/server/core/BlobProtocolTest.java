package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests.BlobCallbacks;
import org.jzeo.server.RunningServer;
import org.jzeo.server.config.ServerConfigLoader;
import org.jzeo.server.storage.Await;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ZEO 5's blob methods as the stock client uses them (zeo-protocol: storea, then storeBlobStart, chunks of at most
 * 59000 bytes and storeBlobEnd, all async; storeBlobShared; sendBlob, whose receiveBlob* callbacks all come before
 * its reply), against a FileStorage with a blob directory; and what the server does with the files it receives.
 */
class BlobProtocolTest {
    private static final int CHUNK = BlobCallbacks.CHUNK_SIZE;

    @TempDir
    Path dir;
    private RunningServer server;

    private Path blobDir() {
        return dir.resolve("blobs");
    }

    private RunningServer start(String... zeoLines) throws Exception {
        Path conf = dir.resolve("zeo.conf");
        StringBuilder text = new StringBuilder("<zeo>\n  address 127.0.0.1:0\n");
        for (String line : zeoLines) {
            text.append("  ").append(line).append('\n');
        }
        text.append("</zeo>\n<filestorage>\n  path ").append(dir.resolve("Data.fs")).append("\n  blob-dir ")
                .append(blobDir()).append("\n</filestorage>\n");
        Files.writeString(conf, text);
        server = RunningServer.start(new ServerConfigLoader().load(conf, w -> { }));
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** What ZEO's client sends for one blob store: storea, then the blob in chunks, then storeBlobEnd. */
    private static void storeBlob(ZeoTestClient client, long txn, Oid oid, Tid serial, byte[] data, byte[] blob) {
        WireCommits.store(client, txn, oid, serial, data);
        client.send("storeBlobStart");
        for (int at = 0; at < blob.length; at += CHUNK) {
            client.send("storeBlobChunk", (Object) java.util.Arrays.copyOfRange(blob, at,
                    Math.min(blob.length, at + CHUNK)));
        }
        client.send("storeBlobEnd", oid, serial, data, txn);
    }

    private static Tid commitBlob(ZeoTestClient client, long txn, Oid oid, Tid serial, byte[] blob) {
        WireCommits.begin(client, txn);
        storeBlob(client, txn, oid, serial, WireCommits.text("blob record"), blob);
        assertThat(client.call("vote", txn)).isEqualTo(List.of());
        return Tid.fromBytes((byte[]) client.call("tpc_finish", txn));
    }

    /** sendBlob's content, checking that every receiveBlob* callback came before the reply. */
    private static byte[] sendBlob(ZeoTestClient client, long msgid, Oid oid, Tid serial) {
        client.drainCallbacks();
        assertThat(client.callWithMsgid(msgid, "sendBlob", oid, serial)).isNull();
        int reply = client.indexOfReply(msgid);
        List<Callback> blobCalls = new ArrayList<>();
        for (Callback c : client.drainCallbacks()) {
            if (c.name().startsWith("receiveBlob")) {
                blobCalls.add(c);
            }
        }
        assertThat(blobCalls).as("receiveBlob callbacks").isNotEmpty();
        assertThat(blobCalls.get(0).name()).isEqualTo(BlobCallbacks.START);
        assertThat(blobCalls.get(blobCalls.size() - 1).name()).isEqualTo(BlobCallbacks.STOP);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (Callback c : blobCalls) {
            assertThat(c.arrivalSequence()).as("%s before the reply", c.name()).isLessThan(reply);
            assertThat(Oid.fromBytes((byte[]) c.args().get(0))).isEqualTo(oid);
            assertThat(Tid.fromBytes((byte[]) c.args().get(1))).isEqualTo(serial);
            if (c.name().equals(BlobCallbacks.CHUNK)) {
                byte[] chunk = (byte[]) c.args().get(2);
                assertThat(chunk.length).isBetween(1, CHUNK);
                received.writeBytes(chunk);
            }
        }
        return received.toByteArray();
    }

    private List<Path> uploadsLeft() {
        Path tmp = blobDir().resolve("tmp");
        if (!Files.isDirectory(tmp)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("upload-")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBlobStoredInChunksCommitsAndStreamsBackWholeBeforeTheReply() throws Exception {
        start();
        byte[] blob = content(3 * CHUNK + 1234, 1);
        try (ZeoTestClient writer = WireCommits.connect(server);
             ZeoTestClient reader = WireCommits.connect(server)) {
            assertThat(writer.getInfo().get("interfaces").toString()).contains("IBlobStorage");
            Oid oid = writer.newOids(1).get(0);

            Tid tid = commitBlob(writer, 1, oid, Tid.ZERO, blob);

            assertThat(WireCommits.text(reader.loadBefore(oid, Tid.MAX).data())).isEqualTo("blob record");
            assertThat(sendBlob(reader, 7, oid, tid)).isEqualTo(blob);
            assertThat(uploadsLeft()).as("the received file is removed once committed").isEmpty();
        }
    }

    @Test
    void olderRevisionsStayReadableAndAnEmptyBlobIsABlob() throws Exception {
        start();
        try (ZeoTestClient client = WireCommits.connect(server)) {
            Oid oid = client.newOids(1).get(0);
            byte[] first = content(CHUNK, 2);
            Tid one = commitBlob(client, 1, oid, Tid.ZERO, first);
            Tid two = commitBlob(client, 2, oid, one, new byte[0]);

            assertThat(sendBlob(client, 10, oid, one)).isEqualTo(first);
            assertThat(sendBlob(client, 11, oid, two)).isEmpty();
        }
    }

    @Test
    void aLargeBlobStreamsThroughTheWindowOfChunks() throws Exception {
        start();
        // Many times the sender's window (16 chunks), so the transfer depends on written chunks freeing room.
        byte[] blob = content(BlobSender.WINDOW * CHUNK * 5 + 17, 3);
        try (ZeoTestClient client = WireCommits.connect(server)) {
            Oid oid = client.newOids(1).get(0);
            Tid tid = commitBlob(client, 1, oid, Tid.ZERO, blob);

            assertThat(sendBlob(client, 5, oid, tid)).isEqualTo(blob);
        }
    }

    @Test
    void sendBlobOfARevisionWithoutBlobIsAPosKeyError() throws Exception {
        start();
        try (ZeoTestClient client = WireCommits.connect(server)) {
            Oid oid = client.newOids(1).get(0);
            Tid plain = client.commit(1, Map.of(oid, WireCommits.text("no blob")), Map.of());

            assertThatThrownBy(() -> client.call("sendBlob", oid, plain)).isInstanceOf(POSKeyException.class);
            assertThat(client.call("ping")).isNull();
        }
    }

    @Test
    void aBlobOverBlobMaxSizeFailsTheVoteNamingTheOidAndTheConnectionStays() throws Exception {
        start("blob-max-size 100000");
        try (ZeoTestClient client = WireCommits.connect(server)) {
            Oid oid = client.newOids(1).get(0);
            WireCommits.begin(client, 1);
            storeBlob(client, 1, oid, Tid.ZERO, WireCommits.text("big"), content(100_001, 4));

            assertThatThrownBy(() -> client.call("vote", 1L)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("oid " + oid).hasMessageContaining("blob-max-size (100000 bytes)");
            client.call("tpc_abort", 1L);
            assertThat(uploadsLeft()).isEmpty();

            Tid ok = commitBlob(client, 2, oid, Tid.ZERO, content(100_000, 5));
            assertThat(sendBlob(client, 9, oid, ok)).hasSize(100_000);
        }
    }

    @Test
    void anAbortedOrAbandonedUploadLeavesNoFile() throws Exception {
        start();
        try (ZeoTestClient aborter = WireCommits.connect(server)) {
            Oid oid = aborter.newOids(1).get(0);
            WireCommits.begin(aborter, 1);
            storeBlob(aborter, 1, oid, Tid.ZERO, WireCommits.text("x"), content(2 * CHUNK, 6));
            assertThat(aborter.call("ping")).isNull(); // the async blob calls ran before this reply
            assertThat(uploadsLeft()).hasSize(1);
            aborter.call("tpc_abort", 1L);
            assertThat(uploadsLeft()).isEmpty();
        }
        ZeoTestClient leaver = WireCommits.connect(server);
        WireCommits.begin(leaver, 1);
        leaver.send("storeBlobStart");
        leaver.send("storeBlobChunk", (Object) content(CHUNK, 7));
        assertThat(leaver.call("ping")).isNull();
        assertThat(uploadsLeft()).as("a blob half sent").hasSize(1);
        leaver.close();
        Await.until("the half-sent blob's file is removed", () -> uploadsLeft().isEmpty());
    }

    @Test
    void storeBlobSharedCommitsTheFileTheClientPutInTheOidFolder() throws Exception {
        start();
        try (ZeoTestClient client = WireCommits.connect(server)) {
            Oid oid = client.newOids(1).get(0);
            Path folder = server.storages().storage("1").storage().blobFolder(oid);
            Files.createDirectories(folder);
            byte[] blob = content(1000, 8);
            Path shared = folder.resolve("0x01abc.tmp-");
            Files.write(shared, blob);

            WireCommits.begin(client, 1);
            WireCommits.store(client, 1, oid, Tid.ZERO, WireCommits.text("shared"));
            client.send("storeBlobShared", oid, Tid.ZERO, WireCommits.text("shared"), shared.getFileName().toString(),
                    1L);
            assertThat(client.call("vote", 1L)).isEqualTo(List.of());
            Tid tid = Tid.fromBytes((byte[]) client.call("tpc_finish", 1L));

            assertThat(Files.readAllBytes(server.storages().storage("1").storage().loadBlob(oid, tid))).isEqualTo(blob);
            assertThat(shared).as("the client's temporary file is removed, as ZEO does").doesNotExist();
        }
    }

    @Test
    void storeBlobSharedRefusesAFileNameOutsideTheOidFolder() throws Exception {
        start();
        try (ZeoTestClient client = WireCommits.connect(server)) {
            Oid oid = client.newOids(1).get(0);
            WireCommits.begin(client, 1);
            client.send("storeBlobShared", oid, Tid.ZERO, WireCommits.text("x"), "../../../etc/passwd.tmp", 1L);

            assertThat(client.awaitClosed(Duration.ofSeconds(10))).as("an async call that fails closes").isTrue();
        }
        try (ZeoTestClient other = WireCommits.connect(server)) {
            assertThat(other.call("ping")).isNull();
        }
    }
}
