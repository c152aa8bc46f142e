package org.jzeo.server.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over real TCP: registration, reads, commits, invalidations, conflicts. */
class ServerProtocolTest {
    @TempDir
    Path dir;
    private RunningServer server;

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ZeoTestClient client() throws Exception {
        ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server));
        c.register("1", false);
        return c;
    }

    private static byte[] record(String text) {
        return JzeoRecord.encode(List.of(), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void registerReturnsTheLastTransactionAndGetInfoDescribesTheStorage() throws Exception {
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            assertThat(c.register("1", false)).isEqualTo(Tid.ZERO);
            Map<String, Object> info = c.getInfo();
            assertThat(info).containsEntry("name", "1").containsEntry("supportsUndo", true)
                    .containsEntry("supports_record_iternext", true).containsKeys("length", "size", "interfaces");
            assertThat(c.anomalies()).isEmpty();
        }
    }

    @Test
    void commitIsSeenByTheOtherClientAsAnInvalidationAndNotByTheCommitter() throws Exception {
        try (ZeoTestClient a = client(); ZeoTestClient b = client()) {
            Oid oid = a.newOids().get(0);
            Tid tid = a.commit(1, Map.of(oid, record("v1")), Map.of());
            Callback inv = b.nextCallback(Duration.ofSeconds(10));
            assertThat(inv).as("b is told").isNotNull();
            assertThat(inv.name()).isEqualTo("invalidateTransaction");
            assertThat(inv.invalidatedTid()).isEqualTo(tid);
            assertThat(inv.invalidatedOids()).containsExactly(oid);
            List<Callback> mine = a.drainCallbacks();
            assertThat(mine).extracting(Callback::name).as("the committer gets info only").containsExactly("info");
            LoadResult r = b.loadBefore(oid, Tid.MAX);
            assertThat(r.start()).isEqualTo(tid);
            assertThat(r.end()).isNull();
            assertThat(JzeoRecord.decode(r.data()).payload()).isEqualTo("v1".getBytes(StandardCharsets.UTF_8));
            assertThat(a.anomalies()).isEmpty();
            assertThat(b.anomalies()).isEmpty();
        }
    }

    @Test
    void staleSerialGetsAConflictErrorWithBothSerials() throws Exception {
        try (ZeoTestClient a = client(); ZeoTestClient b = client()) {
            Oid oid = a.newOids().get(0);
            Tid first = a.commit(1, Map.of(oid, record("v1")), Map.of());
            Tid second = a.commit(2, Map.of(oid, record("v2")), Map.of(oid, first));
            assertThatThrownBy(() -> b.commit(3, Map.of(oid, record("stale")), Map.of(oid, first)))
                    .isInstanceOfSatisfying(ConflictException.class, e -> {
                        assertThat(e.oid()).isEqualTo(oid);
                        assertThat(e.committedSerial()).isEqualTo(second);
                        assertThat(e.readSerial()).isEqualTo(first);
                    });
            assertThatThrownBy(() -> b.loadBefore(Oid.of(999), Tid.MAX)).isInstanceOf(POSKeyException.class);
        }
    }

    @Test
    void anyMethodBeforeRegisterClosesTheConnection() throws Exception {
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.send("get_info");
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }
}
