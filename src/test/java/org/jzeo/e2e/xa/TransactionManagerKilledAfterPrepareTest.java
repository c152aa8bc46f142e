package org.jzeo.e2e.xa;

import org.jzeo.e2e.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.xa.XaFixtures.TIMEOUT;

import java.nio.file.Path;
import java.util.List;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xa-mapping spec: "The transaction manager is killed after preparing both resources: after its restart, its
 * recovery commits (or rolls back, per its log) the jzeo branch." Narayana runs in a child JVM ({@link XaChild}
 * {@code halt}) that halts at the first commit call, after jzeo and H2 were prepared and its log was written; a
 * new JVM with the same object store ({@code recover}) completes the transaction.
 */
class TransactionManagerKilledAfterPrepareTest {
    @TempDir
    Path dir;

    @Test
    void aNewTransactionManagerJvmRecoversAndCommitsTheJzeoBranchExactlyOnce() throws Exception {
        String h2Url = "jdbc:h2:" + dir.resolve("bank").toAbsolutePath();
        String objectStore = dir.resolve("objects").toString();
        try (ServerProcess server = XaFixtures.server(dir);
             ClientConnectionFactory factory = XaFixtures.factory(server.hostPort())) {
            Oid account = XaFixtures.newObject(factory, "100");
            try (ChildJvm tm = XaChild.start(dir.resolve("tm.stderr"), "halt", objectStore, server.hostPort(), h2Url,
                    account.toString(), "70")) {
                assertThat(tm.awaitNext("jzeo-prepare ", TIMEOUT)).isEqualTo("XA_OK");
                assertThat(tm.awaitNext("h2-prepare ", TIMEOUT)).isEqualTo("XA_OK");
                tm.awaitNext("halting ", TIMEOUT);
                assertThat(tm.awaitExit(TIMEOUT)).as("the transaction manager's JVM halted")
                        .isEqualTo(XaChild.HALT_STATUS);
            }
            List<Xid> prepared = factory.storage().recoverPrepared();
            assertThat(prepared).as("the jzeo branch stays prepared without its transaction manager").hasSize(1);
            Xid xid = prepared.get(0);
            assertThat(XaFixtures.readFresh(server.hostPort(), account)).isEqualTo("100");

            try (ChildJvm recovery = XaChild.start(dir.resolve("recovery.stderr"), "recover", objectStore,
                    server.hostPort(), h2Url)) {
                System.out.println("recovery took " + recovery.awaitNext("recovered ", TIMEOUT) + " scan(s)");
                assertThat(recovery.awaitNext("h2 ", TIMEOUT)).as("H2 committed by the same recovery").isEqualTo("70");
                recovery.awaitNext("done", TIMEOUT);
                assertThat(recovery.awaitExit(TIMEOUT)).isZero();
            }

            assertThat(XaFixtures.readFresh(server.hostPort(), account)).as("committed").isEqualTo("70");
            assertThat(factory.storage().recoverPrepared()).as("recover after recovery").isEmpty();
            assertThat(XaFixtures.revisions(factory, account)).as("the setup's and the branch's, once")
                    .isEqualTo(2);
            // Once: a commit repeated now is answered from the remembered outcome and writes nothing.
            try (StorageConnection c = factory.getConnection()) {
                StorageXAResource.of(c).commit(xid, false);
            }
            assertThat(XaFixtures.revisions(factory, account)).isEqualTo(2);
            assertThat(XaFixtures.readFresh(server.hostPort(), account)).isEqualTo("70");
        }
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(h2Url);
        assertThat(XaChild.notes(h2)).containsExactly("70");
    }
}
