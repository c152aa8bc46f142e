package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.rar.ServerFixture.text;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.security.PasswordCredential;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageException;
import org.jzeo.server.auth.Right;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter against a server that requires sign-on and gives each user a right (anyone else: none): the
 * container's credentials become the connection's user, users never share a storage or a pooled connection, and
 * recovery signs on with the recovery credentials.
 */
class SignOnAgainstServerTest {
    @TempDir
    Path dir;
    private ServerFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new ServerFixture(dir);
        TestUsers.install(fixture.server, Map.of("bank", "bank-pw", "reader", "reader-pw", "admin", "admin-pw"),
                Map.of("reader", Right.READ_ONLY, "admin", Right.ADMIN));
        fixture.factory.setWaitTimeout(2);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** A Subject as containers build it: the credential names this factory (IronJacamar's recovery, Payara). */
    private Subject subject(String user, String password) {
        PasswordCredential credential = new PasswordCredential(user, password.toCharArray());
        credential.setManagedConnectionFactory(fixture.factory);
        Subject subject = new Subject();
        subject.getPrivateCredentials().add(credential);
        return subject;
    }

    private JzeoManagedConnection connect(Subject subject) throws ResourceException {
        return (JzeoManagedConnection) fixture.factory.createManagedConnection(subject, null);
    }

    private static Oid commitText(StorageConnection handle, String value) {
        handle.begin();
        Oid oid = handle.newOid();
        handle.write(oid, text(value), List.of());
        handle.commit();
        return oid;
    }

    @Test
    void theContainersCredentialSignsOnAndItsUserWrites() throws Exception {
        JzeoManagedConnection bank = connect(subject("bank", "bank-pw"));
        assertThat(bank.getMetaData().getUserName()).isEqualTo("bank");
        Oid oid = commitText((StorageConnection) bank.getConnection(null, null), "signed on");

        JzeoManagedConnection admin = connect(subject("admin", "admin-pw"));
        StorageConnection reader = (StorageConnection) admin.getConnection(null, null);
        reader.begin();
        assertThat(text(reader.read(oid).payload())).isEqualTo("signed on");
        reader.abort();
    }

    @Test
    void withoutCredentialsOrWithAWrongPasswordNoConnectionIsMade() throws Exception {
        assertThatThrownBy(() -> connect(null)).isInstanceOf(ResourceException.class);
        int kept = fixture.adapter.registry().size();
        assertThatThrownBy(() -> connect(subject("bank", "guess"))).isInstanceOf(ResourceException.class)
                .hasMessageContaining("'bank'").hasMessageContaining("authentication failed");
        assertThat(fixture.adapter.registry().size()).as("a failed sign-on leaves no storage behind")
                .isEqualTo(kept);
        assertThat(connect(subject("bank", "bank-pw")).storage().isConnected()).isTrue();
    }

    /** The right is the signed-on user's: a read-only user (with readOnlyFallback) cannot commit. */
    @Test
    void aReadOnlyUsersCommitIsRefused() throws Exception {
        fixture.factory.setReadOnlyFallback(true);
        StorageConnection reader = (StorageConnection) connect(subject("reader", "reader-pw")).getConnection(null, null);
        assertThatThrownBy(() -> commitText(reader, "not allowed")).isInstanceOf(ReadOnlyException.class);
    }

    @Test
    void connectionsOfDifferentUsersNeverShareAStorage() throws Exception {
        JzeoManagedConnection bank1 = connect(subject("bank", "bank-pw"));
        JzeoManagedConnection bank2 = connect(subject("bank", "bank-pw"));
        JzeoManagedConnection admin = connect(subject("admin", "admin-pw"));
        assertThat(bank2.storage()).isSameAs(bank1.storage());
        assertThat(admin.storage()).isNotSameAs(bank1.storage());
        assertThat(bank1.getXAResource().isSameRM(bank2.getXAResource())).isTrue();
        assertThat(admin.getXAResource().isSameRM(bank1.getXAResource())).isFalse();
    }

    @Test
    void matchingHandsOutOnlyAConnectionOfTheRequestedUser() throws Exception {
        JzeoManagedConnection bank = connect(subject("bank", "bank-pw"));
        JzeoManagedConnection admin = connect(subject("admin", "admin-pw"));
        Set<ManagedConnection> idle = Set.of(bank, admin);

        assertThat(fixture.factory.matchManagedConnections(idle, subject("admin", "admin-pw"), null)).isSameAs(admin);
        assertThat(fixture.factory.matchManagedConnections(idle, subject("bank", "bank-pw"), null)).isSameAs(bank);
        assertThat(fixture.factory.matchManagedConnections(idle, subject("bank", "guess"), null))
                .as("a wrong password never rides on a connection signed on with the right one").isNull();
        assertThat(fixture.factory.matchManagedConnections(idle, subject("reader", "reader-pw"), null)).isNull();
        assertThat(fixture.factory.matchManagedConnections(idle, null, null)).isNull();
    }

    /**
     * IronJacamar's recovery: a managed connection made with the recovery credentials, then recover and commit
     * through its XAResource. The admin recovery user finds and completes the branch the application's user
     * prepared.
     */
    @Test
    void recoveryCredentialsSignOnAndCompleteTheApplicationsBranch() throws Exception {
        JzeoManagedConnection bank = connect(subject("bank", "bank-pw"));
        StorageConnection handle = (StorageConnection) bank.getConnection(null, null);
        XAResource xa = bank.getXAResource();
        Xid xid = TestXid.of("recovered", "1");
        xa.start(xid, XAResource.TMNOFLAGS);
        Oid oid = handle.newOid();
        handle.write(oid, text("prepared by bank"), List.of());
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);

        JzeoManagedConnectionFactory recoveryFactory = fixture.newFactory();
        PasswordCredential recoveryCredential = new PasswordCredential("admin", "admin-pw".toCharArray());
        recoveryCredential.setManagedConnectionFactory(recoveryFactory);
        Subject recoverySubject = new Subject();
        recoverySubject.getPrivateCredentials().add(recoveryCredential);
        JzeoManagedConnection recovery = (JzeoManagedConnection) recoveryFactory.createManagedConnection(
                recoverySubject, null);
        assertThat(recovery.getMetaData().getUserName()).isEqualTo("admin");
        XAResource recovering = recovery.getXAResource();
        Xid[] inDoubt = recovering.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        assertThat(inDoubt).hasSize(1);
        assertThat(inDoubt[0].getGlobalTransactionId()).isEqualTo(xid.getGlobalTransactionId());
        recovering.commit(inDoubt[0], false);
        assertThat(recovering.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).isEmpty();

        StorageConnection reader = (StorageConnection) recovery.getConnection(null, null);
        reader.begin();
        assertThat(text(reader.read(oid).payload())).isEqualTo("prepared by bank");
        reader.abort();
    }

