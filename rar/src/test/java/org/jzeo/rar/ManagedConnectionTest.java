package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.rar.ServerFixture.text;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.LocalTransactionException;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Managed connections, their handles, local transactions and events, against a real server. */
class ManagedConnectionTest {
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
    void connectionsOfOneConfigurationShareOneStorage() throws Exception {
        JzeoManagedConnection a = fixture.newManagedConnection();
        JzeoManagedConnection b = fixture.newManagedConnection();
        // A second factory with the same properties (as a container makes for recovery) shares it too.
        JzeoManagedConnection c = (JzeoManagedConnection) fixture.newFactory().createManagedConnection(null, null);
        assertThat(b.storage()).isSameAs(a.storage());
        assertThat(c.storage()).isSameAs(a.storage());
        assertThat(a.getXAResource().isSameRM(b.getXAResource())).isTrue();
        assertThat(a.getXAResource()).isSameAs(a.getXAResource());

        JzeoManagedConnectionFactory other = fixture.newFactory();
        other.setCacheSize(1024L * 1024);
        JzeoManagedConnection d = (JzeoManagedConnection) other.createManagedConnection(null, null);
        assertThat(d.storage()).isNotSameAs(a.storage());
        assertThat(d.getXAResource().isSameRM(a.getXAResource())).isFalse();
    }

    @Test
    void aContainerLocalTransactionCommitsWhatTheHandleWrote() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        LocalTransaction tx = mc.getLocalTransaction();

        tx.begin();
        Oid oid = handle.newOid();
        handle.write(oid, text("hello"), List.of());
        assertThat(handle.inTransaction()).isTrue();
        tx.commit();
        assertThat(handle.inTransaction()).isFalse();

