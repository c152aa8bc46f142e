package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.rar.ServerFixture.text;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.security.PasswordCredential;
import java.nio.file.Path;
import java.util.List;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XA through a managed connection's XAResource, as a transaction manager drives it, and recovery. */
class XaThroughManagedConnectionTest {
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
    void onePhaseCommitWritesTheBranch() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        XAResource xa = mc.getXAResource();
        Xid xid = TestXid.of("one-phase", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        Oid oid = handle.newOid();
        handle.write(oid, text("xa"), List.of());
        xa.end(xid, XAResource.TMSUCCESS);
        xa.commit(xid, true);

        assertThat(text(readElsewhere(oid))).isEqualTo("xa");
    }

    @Test
    void handlesRefuseToDemarcateInsideAnXaBranch() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        XAResource xa = mc.getXAResource();
        Xid xid = TestXid.of("refuse", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        assertThatThrownBy(handle::begin).isInstanceOf(IllegalStateException.class).hasMessageContaining("XA");
        assertThatThrownBy(handle::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("XA");
        assertThatThrownBy(handle::abort).isInstanceOf(IllegalStateException.class).hasMessageContaining("XA");
        assertThatThrownBy(() -> mc.getLocalTransaction().begin())
                .isInstanceOf(jakarta.resource.spi.LocalTransactionException.class);
        xa.end(xid, XAResource.TMSUCCESS);
        xa.rollback(xid);

        handle.begin(); // after the branch, the application may demarcate again
        handle.abort();
    }

    @Test
    void aBranchWithoutWritesIsReadOnlyAtPrepare() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        XAResource xa = mc.getXAResource();
        Xid xid = TestXid.of("read-only", "1");
        xa.start(xid, XAResource.TMNOFLAGS);
        handle.exists(Oid.ROOT);
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_RDONLY);
    }

    @Test
    void theDefaultTransactionTimeoutIsTheResourcesUntilTheManagerSetsOne() throws Exception {
        fixture.factory.setDefaultTransactionTimeout(90);
        JzeoManagedConnection mc = fixture.newManagedConnection();
        assertThat(mc.getXAResource().getTransactionTimeout()).isEqualTo(90);
        mc.getXAResource().setTransactionTimeout(30);
        assertThat(mc.getXAResource().getTransactionTimeout()).isEqualTo(30);
    }

    /**
     * As IronJacamar recovers from a server without authentication: a managed connection made with the recovery
     * credentials (WildFly insists on them), then its XAResource. With signOn false the credentials are ignored and
     * the recovery connection uses the pool's storage. (Against a server with authentication they are real: see
     * SignOnAgainstServerTest.)
     */
    @Test
    void withSignOnOffARecoveryConnectionUsesTheSharedStorage() throws Exception {
        fixture.factory.setSignOn(false);
        JzeoManagedConnection pooled = fixture.newManagedConnection();
        JzeoManagedConnectionFactory recoveryFactory = noSignOn(fixture.newFactory());
        ManagedConnection recovery = recoveryFactory.createManagedConnection(recoverySubject(recoveryFactory), null);

        assertThat(((JzeoManagedConnection) recovery).storage()).isSameAs(pooled.storage());
        assertThat(recovery.getMetaData().getUserName()).isNull();
        assertThat(recovery.getXAResource().isSameRM(pooled.getXAResource())).isTrue();
        recovery.destroy();
        assertThat(pooled.storage().isConnected()).isTrue();
    }

    /** With signOn on (the default), credentials are never sent to a server that does not check them. */
    @Test
    void credentialsAreNotSentToAServerWithoutAuthentication() throws Exception {
        JzeoManagedConnectionFactory recoveryFactory = fixture.newFactory();
        recoveryFactory.setWaitTimeout(1);
        assertThatThrownBy(() -> recoveryFactory.createManagedConnection(recoverySubject(recoveryFactory), null))
                .isInstanceOf(ResourceException.class).hasMessageContaining("does not ask clients to sign on");
    }

    private static JzeoManagedConnectionFactory noSignOn(JzeoManagedConnectionFactory factory) {
        factory.setSignOn(false);
        return factory;
    }

    @Test
    void twoPhaseCommitAndRecovery() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        XAResource xa = mc.getXAResource();
        Xid xid = TestXid.of("two-phase", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        Oid oid = handle.newOid();
        handle.write(oid, text("prepared"), List.of());
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        mc.destroy(); // the prepared branch belongs to its xid now, not to the connection

        JzeoManagedConnectionFactory recoveryFactory = noSignOn(fixture.newFactory());
        ManagedConnection recovery = recoveryFactory.createManagedConnection(recoverySubject(recoveryFactory), null);
        XAResource recovering = recovery.getXAResource();
        Xid[] inDoubt = recovering.recover(XAResource.TMSTARTRSCAN);
        recovering.recover(XAResource.TMENDRSCAN);
        assertThat(inDoubt).hasSize(1);
        recovering.commit(inDoubt[0], false);
        assertThat(recovering.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).isEmpty();

        assertThat(text(readElsewhere(oid))).isEqualTo("prepared");
    }

    private static Subject recoverySubject(JzeoManagedConnectionFactory factory) {
        PasswordCredential credential = new PasswordCredential("recovery", "secret".toCharArray());
        credential.setManagedConnectionFactory(factory);
        Subject subject = new Subject();
        subject.getPrivateCredentials().add(credential);
        return subject;
    }

    /** Reads through a storage of its own (another configuration), so the shared cache cannot answer. */
    private byte[] readElsewhere(Oid oid) throws Exception {
        JzeoManagedConnectionFactory elsewhere = fixture.newFactory();
        elsewhere.setCacheSize(1024L * 1024);
        JzeoManagedConnection other = (JzeoManagedConnection) elsewhere.createManagedConnection(null, null);
        StorageConnection reader = (StorageConnection) other.getConnection(null, null);
        return reader.read(oid).payload();
    }
}
