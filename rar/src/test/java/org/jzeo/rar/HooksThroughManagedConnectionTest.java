package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.rar.ServerFixture.text;

import jakarta.resource.spi.LocalTransaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;
import org.jzeo.server.testsupport.RecordingTransactionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object layer's hooks through connection handles, against a real server: attachments and the transaction
 * listener belong to the managed connection (they outlive a handle and stay while the container pools it), the
 * listener hears XA end and the container's local transactions, and metadata and undo reach the server.
 */
class HooksThroughManagedConnectionTest {
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
    void anAttachmentLivesWithThePooledManagedConnectionNotWithTheHandle() throws Exception {
        PoolingConnectionManager pool = new PoolingConnectionManager();
        StorageConnectionFactory factory = (StorageConnectionFactory) fixture.factory.createConnectionFactory(pool);

        StorageConnection first = factory.getConnection();
        List<String> cache = first.attachment("object cache", ArrayList::new);
        cache.add("hot");
        first.close();
        StorageConnection second = factory.getConnection();
        assertThat(pool.created).as("the pooled managed connection was reused").hasSize(1);
        assertThat(second).as("a new handle").isNotSameAs(first);
        assertThat(second.<List<String>>attachment("object cache", ArrayList::new)).isSameAs(cache);
        second.close();

        JzeoManagedConnection managed = (JzeoManagedConnection) pool.created.get(0);
        pool.idle.remove(managed);
        managed.destroy();
        StorageConnection third = factory.getConnection();
        assertThat(pool.created).as("a new managed connection").hasSize(2);
        assertThat(third.<List<String>>attachment("object cache", ArrayList::new))
                .as("the destroyed connection's attachment went with it").isEmpty();
        third.close();
    }

    @Test
    void theListenerWritesIntoTheBranchAtXaEndAfterItsHandleWasClosed() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        XAResource xa = mc.getXAResource();
        RecordingTransactionListener listener = new RecordingTransactionListener();
        Xid xid = TestXid.of("listener", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        handle.setTransactionListener(listener);
        Oid oid = handle.newOid();
        handle.close(); // as a bean does before the container ends the transaction
        StorageConnection later = (StorageConnection) mc.getConnection(null, null);
        listener.take();
        listener.atBeforeCompletion = () -> later.write(oid, text("pending change"), List.of());
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(listener.take()).containsExactly("before", "after DELEGATED");
        assertThat(xa.prepare(xid)).as("the listener's write is in the branch").isEqualTo(XAResource.XA_OK);
        xa.commit(xid, false);
        assertThat(listener.take()).as("the outcome is the transaction manager's").isEmpty();
        assertThat(text(readElsewhere(oid))).isEqualTo("pending change");
    }

    @Test
    void aClosedHandleServesOnlyItsManagedConnectionsListenerWhileItIsCalled() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        XAResource xa = mc.getXAResource();
        RecordingTransactionListener listener = new RecordingTransactionListener();
        Xid xid = TestXid.of("closed handle", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        handle.setTransactionListener(listener);
        Oid oid = handle.newOid();
        handle.close(); // the bean is done; the object layer kept this handle and writes through it at end
        assertThatThrownBy(() -> handle.read(oid)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        listener.atBeforeCompletion = () -> handle.write(oid, text("written at end"), List.of());
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(listener.take()).endsWith("before", "after DELEGATED");
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        xa.commit(xid, false);
        assertThat(text(readElsewhere(oid))).isEqualTo("written at end");
        assertThatThrownBy(() -> handle.read(oid)).as("outside the listener the handle stays closed")
                .isInstanceOf(IllegalStateException.class);

        mc.cleanup(); // invalidates: the container took the connection back; its listener may still use the handle
        StorageConnection next = (StorageConnection) mc.getConnection(null, null);
        Xid second = TestXid.of("closed handle", "2");
        xa.start(second, XAResource.TMNOFLAGS);
        next.read(oid);
        listener.atBeforeCompletion = () -> handle.write(oid, text("again"), List.of());
        xa.end(second, XAResource.TMSUCCESS);
        assertThat(xa.prepare(second)).isEqualTo(XAResource.XA_OK);
        xa.commit(second, false);
        assertThat(text(readElsewhere(oid))).isEqualTo("again");
    }

    @Test
    void endWithFailureReportsAnAbortAndSuspendReportsNothing() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        XAResource xa = mc.getXAResource();
        RecordingTransactionListener listener = new RecordingTransactionListener();
        handle.setTransactionListener(listener);
        Xid xid = TestXid.of("fail", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        listener.take();
        xa.end(xid, XAResource.TMSUSPEND);
        assertThat(listener.take()).as("suspend").isEmpty();
        xa.start(xid, XAResource.TMRESUME);
        handle.write(handle.newOid(), text("never"), List.of());
        xa.end(xid, XAResource.TMFAIL);
        assertThat(listener.take()).as("end with failure").containsExactly("after ABORTED");
        assertThatThrownBy(() -> xa.prepare(xid)).isInstanceOfSatisfying(XAException.class,
                e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RBROLLBACK));
    }

    @Test
    void theListenerHearsTheContainersLocalTransactions() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        RecordingTransactionListener listener = new RecordingTransactionListener();
        handle.setTransactionListener(listener);
        LocalTransaction tx = mc.getLocalTransaction();

        tx.begin();
        Oid oid = handle.newOid();
        listener.take();
        listener.atBeforeCompletion = () -> handle.write(oid, text("from the listener"), List.of());
        tx.commit();
        Tid committed = handle.lastTransaction();
        assertThat(listener.take()).containsExactly("before", "after COMMITTED " + committed);
        assertThat(text(readElsewhere(oid))).isEqualTo("from the listener");

        tx.begin();
        handle.write(oid, text("rolled back"), List.of());
        listener.take();
        tx.rollback();
        assertThat(listener.take()).containsExactly("after ABORTED");
    }

    @Test
    void transactionMetadataAndUndoGoThroughTheHandle() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        handle.begin();
        Oid oid = handle.newOid();
        handle.write(oid, text("first"), List.of());
        handle.commit();
        handle.begin();
        handle.write(oid, text("second"), List.of());
        handle.setTransactionInfo("carol", "overwrite", Map.of("reason", "test"));
        Tid second = handle.commit();

        TransactionInfo newest = handle.undoLog(0, 1).get(0);
        assertThat(newest.tid()).isEqualTo(second);
        assertThat(newest.user()).isEqualTo("carol");
        assertThat(newest.description()).isEqualTo("overwrite");
        assertThat(newest.extension()).containsEntry("reason", "test");

        handle.begin();
        handle.undo(second);
        handle.commit();
        assertThat(text(readElsewhere(oid))).isEqualTo("first");
    }

    /** Reads {@code oid} through a managed connection with its own storage (not the shared cache). */
    private byte[] readElsewhere(Oid oid) throws Exception {
        JzeoManagedConnectionFactory elsewhere = fixture.newFactory();
        elsewhere.setCacheSize(1024L * 1024);
        JzeoManagedConnection other = (JzeoManagedConnection) elsewhere.createManagedConnection(null, null);
        try {
            StorageConnection reader = (StorageConnection) other.getConnection(null, null);
            return reader.read(oid).payload();
        } finally {
            other.destroy();
        }
    }
}
