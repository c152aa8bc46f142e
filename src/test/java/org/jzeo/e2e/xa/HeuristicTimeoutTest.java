package org.jzeo.e2e.xa;

import org.jzeo.e2e.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.xa.XaFixtures.TIMEOUT;
import static org.jzeo.e2e.xa.XaFixtures.text;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.Xid;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xa-mapping spec: "With xa-heuristic-timeout set and exceeded, the transaction manager reports a heuristic
 * outcome, and the storage contents match what was reported." Narayana (child JVM, {@link XaChild}
 * {@code heuristic}) prepares jzeo, then a second resource holds the transaction at its prepare until the server
 * rolled the jzeo branch back (another client could commit the object), then votes OK.
 */
class HeuristicTimeoutTest {
    @TempDir
    Path dir;

    /** Another resource committed before jzeo answered XA_HEURRB: a heuristic outcome for the application. */
    @Test
    void narayanaReportsTheHeuristicRollbackAndTheStorageHoldsNoneOfTheBranchsWriteUntilForget() throws Exception {
        String outcome = heuristicRollback("heuristic");
        assertThat(outcome).as("what Narayana's commit reported")
                .isIn(HeuristicMixedException.class.getName(), HeuristicRollbackException.class.getName());
    }

    /**
     * jzeo is the first resource Narayana commits: on its XA_HEURRB Narayana rolls the others back too and reports
     * a plain rollback, which is true, and forgets the heuristic branch (xa_forget): the storage holds none of
     * the branch's write, and recover lists nothing after that forget.
     */
    @Test
    void whenJzeoCommitsFirstNarayanaRollsBackTheRestAndReportsARollbackTheStorageMatches() throws Exception {
        assertThat(heuristicRollback("heuristic-jzeo-first")).as("what Narayana's commit reported")
                .isEqualTo(RollbackException.class.getName());
    }

    /** Runs the scenario; returns what Narayana's commit reported, after checking the storage against it. */
    private String heuristicRollback(String scenario) throws Exception {
        String outcome;
        try (ServerProcess server = XaFixtures.server(dir, "--xa-heuristic-timeout", "1");
             ClientConnectionFactory factory = XaFixtures.factory(server.hostPort())) {
            Oid account = XaFixtures.newObject(factory, "100");
            try (ChildJvm tm = XaChild.start(dir.resolve("tm.stderr"), scenario, dir.resolve("objects").toString(),
                    server.hostPort(), "-", account.toString(), "70")) {
                assertThat(tm.awaitNext("jzeo-prepare ", TIMEOUT)).isEqualTo("XA_OK");
                String gtrid = tm.awaitNext("prepared ", TIMEOUT);

                // The condition for a heuristic rollback: the branch's lock is gone, another commit gets through.
                AtomicInteger refused = new AtomicInteger();
                try (StorageConnection other = factory.getConnection()) {
                    XaFixtures.until("another client could commit the prepared object", TIMEOUT, () -> {
                        other.begin();
                        try {
                            other.write(account, text("1"), List.of());
                            other.commit();
                            return true;
                        } catch (ConflictException e) {
                            refused.incrementAndGet();
                            if (other.inTransaction()) {
                                other.abort();
                            }
                            return false;
                        }
                    });
                }
                System.out.println("the other client was refused " + refused + " time(s) before the heuristic"
                        + " rollback released the lock");
                List<Xid> listed = factory.storage().recoverPrepared();
                assertThat(listed).as("recover lists the heuristically completed branch").hasSize(1);
                Xid xid = listed.get(0);
                assertThat(XaFixtures.gtrid(xid)).isEqualTo(gtrid);

                tm.send("go");
                if (scenario.equals("heuristic")) {
                    assertThat(tm.awaitNext("first-commit ", TIMEOUT)).isEqualTo("ok");
                }
                assertThat(tm.awaitNext("jzeo-commit ", TIMEOUT)).isEqualTo("XA_HEURRB");
                // Narayana forgets the heuristic branch itself when it turned the transaction into a rollback.
                boolean forgotByNarayana = scenario.equals("heuristic-jzeo-first");
                if (forgotByNarayana) {
                    assertThat(tm.awaitNext("jzeo-forget ", TIMEOUT)).isEqualTo("ok");
                }
                outcome = tm.awaitNext("commit ", TIMEOUT);
                tm.awaitNext("done", TIMEOUT);
                assertThat(tm.awaitExit(TIMEOUT)).isZero();

                assertThat(XaFixtures.readFresh(server.hostPort(), account)).as("the branch's write is not there")
                        .isEqualTo("1");
                assertThat(XaFixtures.revisions(factory, account)).as("the setup's and the other client's")
                        .isEqualTo(2);
                if (forgotByNarayana) {
                    assertThat(factory.storage().recoverPrepared()).as("after Narayana's forget").isEmpty();
                } else {
                    assertThat(factory.storage().recoverPrepared()).as("still listed until forget")
                            .containsExactly(xid);
                    try (StorageConnection c = factory.getConnection()) {
                        StorageXAResource.of(c).forget(xid);
                    }
                    assertThat(factory.storage().recoverPrepared()).as("after forget").isEmpty();
                }
            }
            assertThat(server.log()).as("the server warns naming the xid")
                    .anyMatch(l -> l.contains("WARN") && l.toLowerCase().contains("heuristic"));
        }
        return outcome;
    }
}
