package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.StorageTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prepared log at restart: a crash after the storage commit, a damaged log, a torn tail. */
class PreparedLogTest {
    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("Data.fs");
    }

    /** Three branches prepared on new objects, then a clean stop: the log holds three prepared records. */
    private List<WireXid> prepareThree() throws Exception {
        List<WireXid> xids = List.of(xid("log", 1), xid("log", 2), xid("log", 3));
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            for (int i = 0; i < xids.size(); i++) {
                prepare(c, i + 1, xids.get(i), c.newOids(1).get(0), Tid.ZERO, "value " + i);
            }
        }
        assertThat(PreparedLog.read(PreparedLog.pathFor(data())).records()).hasSize(3);
        return xids;
    }

    /** Offsets of the records of the log at {@code path}. */
    private static List<Long> offsets(Path path) throws Exception {
        List<Long> offsets = new ArrayList<>();
        long pos = XaLogCodec.FILE_HEADER;
        for (XaLogRecord r : PreparedLog.read(path).records()) {
            offsets.add(pos);
            pos += XaLogCodec.frame(r, 0).length;
        }
        offsets.add(pos);
        return offsets;
    }

    @Test
    void preparedBranchesComeBackAfterARestartWithTheirLocks() throws Exception {
        List<WireXid> xids = prepareThree();
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(recover(c)).containsExactlyElementsOf(xids);
            for (WireXid xid : xids) {
                commit(c, xid);
            }
            assertThat(recover(c)).isEmpty();
        }
    }

    @Test
    void aCommitInTheStorageWithoutItsOutcomeRecordIsRecognisedAtRestart() throws Exception {
        WireXid xid = xid("crash", 1);
        Oid x;
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            x = c.newOids(1).get(0);
            prepare(c, 1, xid, x, Tid.ZERO, "x by XA");
        }
        // What the server does in xa_commit up to the crash: the branch's transaction committed in Data.fs, with
        // no outcome record in the log.
        XaLogRecord.Prepared record = (XaLogRecord.Prepared) PreparedLog.read(PreparedLog.pathFor(data()))
                .records().get(0);
        Tid tid;
        try (FileStorage fs = FileStorage.open(data(), FileStorageOptions.defaults(), ReferenceScanner.finder())) {
            StorageTransaction st = fs.begin(record.metadata());
            record.operations().forEach(op -> op.applyTo(st));
            st.vote();
            tid = st.finish();
        }
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(recover(c)).isEmpty();
            XaCalls.Commit done = commit(c, xid);
            assertThat(done.tid()).isEqualTo(tid);
            assertThat(done.oids()).containsExactly(x);
            assertThat(text(c.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            // Not locked again: an ordinary commit of x goes through.
            assertThat(c.commit(5, java.util.Map.of(x, text("x2")), java.util.Map.of(x, tid))).isNotNull();
        }
        assertThat(PreparedLog.read(PreparedLog.pathFor(data())).records())
                .containsExactly(new XaLogRecord.Committed(xid,
                        ((XaLogRecord.Committed) PreparedLog.read(PreparedLog.pathFor(data())).records().get(0))
                                .timeMillis(), tid, List.of(x)));
    }

    @Test
    void aFlippedByteInTheMiddleStopsTheServerNamingFileAndOffset() throws Exception {
        prepareThree();
        Path log = PreparedLog.pathFor(data());
        List<Long> offsets = offsets(log);
        byte[] bytes = Files.readAllBytes(log);
        int where = (int) (offsets.get(1) + 20);
        bytes[where] ^= 0x40;
        Files.write(log, bytes);
        assertThatThrownBy(() -> TestServers.start(data()))
                .isInstanceOf(PreparedLogCorruptException.class)
                .hasMessageContaining(log.toString())
                .hasMessageContaining("offset " + offsets.get(1));
        // A flipped byte in a record header is found as well.
        bytes[where] ^= 0x40;
        bytes[(int) (offsets.get(1) + 1)] ^= 0x01;
        Files.write(log, bytes);
        assertThatThrownBy(() -> TestServers.start(data()))
                .isInstanceOf(PreparedLogCorruptException.class)
                .hasMessageContaining("offset " + offsets.get(1));
    }

    @Test
    void aTornTailIsCutAwayAndItsPrepareReportedAsRolledBackHeuristicallyUntilForgotten() throws Exception {
        List<WireXid> xids = prepareThree();
        Path log = PreparedLog.pathFor(data());
        long size = Files.size(log);
        try (var ch = java.nio.channels.FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5);
        }
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            // Never acknowledged, or an acknowledged prepare the disk damaged: not applied either way, and said so.
            assertThat(recover(c)).containsExactlyInAnyOrder(xids.get(0), xids.get(1), xids.get(2));
            assertThat(XaCalls.xaError(() -> commit(c, xids.get(2)))).isEqualTo(XAException.XA_HEURRB);
            XaCalls.forget(c, xids.get(2));
            assertThat(recover(c)).containsExactlyInAnyOrder(xids.get(0), xids.get(1));
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                .as("the cut bytes are kept").anyMatch(name -> name.startsWith("Data.fs.jzxa.damaged-"));
        // A tail of zeros (a file extended but not written) is a torn write too, and names no branch.
        Files.write(log, new byte[100], StandardOpenOption.APPEND);
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(recover(c)).containsExactlyInAnyOrder(xids.get(0), xids.get(1));
        }
    }

    @Test
    void aDamagedLastRecordIsCutAndItsBranchNotSilentlyForgotten() throws Exception {
        List<WireXid> xids = prepareThree();
        Path log = PreparedLog.pathFor(data());
        byte[] bytes = Files.readAllBytes(log);
        bytes[bytes.length - 10] ^= 0x01; // inside the last record's body: its checksum fails
        Files.write(log, bytes);
        try (RunningServer server = TestServers.start(data()); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(XaCalls.xaError(() -> commit(c, xids.get(2))))
                    .as("a commit of the damaged branch is a heuristic outcome, not 'unknown' (taken as done)")
                    .isEqualTo(XAException.XA_HEURRB);
            assertThat(commit(c, xids.get(0)).oids()).hasSize(1);
        }
    }

    @Test
    void aVersion1LogIsReadAndRewrittenAsVersion3() throws Exception {
        Path log = dir.resolve("old.jzxa");
        XaLogRecord.RolledBack record = new XaLogRecord.RolledBack(xid("v1", 1), 1234L);
        byte[] body = XaLogCodec.encode(record);
        java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(8 + 8 + body.length + 4);
        v1.put(new byte[] {'J', 'Z', 'X', 'A', 1, 0, 0, 0});
        v1.putInt(body.length);
        byte[] length = java.nio.ByteBuffer.allocate(4).putInt(body.length).array();
        v1.putInt(XaLogCodec.crc(length, 0, 4));
        v1.put(body);
        v1.putInt(XaLogCodec.crc(body, 0, body.length));
        Files.write(log, v1.array());

        List<XaLogRecord> read = new ArrayList<>();
        try (PreparedLog opened = PreparedLog.open(log, read)) {
            assertThat(read).containsExactly(record);
        }
        assertThat(Files.readAllBytes(log)[4]).as("format version after the open").isEqualTo((byte) 3);
        assertThat(PreparedLog.read(log).records()).containsExactly(record);
    }

    /**
     * A log of the previous jzeo (version 2, prepared records without owner): its branches come back without owner,
     * and the log is rewritten as version 3 (so that a jzeo older still refuses it rather than misreading it).
     */
    @Test
    void aVersion2LogIsReadWithoutOwnersAndRewrittenAsVersion3() throws Exception {
        Path log = dir.resolve("v2.jzxa");
        XaLogRecord.Prepared prepared = new XaLogRecord.Prepared(xid("v2", 1), 1234L, Tid.of(7), 0,
                org.jzeo.storage.TransactionMetadata.empty(), List.of());
        XaLogRecord.HeuristicRollback heuristic = new XaLogRecord.HeuristicRollback(xid("v2", 2), 1235L, "old");
        java.io.ByteArrayOutputStream v2 = new java.io.ByteArrayOutputStream();
        v2.write(new byte[] {'J', 'Z', 'X', 'A', 2, 0, 0, 0});
        for (XaLogRecord r : List.of(prepared, heuristic)) {
            byte[] body = XaLogCodec.encode(r);
            assertThat(body[0]).as("a version 2 record type").isIn((byte) 1, (byte) 4);
            v2.write(XaLogCodec.frame(r, v2.size()));
        }
        Files.write(log, v2.toByteArray());

        List<XaLogRecord> read = new ArrayList<>();
        try (PreparedLog opened = PreparedLog.open(log, read)) {
            assertThat(read).usingRecursiveFieldByFieldElementComparator().containsExactly(prepared, heuristic);
        }
        assertThat(prepared.owner()).isNull();
        assertThat(heuristic.owner()).isNull();
        assertThat(Files.readAllBytes(log)[4]).as("format version after the open").isEqualTo((byte) 3);
        assertThat(PreparedLog.read(log).records()).usingRecursiveFieldByFieldElementComparator()
                .containsExactly(prepared, heuristic);
    }

    @Test
    void aLogOfANewerVersionIsRefused() throws Exception {
        Path log = dir.resolve("v4.jzxa");
        Files.write(log, new byte[] {'J', 'Z', 'X', 'A', 4, 0, 0, 0});

        assertThatThrownBy(() -> PreparedLog.read(log)).isInstanceOf(PreparedLogCorruptException.class)
                .hasMessageContaining("unknown version 4");
    }
}
