package org.jzeo.e2e.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.e2e.xa.XaFixtures.TIMEOUT;
import static org.jzeo.e2e.xa.XaFixtures.text;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;
import org.jzeo.protocol.WireMessage;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.process.ZeoProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xa-mapping spec: "The connection drops after the server committed a branch but before the reply arrived: the RA
 * answers XAER_RMFAIL, and the transaction manager's retry (or recovery) gets success, never XAER_NOTA; the data is
 * committed exactly once." A proxy between the client and the server swallows the {@code xa_commit} reply and
 * closes the client's connection.
 */
class LostCommitReplyTest {
    @TempDir
    Path dir;

    @Test
    void aCommitWhoseReplyIsLostFailsWithRmfailAndItsRetrySucceedsCommittingOnce() throws Exception {
        try (ServerProcess server = XaFixtures.server(dir);
             ClientConnectionFactory direct = XaFixtures.factory(server.hostPort());
             ZeoProxy proxy = new ZeoProxy(server.address());
             ClientConnectionFactory viaProxy = XaFixtures.factory(proxy.hostPort())) {
            Oid account = XaFixtures.newObject(direct, "100");
            Tid created = direct.storage().lastTransaction();
            // The branch's snapshot must include the object's creation, or its write is a (correct) conflict.
            XaFixtures.until("the proxied client to see the creation", TIMEOUT,
                    () -> !viaProxy.storage().lastTransaction().isBefore(created));
            Xid xid = new WireXid(0x4A5A, "lost-commit-reply".getBytes(StandardCharsets.UTF_8),
                    "jzeo".getBytes(StandardCharsets.UTF_8));
            try (StorageConnection c = viaProxy.getConnection()) {
                StorageXAResource xa = StorageXAResource.of(c);
                xa.start(xid, XAResource.TMNOFLAGS);
                c.write(account, text("70"), List.of());
                xa.end(xid, XAResource.TMSUCCESS);
                assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);

                proxy.swallowReplyTo(XaWire.COMMIT);
                assertThatThrownBy(() -> xa.commit(xid, false)).isInstanceOfSatisfying(XAException.class,
                        e -> assertThat(XaCodes.name(e.errorCode)).isEqualTo("XAER_RMFAIL"));
                WireMessage lost = proxy.awaitTrap(TIMEOUT.toMillis());
                assertThat(lost).as("the server answered the commit").isNotNull();
                assertThat(lost.isError()).as("and its answer was a success: " + lost).isFalse();
                assertThat(XaFixtures.readFresh(server.hostPort(), account)).as("committed before the retry")
                        .isEqualTo("70");

                // The transaction manager's retry, from another connection (as recovery would).
                try (StorageConnection other = direct.getConnection()) {
                    StorageXAResource.of(other).commit(xid, false);
                }
                // And from the same resource once its client reconnected (through the proxy, forwarding again).
                XaFixtures.until("the client reconnected", TIMEOUT, viaProxy.storage()::isConnected);
                xa.commit(xid, false);
            }
            assertThat(XaFixtures.readFresh(server.hostPort(), account)).isEqualTo("70");
            assertThat(XaFixtures.revisions(direct, account)).as("the setup's and the branch's, once").isEqualTo(2);
            assertThat(direct.storage().recoverPrepared()).isEmpty();
        }
    }
}
