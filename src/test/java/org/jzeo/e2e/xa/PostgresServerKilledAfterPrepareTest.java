package org.jzeo.e2e.xa;

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
import org.jzeo.e2e.ChildJvm;
import org.jzeo.e2e.PostgresCluster;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.storage.pg.PostgresTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL storage served by two server processes: an XA branch prepared through server A (with H2 as the
 * second resource, Narayana in a child JVM) is a PostgreSQL prepared transaction, so when A is killed with SIGKILL
 * after prepare, the branch is still prepared and locked as seen through server B, and Narayana's recovery, with a
 * client of B, commits it there. Nothing is restarted: the dead server's branch is finished by a live one.
 */
class PostgresServerKilledAfterPrepareTest {
    @TempDir
    Path dir;

    @Test
    void aBranchPreparedThroughAKilledServerIsCommittedByRecoveryThroughAnother() throws Exception {
        String h2Url = "jdbc:h2:" + dir.resolve("bank").toAbsolutePath();
        try (PostgresCluster cluster = PostgresCluster.start(PostgresTestServer.shared(), dir, 2)) {
            ServerProcess a = cluster.server(0);
            ServerProcess b = cluster.server(1);
            Oid account;
            try (ClientConnectionFactory setup = XaFixtures.factory(a.hostPort())) {
                account = XaFixtures.newObject(setup, "100");
            }
            try (ChildJvm tm = XaChild.start(dir.resolve("tm.stderr"), "kill-server", dir.resolve("objects").toString(),
                    a.hostPort(), h2Url, account.toString(), "70", b.hostPort())) {
                assertThat(tm.awaitNext("jzeo-prepare ", TIMEOUT)).isEqualTo("XA_OK");
                String gtrid = tm.awaitNext("prepared ", TIMEOUT);
                a.kill9();
                tm.send("go");
                assertThat(tm.awaitNext("jzeo-commit ", TIMEOUT)).as("server A is gone").isEqualTo("XAER_RMFAIL");
                assertThat(tm.awaitNext("commit ", TIMEOUT)).as("what Narayana's commit reported").isEqualTo("ok");

                try (ClientConnectionFactory onB = XaFixtures.factory(b.hostPort())) {
                    List<Xid> prepared = onB.storage().recoverPrepared();
                    assertThat(prepared).as("xa_recover through server B lists A's branch").hasSize(1);
                    assertThat(XaFixtures.gtrid(prepared.get(0))).isEqualTo(gtrid);
                    assertThat(XaFixtures.readFresh(b.hostPort(), account)).as("not committed yet").isEqualTo("100");
                    try (StorageConnection other = onB.getConnection()) {
                        other.begin();
                        other.write(account, text("1"), List.of());
                        long started = System.nanoTime();
                        assertThatThrownBy(other::commit).as("the prepared object is locked through B")
                                .isInstanceOf(ConflictException.class);
                        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("after the lock wait (2 s)")
                                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
                        if (other.inTransaction()) {
                            other.abort();
                        }
                    }

                    tm.send("recover");
                    String scans = tm.awaitNext("recovered ", TIMEOUT);
                    System.out.println("Narayana's recovery through server B committed the branch in " + scans
                            + " scan(s)");
                    assertThat(tm.awaitNext("h2 ", TIMEOUT)).isEqualTo("70");
                    tm.awaitNext("done", TIMEOUT);
                    assertThat(tm.awaitExit(TIMEOUT)).isZero();

                    assertThat(XaFixtures.readFresh(b.hostPort(), account)).as("visible through B").isEqualTo("70");
                    assertThat(onB.storage().recoverPrepared()).as("nothing left prepared").isEmpty();
                    assertThat(XaFixtures.revisions(onB, account)).as("the setup's and the branch's").isEqualTo(2);
                }
            }
        }
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(h2Url);
        assertThat(XaChild.notes(h2)).as("H2 committed its part").containsExactly("70");
    }
}
