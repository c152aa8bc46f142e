package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.FileStorageConfig;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob stored over the wire (storeBlobStart/Chunk/End) in an XA branch of a FileStorage with a blob directory:
 * prepared, the server stopped and started again, the branch recovered and committed from a new connection; the
 * committed revision has its blob, byte-identical, and the branch's upload is gone once the branch ended.
 */
class XaBlobBranchTest {
    @TempDir
    Path dir;

    private RunningServer start() throws InterruptedException {
        ServerConfig base = TestServers.config(dir.resolve("Data.fs"), z -> z);
        FileStorageConfig storage = new FileStorageConfig("1", dir.resolve("Data.fs"), false, false,
                OptionalLong.empty(), true, true, false, FileStorageConfig.DEFAULT_RECORD_CACHE_SIZE,
                dir.resolve("blobs"));
        return RunningServer.start(new ServerConfig(base.zeo(), List.of(storage), LogConfig.defaults()));
    }

    private List<Path> uploads() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("blobs/tmp"))) {
            return files.toList();
        }
    }

    @Test
    void aPreparedBlobBranchSurvivesARestartAndCommitsItsBlob() throws Exception {
        byte[] content = new byte[150_000];
        new Random(7).nextBytes(content);
        WireXid xid = xid("blob", 1);
        Oid oid;
        try (RunningServer server = start(); ZeoTestClient c = XaCalls.connect(server)) {
            oid = c.newOids(1).get(0);
            c.send("tpc_begin", 1L, new byte[0], new byte[0], Map.of(), null, " ");
            c.send("storeBlobStart");
            for (int at = 0; at < content.length; at += 59_000) {
                c.send("storeBlobChunk", java.util.Arrays.copyOfRange(content, at, Math.min(content.length,
                        at + 59_000)));
            }
            c.send("storeBlobEnd", oid, Tid.ZERO, XaCalls.text("blob record"), 1L);
            assertThat(c.call(XaWire.VOTE, 1L, XaWire.encode(xid), 0L)).isEqualTo(List.of());
            assertThat(uploads()).as("the prepared branch's upload").hasSize(1);
        }

        Tid tid;
        try (RunningServer server = start(); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(uploads()).as("the recovered branch keeps its upload").hasSize(1);
            assertThat(recover(c)).containsExactly(xid);
            tid = commit(c, xid).tid();
        }
        // After the stop, which waits for the commit's work: the reply may come before the upload is removed.
        assertThat(uploads()).as("uploads after the branch ended").isEmpty();

        try (FileStorage fs = FileStorage.open(dir.resolve("Data.fs"), FileStorageOptions.defaults()
                .withReadOnly(true).withBlobDir(dir.resolve("blobs")), ReferenceScanner.finder())) {
            assertThat(fs.loadBefore(oid, Tid.MAX).start()).isEqualTo(tid);
            assertThat(Files.readAllBytes(fs.loadBlob(oid, tid))).isEqualTo(content);
        }
    }
}
