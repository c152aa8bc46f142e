package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.storage.pg.PostgresTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resource adapter's connection definition lists two jzeo servers over one PostgreSQL database: when the server
 * its pooled connection uses is killed with SIGKILL, the call fails as a connection error, the container's pool
 * discards that connection, the adapter's storage reconnects to the other server by itself, and the next connection
 * the pool hands out works through it, with every acknowledged commit there.
 */
class ClusterFailoverThroughAdapterTest {
    @TempDir
    Path dir;

    @Test
    void thePoolsNextConnectionGoesThroughTheServerThatIsStillUp() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        Path config = dir.resolve("zeo.conf");
        Files.writeString(config, String.join("\n", "%import relstorage", "<relstorage 1>", "  <postgresql>",
                "    dsn " + pg.dsn(pg.createDatabase()), "  </postgresql>", "</relstorage>", ""));
        JzeoResourceAdapter adapter = new JzeoResourceAdapter();
        try (ServerProcess first = ServerProcess.start(config); ServerProcess second = ServerProcess.start(config)) {
            adapter.start(null);
            JzeoManagedConnectionFactory definition = new JzeoManagedConnectionFactory();
            definition.setServerAddresses(first.hostPort() + " " + second.hostPort());
            definition.setMinDisconnectPoll(1);
            definition.setMaxDisconnectPoll(2);
            definition.setWaitTimeout(10);
            definition.setResourceAdapter(adapter);
            PoolingConnectionManager pool = new PoolingConnectionManager();
            JzeoConnectionFactory factory = (JzeoConnectionFactory) definition.createConnectionFactory(pool);

            StorageConnection before = factory.getConnection();
            Oid account = before.newOid();
            before.begin();
            before.write(account, ServerFixture.text("100"), List.of());
            before.commit();
            JzeoManagedConnection usedFirst = ((JzeoConnection) before).managedConnection();
            assertThat(usedFirst.storage().connectedAddress().toString()).endsWith(":" + first.address().getPort());

            first.kill9();
            ServerFixture.awaitDisconnected(usedFirst.storage());
            Throwable lost = catchThrowable(() -> before.history(account, 1));
            assertThat(lost).isInstanceOf(DisconnectedException.class);
            assertThat(pool.destroyed).containsExactly(usedFirst);

            // The adapter's storage (shared by its managed connections) reconnects by itself, to the other server.
            assertThat(usedFirst.storage().awaitConnected(java.time.Duration.ofSeconds(30))).isTrue();
            StorageConnection after = factory.getConnection();
            after.begin();
            assertThat(ServerFixture.text(after.read(account).payload())).isEqualTo("100");
            after.write(account, ServerFixture.text("90"), List.of());
            after.commit();
            after.begin();
            assertThat(ServerFixture.text(after.read(account).payload())).isEqualTo("90");
            after.abort();
            assertThat(((JzeoConnection) after).managedConnection().storage().connectedAddress().toString())
                    .endsWith(":" + second.address().getPort());
        } finally {
            adapter.stop();
        }
    }
}
