package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xid;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests.BlobCallbacks;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs survive a server killed with SIGKILL: one whose commit was acknowledged is there after the restart, byte
 * for byte; one in a branch whose XA prepare was acknowledged is recovered with the branch and committed after it.
 */
class BlobKillTest {
    private static final int CHUNK = BlobCallbacks.CHUNK_SIZE;

    @TempDir
    Path dir;

    private ServerProcess start() throws Exception {
        return ServerProcess.start(dir.resolve("Data.fs"), "--blob-dir", dir.resolve("blobs").toString());
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void sendBlob(ZeoTestClient client, long txn, Oid oid, byte[] blob) {
        client.send("tpc_begin", txn, XaCalls.EMPTY, XaCalls.EMPTY, java.util.Map.of(), null, " ");
        client.send("storea", oid, Tid.ZERO, text("blob"), txn);
        client.send("storeBlobStart");
        for (int at = 0; at < blob.length; at += CHUNK) {
            client.send("storeBlobChunk", (Object) Arrays.copyOfRange(blob, at, Math.min(blob.length, at + CHUNK)));
        }
        client.send("storeBlobEnd", oid, Tid.ZERO, text("blob"), txn);
    }

    private static byte[] download(ZeoTestClient client, Oid oid, Tid serial) {
        client.drainCallbacks();
        assertThat(client.call("sendBlob", oid, serial)).isNull();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Callback c : client.drainCallbacks()) {
            if (c.name().equals(BlobCallbacks.CHUNK)) {
                out.writeBytes((byte[]) c.args().get(2));
            }
        }
        return out.toByteArray();
    }

    @Test
    void anAcknowledgedBlobCommitAndAPreparedBlobBranchSurviveKill9() throws Exception {
        byte[] committed = content(5 * CHUNK + 7, 1);
        byte[] prepared = content(3 * CHUNK + 11, 2);
        WireXid xid = xid("blob-kill9", 1);
        Oid first;
        Oid second;
        Tid firstTid;
        try (ServerProcess server = start()) {
            try (ZeoTestClient c = XaCalls.connect(server.address())) {
                first = c.newOids(1).get(0);
                second = c.newOids(1).get(0);
                sendBlob(c, 1, first, committed);
                assertThat(c.call("vote", 1L)).isEqualTo(List.of());
                firstTid = Tid.fromBytes((byte[]) c.call("tpc_finish", 1L));

                sendBlob(c, 2, second, prepared);
                assertThat(c.call(XaWire.VOTE, 2L, XaWire.encode(xid), 0L)).isEqualTo(List.of());
            }
            server.kill9();
            try (ServerProcess again = server.restart(); ZeoTestClient c = XaCalls.connect(again.address())) {
                assertThat(download(c, first, firstTid)).as("the acknowledged commit's blob").isEqualTo(committed);
                assertThat(recover(c)).containsExactly(xid);

                XaCalls.Commit done = commit(c, xid);

                assertThat(done.oids()).containsExactly(second);
                assertThat(download(c, second, done.tid())).as("the prepared branch's blob").isEqualTo(prepared);
            }
        }
        try (Stream<Path> left = Files.list(dir.resolve("blobs").resolve("tmp"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("upload-")))
                    .as("the branch's received file is removed once it committed").isEmpty();
        }
    }
}