    /** Payara's recover-transactions without a pool user: an empty-user credential, then the properties. */
    @Test
    void anEmptyUserCredentialSignsOnWithTheConfiguredUser() throws Exception {
        fixture.factory.setUserName("bank");
        fixture.factory.setPassword("bank-pw");
        JzeoManagedConnection connection = connect(subject("", ""));
        assertThat(connection.getMetaData().getUserName()).isEqualTo("bank");
        assertThat(connection.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).isEmpty();
    }

    /** Component-managed sign-on through a pool that passes no Subject: the request's user, pooled per user. */
    @Test
    void getConnectionWithAUserAndPasswordSignsOnAsThatUser() throws Exception {
        PoolingConnectionManager pool = new PoolingConnectionManager();
        JzeoConnectionFactory connections = (JzeoConnectionFactory) fixture.factory.createConnectionFactory(pool);

        try (StorageConnection bank = connections.getConnection("bank", "bank-pw")) {
            commitText(bank, "by request");
        }
        try (StorageConnection again = connections.getConnection("bank", "bank-pw")) {
            assertThat(again).isNotNull();
        }
        assertThat(pool.created).as("the idle connection of the same user was matched").hasSize(1);
        try (StorageConnection admin = connections.getConnection("admin", "admin-pw")) {
            assertThat(admin).isNotNull();
        }
        assertThat(pool.created).hasSize(2);
        assertThat(pool.created).extracting(c -> ((JzeoManagedConnection) c).credentials().username())
                .containsExactly("bank", "admin");
        assertThatThrownBy(() -> connections.getConnection("bank", "guess")).isInstanceOf(StorageException.class)
                .hasMessageContaining("authentication failed");
    }
}
