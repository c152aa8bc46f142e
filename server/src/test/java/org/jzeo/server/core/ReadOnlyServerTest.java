package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server started with {@code read-only} (zeo-protocol §10), and read-only connections on a writable server. */
class ReadOnlyServerTest {
    @TempDir
    Path dir;
    private Path data;
    private Oid x;
    private Tid written;

    @BeforeEach
    void writeSomething() throws Exception {
        data = dir.resolve("Data.fs");
        try (RunningServer server = TestServers.start(data);
             ZeoTestClient client = WireCommits.connect(server)) {
            x = Oid.ROOT; // pack's garbage collection starts from the root object
            Tid first = client.commit(1, Map.of(x, text("x0")), Map.of());
            written = client.commit(2, Map.of(x, text("x1")), Map.of(x, first));
        }
    }

    @Test
    void aReadOnlyServerRefusesWritesButServesReadsAndPack() throws Exception {
        try (RunningServer server = TestServers.start(data, z -> z.withReadOnly(true));
             ZeoTestClient client = ZeoTestClient.connect(TestServers.address(server))) {
            assertThatThrownBy(() -> client.register("1", false)).as("register(name, false) on a read-only server")
                    .isInstanceOf(ReadOnlyException.class);
            assertThat(client.isClosed()).as("a refused register leaves the connection open").isFalse();
            assertThat(client.register("1", true)).as("register(name, true) on the same connection")
                    .isEqualTo(written);

            LoadResult current = client.loadBefore(x, Tid.MAX);
            assertThat(current.start()).isEqualTo(written);
            assertThat(text(current.data())).isEqualTo("x1");
            assertThat(client.lastTransaction()).isEqualTo(written);

            assertThatThrownBy(client::newOids).as("new_oids on a read-only connection")
                    .isInstanceOf(ReadOnlyException.class);
            assertThat(client.call("ping")).as("a refused new_oids leaves the connection usable").isNull();

            assertThat(client.call("pack", System.currentTimeMillis() / 1000.0, true))
                    .as("pack is allowed on a read-only server").isNull();
            assertThat(text(client.loadBefore(x, Tid.MAX).data())).as("the current revision survives the pack")
                    .isEqualTo("x1");
            assertThat(client.anomalies()).isEmpty();

            // tpc_begin is async: the only answer the server has is closing the connection.
            WireCommits.begin(client, 7);
            assertThat(client.awaitClosed(Duration.ofSeconds(10))).as("tpc_begin on a read-only server closes the "
                    + "connection").isTrue();
        }
    }

    @Test
    void aReadOnlyConnectionToAWritableServerIsRefusedWritesToo() throws Exception {
        try (RunningServer server = TestServers.start(data);
             ZeoTestClient reader = WireCommits.connect(server, true);
             ZeoTestClient writer = WireCommits.connect(server)) {
            assertThatThrownBy(reader::newOids).isInstanceOf(ReadOnlyException.class);
            assertThat(text(reader.loadBefore(x, Tid.MAX).data())).isEqualTo("x1");

            // A read-only connection still gets invalidations.
            Tid next = writer.commit(3, Map.of(x, text("x2")), Map.of(x, written));
            var callback = reader.nextCallback(Duration.ofSeconds(10));
            assertThat(callback).as("the read-only client is told of the commit").isNotNull();
            assertThat(callback.invalidatedTid()).isEqualTo(next);

            WireCommits.begin(reader, 8);
            assertThat(reader.awaitClosed(Duration.ofSeconds(10))).as("tpc_begin on a read-only connection closes it")
                    .isTrue();
            assertThat(writer.call("ping")).as("other connections are not affected").isNull();
        }
    }
}
