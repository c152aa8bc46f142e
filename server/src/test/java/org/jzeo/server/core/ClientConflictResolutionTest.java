package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * client-conflict-resolution (zeo-protocol §8.2): a stale store does not fail the vote; the vote returns
 * {@code {oid, serials: [committed, read], data}} maps, the server keeps the buffered transaction, and the client
 * re-stores with the committed serial and votes again in the same transaction.
 */
class ClientConflictResolutionTest {
    @TempDir
    Path dir;
    private RunningServer server;

    /** One conflict map from a vote result. */
    private record Conflict(Oid oid, Tid committed, Tid read, byte[] data) {
    }

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withClientConflictResolution(true));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The vote result as conflict maps; fails if an element is not a map with exactly the three keys. */
    private static List<Conflict> conflicts(Object voteResult) {
        assertThat(voteResult).as("vote result").isInstanceOf(List.class);
        List<Conflict> conflicts = new ArrayList<>();
        for (Object element : (List<?>) voteResult) {
            assertThat(element).as("vote result element in conflict").isInstanceOf(Map.class);
            Map<?, ?> map = (Map<?, ?>) element;
            assertThat(new ArrayList<Object>(map.keySet())).as("conflict map keys").containsExactlyInAnyOrder("oid", "serials", "data");
            List<?> serials = (List<?>) map.get("serials");
            assertThat(serials).as("serials [committed, read]").hasSize(2);
            conflicts.add(new Conflict(Oid.fromBytes((byte[]) map.get("oid")),
                    WireCommits.tid(serials.get(0), "committed serial"), WireCommits.tid(serials.get(1), "read serial"),
                    (byte[]) map.get("data")));
        }
        return conflicts;
    }

    @Test
    void aStaleStoreIsReturnedToTheClientWhichResolvesItInTheSameTransaction() throws Exception {
        try (ZeoTestClient other = WireCommits.connect(server);
             ZeoTestClient client = WireCommits.connect(server);
             ZeoTestClient watcher = WireCommits.connect(server)) {
            Oid x = other.newOids(1).get(0);
            Tid t0 = other.commit(1, Map.of(x, text("10")), Map.of());
            Tid t1 = other.commit(2, Map.of(x, text("20")), Map.of(x, t0));

            WireCommits.begin(client, 50);
            WireCommits.store(client, 50, x, t0, text("10+5"));
            List<Conflict> round1 = conflicts(client.call("vote", 50L));
            assertThat(round1).as("first vote: one conflict").hasSize(1);
            assertThat(round1.get(0).oid()).isEqualTo(x);
            assertThat(round1.get(0).committed()).as("committed serial").isEqualTo(t1);
            assertThat(round1.get(0).read()).as("read serial").isEqualTo(t0);
            assertThat(text(round1.get(0).data())).as("the rejected data comes back").isEqualTo("10+5");

            // X stays locked between the rounds: another client's commit of X waits inside its vote, so the state
            // this client resolves against is still the committed one when it votes again (ZEO's server resolves
            // under its lock; without this, a busy object could conflict at every round until the client gives up).
            CompletableFuture<Object> otherVote = voteThatWaitsForTheLock(other, watcher, x, t1);

            WireCommits.store(client, 50, x, t1, text("20+5"));
            assertThat(client.call("vote", 50L)).as("second vote: resolved against t1, which could not change")
                    .isEqualTo(List.of());
            other.drainCallbacks(); // the info callbacks of its own commits
            Tid committed = WireCommits.tid(client.call("tpc_finish", 50L), "tpc_finish");
            assertThat(committed).isGreaterThan(t1);
            assertThat(text(watcher.loadBefore(x, Tid.MAX).data())).isEqualTo("20+5");
            assertThat(watcher.loadBefore(x, Tid.MAX).start()).isEqualTo(committed);

            // The other client read X at t1: its vote, let through by the finish, is now the stale one.
            List<Conflict> othersTurn = conflicts(otherVote.get(10, TimeUnit.SECONDS));
            assertThat(othersTurn).as("the other client's vote after the finish").hasSize(1);
            assertThat(othersTurn.get(0).committed()).isEqualTo(committed);
            assertThat(othersTurn.get(0).read()).isEqualTo(t1);
            other.call("tpc_abort", 3L);

            Callback told = other.nextCallback(Duration.ofSeconds(10));
            assertThat(told).as("the other client is told of the resolved commit").isNotNull();
            assertThat(told.invalidatedTid()).isEqualTo(committed);
            assertThat(told.invalidatedOids()).containsExactly(x);
            assertThat(client.anomalies()).isEmpty();
        }
    }

    /** The locks kept for a resolution go with the transaction: an abort or a lost client lets the waiter in. */
    @Test
    void locksKeptForAResolutionAreReleasedWhenTheClientGoes() throws Exception {
        try (ZeoTestClient other = WireCommits.connect(server);
             ZeoTestClient watcher = WireCommits.connect(server)) {
            Oid x = other.newOids(1).get(0);
            Tid t0 = other.commit(1, Map.of(x, text("10")), Map.of());
            Tid t1 = other.commit(2, Map.of(x, text("20")), Map.of(x, t0));
            ZeoTestClient client = WireCommits.connect(server);
            WireCommits.begin(client, 70);
            WireCommits.store(client, 70, x, t0, text("stale"));
            assertThat(conflicts(client.call("vote", 70L))).hasSize(1);

            CompletableFuture<Object> otherVote = voteThatWaitsForTheLock(other, watcher, x, t1);

            client.close(); // never resolves: the server aborts its transaction when the connection goes
            assertThat(otherVote.get(10, TimeUnit.SECONDS)).as("the waiter votes once the locks are gone")
                    .isEqualTo(List.of());
            Tid committed = WireCommits.tid(other.call("tpc_finish", 3L), "tpc_finish");
            assertThat(text(watcher.loadBefore(x, Tid.MAX).data())).isEqualTo("30");
            assertThat(watcher.loadBefore(x, Tid.MAX).start()).isEqualTo(committed);
        }
    }

    /**
     * {@code other} stores X (read at {@code serial}) and votes; returns once the server says that vote waits
     * inside the server for X's lock, and checks it has not been answered.
     */
    private static CompletableFuture<Object> voteThatWaitsForTheLock(ZeoTestClient other, ZeoTestClient watcher,
                                                                     Oid x, Tid serial) throws Exception {
        WireCommits.begin(other, 3);
        WireCommits.store(other, 3, x, serial, text("30"));
        CompletableFuture<Object> vote = other.callAsyncReply("vote", 3L);
        WireCommits.await("the other vote waits for X's lock (server_status waiting = 1)", Duration.ofSeconds(10),
                () -> Long.valueOf(1).equals(WireCommits.serverStatus(watcher).get("waiting")) || vote.isDone());
        assertThat(vote).as("the other client's vote on X while X's locks are kept for a resolution").isNotDone();
        return vote;
    }

    @Test
    void everyStaleStoreIsReportedInTheSameVote() throws Exception {
        try (ZeoTestClient other = WireCommits.connect(server);
             ZeoTestClient client = WireCommits.connect(server)) {
            List<Oid> oids = other.newOids(3);
            Oid x = oids.get(0);
            Oid y = oids.get(1);
            Oid fresh = oids.get(2);
            Tid t0 = other.commit(1, Map.of(x, text("x0"), y, text("y0")), Map.of());
            Tid t1 = other.commit(2, Map.of(x, text("x1"), y, text("y1")), Map.of(x, t0, y, t0));

            WireCommits.begin(client, 60);
            WireCommits.store(client, 60, x, t0, text("x mine"));
            WireCommits.store(client, 60, y, t0, text("y mine"));
            WireCommits.store(client, 60, fresh, Tid.ZERO, text("new"));
            List<Conflict> conflicts = conflicts(client.call("vote", 60L));
            // §8.2: "one per oid still in conflict". ZEO's client resolves what one vote returns and gives up after
            // a few rounds, so a server reporting one conflict per round fails transactions with many conflicts.
            assertThat(conflicts).as("both stale stores are reported by the first vote")
                    .extracting(Conflict::oid).containsExactlyInAnyOrder(x, y);
            for (Conflict c : conflicts) {
                assertThat(c.committed()).isEqualTo(t1);
                assertThat(c.read()).isEqualTo(t0);
            }
            WireCommits.store(client, 60, x, t1, text("x resolved"));
            WireCommits.store(client, 60, y, t1, text("y resolved"));
            assertThat(client.call("vote", 60L)).isEqualTo(List.of());
            Tid committed = WireCommits.tid(client.call("tpc_finish", 60L), "tpc_finish");
            assertThat(text(other.loadBefore(y, Tid.MAX).data())).isEqualTo("y resolved");
            assertThat(other.loadBefore(fresh, Tid.MAX).start()).isEqualTo(committed);
        }
    }

    @Test
    void aConflictTheClientGivesUpOnLeavesNothingVisible() throws Exception {
        try (ZeoTestClient other = WireCommits.connect(server);
             ZeoTestClient client = WireCommits.connect(server)) {
            List<Oid> oids = other.newOids(2);
            Oid x = oids.get(0);
            Oid fresh = oids.get(1);
            Tid t0 = other.commit(1, Map.of(x, text("x0")), Map.of());
            Tid t1 = other.commit(2, Map.of(x, text("x1")), Map.of(x, t0));
            other.drainCallbacks();

            WireCommits.begin(client, 70);
            WireCommits.store(client, 70, fresh, Tid.ZERO, text("new object"));
            WireCommits.store(client, 70, x, t0, text("unresolvable"));
            List<Conflict> conflicts = conflicts(client.call("vote", 70L));
            assertThat(conflicts).extracting(Conflict::oid).containsExactly(x);
            assertThat(client.call("tpc_abort", 70L)).as("tpc_abort after giving up").isNull();

            assertThat(other.lastTransaction()).as("no transaction was added").isEqualTo(t1);
            assertThat(text(other.loadBefore(x, Tid.MAX).data())).isEqualTo("x1");
            assertThatThrownBy(() -> other.loadBefore(fresh, Tid.MAX)).as("the new object of the aborted transaction")
                    .isInstanceOf(POSKeyException.class);
            assertThat(other.call("ping")).isNull();
            assertThat(other.drainCallbacks()).as("no invalidation for an aborted transaction").isEmpty();

            // The transaction is gone: the same id is unknown now, and X commits normally with its current serial.
            Tid next = client.commit(71, Map.of(x, text("x2")), Map.of(x, t1));
            assertThat(next).isGreaterThan(t1);
            Callback told = other.nextCallback(Duration.ofSeconds(10));
            assertThat(told).as("the other client's next callback").isNotNull();
            assertThat(told.invalidatedTid()).as("the first invalidation after the abort is the next commit's")
                    .isEqualTo(next);
        }
    }

    @Test
    void aStaleReadCheckIsAnErrorNotAConflictMap() throws Exception {
        try (ZeoTestClient other = WireCommits.connect(server);
             ZeoTestClient client = WireCommits.connect(server)) {
            List<Oid> oids = other.newOids(2);
            Oid x = oids.get(0);
            Oid y = oids.get(1);
            Tid t0 = other.commit(1, Map.of(x, text("x0"), y, text("y0")), Map.of());
            Tid t1 = other.commit(2, Map.of(x, text("x1")), Map.of(x, t0));

            WireCommits.begin(client, 80);
            client.send("checkCurrentSerialInTransaction", x, t0, 80L);
            WireCommits.store(client, 80, y, t0, text("y1"));
            assertThatThrownBy(() -> client.call("vote", 80L)).as("a stale readCurrent cannot be resolved by the "
                    + "client").isInstanceOfSatisfying(ReadConflictException.class, e -> {
                        assertThat(e.oid()).isEqualTo(x);
                        assertThat(e.committedSerial()).isEqualTo(t1);
                        assertThat(e.readSerial()).isEqualTo(t0);
                    });
            assertThat(client.call("tpc_abort", 80L)).isNull();
            assertThat(other.loadBefore(y, Tid.MAX).start()).isEqualTo(t0);
        }
    }
}
