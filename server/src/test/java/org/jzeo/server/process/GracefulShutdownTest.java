package org.jzeo.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.process.WireReads.FileTransaction;
import org.jzeo.server.testclient.ConnectionClosed;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a server process while a client holds a voted but unfinished transaction: the server closes the
 * connections (aborting that transaction), closes the storage with its index saved, and exits with status 0.
 * After a restart the earlier commits are all there, the voted transaction is not, and the index written at
 * shutdown covers the whole file.
 */
class GracefulShutdownTest {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ServerProcess server;

    @AfterEach
    void killLeftover() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] record(String text) {
        return JzeoRecord.encode(List.of(), text.getBytes(StandardCharsets.UTF_8));
    }

    private static ZeoTestClient connect(ServerProcess server) throws Exception {
        ZeoTestClient client = ZeoTestClient.connect(server.address());
        client.register("1", false);
        return client;
    }

    @Test
    void sigtermWithAVotedTransactionExitsZeroAbortsItAndKeepsEveryEarlierCommit() throws Exception {
        Path data = dir.resolve("Data.fs");
        Path index = data.resolveSibling("Data.fs.jzindex");
        server = ServerProcess.start(data);

        Oid a;
        Oid b;
        Oid created;
        Tid t1;
        Tid t2;
        long votedTxn = 0x7000_0000_0000_0001L;
        try (ZeoTestClient committer = connect(server); ZeoTestClient voter = connect(server)) {
            List<Oid> oids = committer.newOids(3);
            a = oids.get(0);
            b = oids.get(1);
            created = oids.get(2);
            t1 = committer.commit(1, Map.of(a, record("a1"), b, record("b1")), Map.of());
            t2 = committer.commit(2, Map.of(a, record("a2")), Map.of(a, t1));

            voter.send("tpc_begin", votedTxn, bytes("voter"), bytes("voted, never finished"), Map.of(), null, " ");
            voter.send("storea", b, t1, record("b-voted"), votedTxn);
            voter.send("storea", created, Tid.ZERO, record("created-voted"), votedTxn);
            assertThat(voter.call("vote", votedTxn)).as("the vote succeeds (no conflict)").isEqualTo(List.of());

            // Whatever index file exists now is not the one the shutdown must write.
            Files.deleteIfExists(index);
            server.stop(); // exit status 0, storage closed, no index failure, Data.fs.jzindex exists

            assertThat(voter.awaitClosed(CLOSE_TIMEOUT)).as("the voter's connection is closed by the shutdown")
                    .isTrue();
            assertThat(committer.awaitClosed(CLOSE_TIMEOUT)).as("the idle connection is closed too").isTrue();
            assertThatThrownBy(() -> voter.call("tpc_finish", votedTxn)).isInstanceOf(ConnectionClosed.class);
            assertThat(voter.anomalies()).isEmpty();
            assertThat(committer.anomalies()).isEmpty();
        }
        assertThat(server.log()).as("the server says it aborted the voted transaction")
                .anyMatch(l -> l.contains("disconnected with an unfinished transaction; aborting it"));
        assertThat(index).as("the index was written at shutdown").isRegularFile();

        server = ServerProcess.start(data);
        assertThat(server.log()).as("the index saved at shutdown covers every transaction in the file")
                .anyMatch(l -> l.contains("(index file used, scanned 0 newer transactions)"));
        try (ZeoTestClient reader = connect(server)) {
            assertThat(reader.lastTransaction()).as("lastTransaction after restart").isEqualTo(t2);

            assertLoad(reader.loadBefore(a, Tid.MAX), "a2", t2, null);
            assertLoad(reader.loadBefore(a, t2), "a1", t1, t2);
            assertLoad(reader.loadBefore(b, Tid.MAX), "b1", t1, null);
            assertThat(payload(WireReads.loadSerial(reader, a, t1))).isEqualTo("a1");
            assertThat(payload(WireReads.loadSerial(reader, b, t1))).isEqualTo("b1");
            assertThatThrownBy(() -> reader.loadBefore(created, Tid.MAX))
                    .as("the object created only by the voted transaction does not exist")
                    .isInstanceOf(POSKeyException.class);

            List<FileTransaction> file = WireReads.transactions(reader, null);
            assertThat(file).extracting(FileTransaction::tid).as("exactly the two finished transactions")
                    .containsExactly(t1, t2);
            assertThat(file).allSatisfy(t -> assertThat(t.status()).isEqualTo(" "));
            assertThat(file.get(0).oids()).containsExactlyInAnyOrder(a, b);
            assertThat(file.get(1).oids()).containsExactly(a);

            // The storage takes commits again, and the stale serial of the aborted transaction is not current.
            Tid t3 = reader.commit(3, Map.of(b, record("b3")), Map.of(b, t1));
            assertThat(t3).isGreaterThan(t2);
            assertThat(reader.anomalies()).isEmpty();
        }
        server.stop();
    }

    private static void assertLoad(LoadResult r, String payload, Tid start, Tid end) {
        assertThat(r).as("a revision exists").isNotNull();
        assertThat(payload(r.data())).isEqualTo(payload);
        assertThat(r.start()).as("start tid of %s", payload).isEqualTo(start);
        assertThat(r.end()).as("end tid of %s", payload).isEqualTo(end);
    }

    private static String payload(byte[] data) {
        return new String(JzeoRecord.decode(data).payload(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
