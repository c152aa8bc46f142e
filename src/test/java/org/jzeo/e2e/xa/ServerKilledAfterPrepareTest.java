package org.jzeo.e2e.xa;

import org.jzeo.e2e.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.e2e.xa.XaFixtures.TIMEOUT;
import static org.jzeo.e2e.xa.XaFixtures.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xa-mapping spec: "The server is killed (-9) after prepare replied OK: after restart, recover lists the xid, the
 * prepared objects are locked, and commit makes the data visible to every client" — here with Narayana (in a child
 * JVM, {@link XaChild} {@code kill-server}) committing jzeo and H2, and its recovery doing the commit.
 */
class ServerKilledAfterPrepareTest {
    @TempDir
    Path dir;

    @Test
    void afterKill9AndRestartTheBranchIsListedLockedAndCommittedByNarayanasRecovery() throws Exception {
        String h2Url = "jdbc:h2:" + dir.resolve("bank").toAbsolutePath();
        ServerProcess first = XaFixtures.server(dir);
        ServerProcess second = null;
        Oid account;
        try (ClientConnectionFactory setup = XaFixtures.factory(first.hostPort())) {
            account = XaFixtures.newObject(setup, "100");
        }
        try (ChildJvm tm = XaChild.start(dir.resolve("tm.stderr"), "kill-server", dir.resolve("objects").toString(),
                first.hostPort(), h2Url, account.toString(), "70")) {
            // The last resource's prepare: jzeo and H2 are prepared. The server dies before the second phase.
            assertThat(tm.awaitNext("jzeo-prepare ", TIMEOUT)).isEqualTo("XA_OK");
            String gtrid = tm.awaitNext("prepared ", TIMEOUT);
            first.kill9();
            tm.send("go");
            // jzeo's commit fails with XAER_RMFAIL: Narayana leaves that branch to recovery.
            assertThat(tm.awaitNext("jzeo-commit ", TIMEOUT)).isEqualTo("XAER_RMFAIL");
            assertThat(tm.awaitNext("commit ", TIMEOUT)).as("what Narayana's commit reported").isEqualTo("ok");

            second = first.restart();
            try (ClientConnectionFactory factory = XaFixtures.factory(second.hostPort())) {
                List<Xid> prepared = factory.storage().recoverPrepared();
                assertThat(prepared).as("xa_recover after the restart").hasSize(1);
                assertThat(XaFixtures.gtrid(prepared.get(0))).isEqualTo(gtrid);
                assertThat(XaFixtures.readFresh(second.hostPort(), account)).as("not committed yet")
                        .isEqualTo("100");
                try (StorageConnection other = factory.getConnection()) {
                    other.begin();
                    other.write(account, text("1"), List.of());
                    long started = System.nanoTime();
                    assertThatThrownBy(other::commit).as("the prepared object stays locked")
                            .isInstanceOf(ConflictException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("after the server's lock wait")
                            .isGreaterThanOrEqualTo(Duration.ofMillis(900));
                    if (other.inTransaction()) {
                        other.abort();
                    }
                }

                tm.send("recover");
                String scans = tm.awaitNext("recovered ", TIMEOUT);
                System.out.println("Narayana's recovery committed the branch in " + scans + " scan(s)");
                assertThat(tm.awaitNext("h2 ", TIMEOUT)).isEqualTo("70");
                tm.awaitNext("done", TIMEOUT);
                assertThat(tm.awaitExit(TIMEOUT)).isZero();

                assertThat(XaFixtures.readFresh(second.hostPort(), account)).as("visible to a new client")
                        .isEqualTo("70");
                assertThat(factory.storage().recoverPrepared()).as("nothing left prepared").isEmpty();
                assertThat(XaFixtures.revisions(factory, account)).as("the setup's and the branch's").isEqualTo(2);
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(h2Url);
        assertThat(XaChild.notes(h2)).as("H2 committed its part").containsExactly("70");
    }
}
