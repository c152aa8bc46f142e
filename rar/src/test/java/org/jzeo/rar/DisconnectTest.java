package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.resource.spi.ConnectionEvent;
import java.nio.file.Path;
import java.util.Set;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the container learns when the server goes away: error events and validation. */
class DisconnectTest {
    @TempDir
    Path dir;
    private ServerFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new ServerFixture(dir);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aCallThatFailsForALostServerIsAConnectionError() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);

        fixture.stopServer();
        ServerFixture.awaitDisconnected(mc.storage());

        assertThatThrownBy(() -> handle.history(Oid.ROOT, 1)).isInstanceOf(DisconnectedException.class);
        assertThat(listener.ids()).containsExactly(ConnectionEvent.CONNECTION_ERROR_OCCURRED);
        ConnectionEvent error = listener.last();
        assertThat(error.getException()).isInstanceOf(DisconnectedException.class);
        assertThat(error.getConnectionHandle()).isSameAs(handle);
        assertThat(error.getSource()).isSameAs(mc);
    }

    @Test
    void otherFailuresAreNotConnectionErrors() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        assertThatThrownBy(() -> handle.write(Oid.ROOT, new byte[0], java.util.List.of()))
                .isInstanceOf(IllegalStateException.class); // no transaction
        assertThat(listener.ids()).isEmpty();
    }

    @Test
    void validationReportsConnectionsWhoseServerIsGone() throws Exception {
        JzeoManagedConnection a = fixture.newManagedConnection();
        JzeoManagedConnection b = fixture.newManagedConnection();
        assertThat(fixture.factory.getInvalidConnections(Set.of(a, b))).isEmpty();

        fixture.stopServer();
        ServerFixture.awaitDisconnected(a.storage());

        assertThat(fixture.factory.getInvalidConnections(Set.of(a, b))).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void theContainersPoolDiscardsTheBrokenConnection() throws Exception {
        PoolingConnectionManager pool = new PoolingConnectionManager();
        JzeoConnectionFactory factory = (JzeoConnectionFactory) fixture.factory.createConnectionFactory(pool);
        StorageConnection handle = factory.getConnection();

        fixture.stopServer();
        ServerFixture.awaitDisconnected(((JzeoConnection) handle).managedConnection().storage());
        assertThatThrownBy(() -> handle.history(Oid.ROOT, 1)).isInstanceOf(DisconnectedException.class);

        assertThat(pool.destroyed).containsExactlyElementsOf(pool.created);
        assertThat(pool.idle).isEmpty();
        assertThatThrownBy(handle::newOid).isInstanceOf(IllegalStateException.class);
    }
}