        assertThat(listener.ids()).containsExactly(ConnectionEvent.LOCAL_TRANSACTION_STARTED,
                ConnectionEvent.LOCAL_TRANSACTION_COMMITTED);
        // Committed on the server: another connection (a fresh storage, not the shared cache) reads it.
        JzeoManagedConnectionFactory elsewhere = fixture.newFactory();
        elsewhere.setCacheSize(1024L * 1024);
        JzeoManagedConnection other = (JzeoManagedConnection) elsewhere.createManagedConnection(null, null);
        StorageConnection reader = (StorageConnection) other.getConnection(null, null);
        assertThat(text(reader.read(oid).payload())).isEqualTo("hello");
    }

    @Test
    void aContainerLocalTransactionRollsBack() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        Oid oid = handle.newOid();
        handle.write(oid, text("never"), List.of());
        tx.rollback();

        assertThat(handle.exists(oid)).isFalse();
        assertThat(listener.ids()).containsExactly(ConnectionEvent.LOCAL_TRANSACTION_STARTED,
                ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK);
        assertThatThrownBy(tx::commit).isInstanceOf(LocalTransactionException.class);
    }

    @Test
    void handlesRefuseToDemarcateInsideAContainerLocalTransaction() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        mc.getLocalTransaction().begin();

        assertThatThrownBy(handle::begin).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("container-managed");
        assertThatThrownBy(handle::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(handle::abort).isInstanceOf(IllegalStateException.class);
        assertThat(handle.inTransaction()).isTrue(); // refused, not ended
        mc.getLocalTransaction().rollback();
    }

    @Test
    void handlesOfOneManagedConnectionShareItsTransaction() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection first = (StorageConnection) mc.getConnection(null, null);
        StorageConnection second = (StorageConnection) mc.getConnection(null, null);
        mc.getLocalTransaction().begin();
        Oid oid = first.newOid();
        first.write(oid, text("shared"), List.of());
        assertThat(text(second.read(oid).payload())).isEqualTo("shared");
        first.close(); // closing one handle leaves the transaction to the others
        assertThat(second.inTransaction()).isTrue();
        mc.getLocalTransaction().commit();
        assertThat(second.exists(oid)).isTrue();
    }

    @Test
    void theApplicationDemarcatesOnAHandleOutsideContainerTransactions() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);

        handle.begin();
        Oid oid = handle.newOid();
        handle.write(oid, text("mine"), List.of());
        handle.commit();
        assertThat(text(handle.read(oid).payload())).isEqualTo("mine");
        assertThat(listener.ids()).containsExactly(ConnectionEvent.LOCAL_TRANSACTION_STARTED,
                ConnectionEvent.LOCAL_TRANSACTION_COMMITTED);
        assertThat(listener.events.get(0).getConnectionHandle()).isSameAs(handle);

        // The container cannot start its own transaction over the application's.
        handle.begin();
        assertThatThrownBy(() -> mc.getLocalTransaction().begin()).isInstanceOf(LocalTransactionException.class);
        handle.abort();
    }

    @Test
    void closingAHandleTellsTheContainerAndKillsTheHandle() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);

        handle.close();
        handle.close(); // twice is harmless and sends no second event

        assertThat(listener.ids()).containsExactly(ConnectionEvent.CONNECTION_CLOSED);
        assertThat(listener.last().getConnectionHandle()).isSameAs(handle);
        assertThatThrownBy(handle::lastTransaction).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> handle.read(Oid.ROOT)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(handle::begin).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(handle::inTransaction).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingTheLastHandleAbortsTheApplicationsTransaction() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        RecordingListener listener = new RecordingListener();
        mc.addConnectionEventListener(listener);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        handle.begin();
        Oid oid = handle.newOid();
        handle.write(oid, text("dropped"), List.of());
        handle.close();

        assertThat(listener.ids()).containsExactly(ConnectionEvent.LOCAL_TRANSACTION_STARTED,
                ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK, ConnectionEvent.CONNECTION_CLOSED);
        StorageConnection next = (StorageConnection) mc.getConnection(null, null);
        assertThat(next.inTransaction()).isFalse();
        assertThat(next.exists(oid)).isFalse();
    }

    @Test
    void cleanupInvalidatesHandlesAndDropsALocalTransaction() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        mc.getLocalTransaction().begin();
        handle.write(handle.newOid(), text("left over"), List.of());

        mc.cleanup();

        assertThatThrownBy(handle::lastTransaction).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("invalidated");
        StorageConnection reused = (StorageConnection) mc.getConnection(null, null);
        assertThat(reused.inTransaction()).isFalse();
        reused.begin(); // the container's transaction is gone
        reused.abort();
    }

    @Test
    void aHandleCanMoveToAnotherManagedConnection() throws Exception {
        JzeoManagedConnection from = fixture.newManagedConnection();
        JzeoManagedConnection to = fixture.newManagedConnection();
        RecordingListener fromEvents = new RecordingListener();
        RecordingListener toEvents = new RecordingListener();
        from.addConnectionEventListener(fromEvents);
        to.addConnectionEventListener(toEvents);
        JzeoConnection handle = (JzeoConnection) from.getConnection(null, null);

        to.getLocalTransaction().begin();
        to.associateConnection(handle);
        assertThat(handle.managedConnection()).isSameAs(to);
        assertThat(handle.inTransaction()).isTrue(); // it now sees the target's transaction
        from.cleanup(); // no longer the old connection's handle
        assertThat(handle.inTransaction()).isTrue();
        to.getLocalTransaction().rollback();

        handle.close();
        assertThat(fromEvents.ids()).isEmpty();
        assertThat(toEvents.ids()).endsWith(ConnectionEvent.CONNECTION_CLOSED);
    }

    @Test
    void destroyedConnectionsRefuseEverything() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        mc.destroy();
        mc.destroy();
        assertThatThrownBy(handle::lastTransaction).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> mc.getConnection(null, null))
                .isInstanceOf(jakarta.resource.spi.IllegalStateException.class);
        // The shared storage lives on for the other connections.
        JzeoManagedConnection next = fixture.newManagedConnection();
        assertThat(next.storage()).isSameAs(mc.storage());
        assertThat(next.storage().isConnected()).isTrue();
    }

    @Test
    void metaDataNamesTheProduct() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        assertThat(mc.getMetaData().getEISProductName()).isEqualTo("jzeo");
        assertThat(mc.getMetaData().getEISProductVersion()).isNotBlank();
        assertThat(mc.getMetaData().getMaxConnections()).isZero();
    }

    @Test
    void logWritersAreKept() throws Exception {
        java.io.PrintWriter out = new java.io.PrintWriter(new java.io.StringWriter());
        fixture.factory.setLogWriter(out);
        JzeoManagedConnection mc = fixture.newManagedConnection();
        assertThat(mc.getLogWriter()).isSameAs(out); // inherited from its factory
        mc.setLogWriter(null);
        assertThat(mc.getLogWriter()).isNull();
        assertThat(fixture.factory.getLogWriter()).isSameAs(out);
    }

    @Test
    void matchingPicksAnyLiveConnectionOfTheSameConfiguration() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        JzeoManagedConnectionFactory other = fixture.newFactory();
        other.setCacheSize(4096L);
        assertThat(fixture.factory.matchManagedConnections(java.util.Set.of(mc), null, null)).isSameAs(mc);
        assertThat(fixture.newFactory().matchManagedConnections(java.util.Set.of(mc), null, null)).isSameAs(mc);
        assertThat(other.matchManagedConnections(java.util.Set.of(mc), null, null)).isNull();
        mc.destroy();
        assertThat(fixture.factory.matchManagedConnections(java.util.Set.of(mc), null, null)).isNull();
    }
}
