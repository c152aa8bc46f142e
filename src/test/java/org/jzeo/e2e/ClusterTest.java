package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.storage.pg.PostgresTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several jzeo servers over one PostgreSQL database, with real server processes, a real PostgreSQL and the Java
 * client: invalidations cross servers in tid order, object locks hold across servers, and a client fails over when
 * its server is killed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterTest {
    @TempDir
    Path dir;

    @Test
    void aCommitThroughOneServerReachesTheClientsOfEveryOtherServerInTidOrder() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start(PostgresTestServer.shared(), dir, 3)) {
            List<EventRecorder> events = new ArrayList<>();
            List<ClientStorage> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    EventRecorder recorder = new EventRecorder();
                    events.add(recorder);
                    clients.add(Clients.open(Clients.options(cluster.server(i)), recorder));
                }
                Map<Oid, String> objects = Clients.createObjects(clients.get(0), "x", 3);
                List<Oid> oids = Clients.oids(objects);
                List<Tid> commits = new ArrayList<>();
                Map<Tid, Integer> committer = new LinkedHashMap<>();
                for (int round = 0; round < 4; round++) {
                    for (int i = 0; i < 3; i++) {
                        ClientStorage c = clients.get(i);
                        if (!commits.isEmpty()) {
                            Clients.awaitSeen(c, commits.get(commits.size() - 1));
                        }
                        Tid tid = Clients.change(c, Map.of(oids.get(i), "x-" + i + " round " + round + " by " + i));
                        commits.add(tid);
                        committer.put(tid, i);
                    }
                }

                assertThat(commits).isSorted().doesNotHaveDuplicates();
                // Prepared XA branches are PostgreSQL prepared transactions, which any server can finish: XA is
                // offered over PostgreSQL (PostgresServerKilledAfterPrepareTest).
                assertThat(clients.get(0).supportsXa()).isTrue();
                for (int i = 0; i < 3; i++) {
                    ClientStorage c = clients.get(i);
                    Clients.awaitSeen(c, commits.get(commits.size() - 1));
                    for (int j = 0; j < 3; j++) {
                        assertThat(Clients.current(c, oids.get(j))).isEqualTo("x-" + j + " round 3 by " + j);
                    }
                    int me = i;
                    List<Tid> othersCommits = commits.stream().filter(t -> committer.get(t) != me).toList();
                    List<Tid> heard = events.get(i).events(EventRecorder.Invalidated.class).stream()
                            .map(EventRecorder.Invalidated::tid).toList();
                    assertThat(heard).as("client of server %d", i).isSorted().containsAll(othersCommits);
                }
            } finally {
                clients.forEach(ClientStorage::close);
            }
        }
    }

    @Test
    void theBankInvariantHoldsUnderConcurrentTransfersThroughEveryServer() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start(PostgresTestServer.shared(), dir, 3)) {
            List<ClientStorage> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    clients.add(Clients.open(Clients.options(cluster.server(i % 3))));
                }
                ClusterBank bank = ClusterBank.open(clients.get(0), 5);
                List<ClusterBank.Worker> workers = new ArrayList<>();
                for (int i = 0; i < clients.size(); i++) {
                    workers.add(bank.new Worker("w" + i, clients.get(i), 40, i));
                }
                for (Thread t : ClusterBank.startAll(workers)) {
                    t.join(TimeUnit.SECONDS.toMillis(150));
                    assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
                }

                ClientStorage reader = clients.get(1);
                awaitEveryCommitSeen(reader, clients);
                assertThat(bank.total(reader)).isEqualTo(bank.expectedTotal());
                int conflicts = 0;
                for (ClusterBank.Worker w : workers) {
                    assertThat(w.failure).as(w.name).isNull();
                    assertThat(w.unknown.get()).isZero();
                    assertThat(w.counterValue(reader)).as(w.name).isEqualTo(w.acknowledged.get());
                    conflicts += w.conflicts.get();
                }
                // Transfers among 5 accounts from 6 clients on 3 servers must have collided: locks were exercised.
                assertThat(conflicts).isPositive();
            } finally {
                clients.forEach(ClientStorage::close);
            }
        }
    }

    @Test
    void clientsOfAServerKilledMidCommitFailOverToAnotherAndNothingAcknowledgedIsLost() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start(PostgresTestServer.shared(), dir, 3)) {
            List<ClientStorage> clients = new ArrayList<>();
            List<EventRecorder> events = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    EventRecorder recorder = new EventRecorder();
                    events.add(recorder);
                    clients.add(Clients.open(Clients.options(cluster.addressesFrom(i % 3)), recorder));
                }
                ClusterBank bank = ClusterBank.open(clients.get(1), 8);
                List<ClusterBank.Worker> workers = new ArrayList<>();
                for (int i = 0; i < clients.size(); i++) {
                    workers.add(bank.new Worker("w" + i, clients.get(i), 60, 100 + i));
                }
                List<Thread> threads = ClusterBank.startAll(workers);
                Await.until("every worker acknowledged 10 transfers",
                        () -> workers.stream().allMatch(w -> w.acknowledged.get() >= 10 || w.failure != null));
                ServerProcess killed = cluster.server(0);
                killed.kill9();
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(150));
                    assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
                }

                for (int i : new int[] {0, 3}) {
                    List<EventRecorder.Connected> connections = events.get(i).events(EventRecorder.Connected.class);
                    assertThat(connections.get(connections.size() - 1).address().toString())
                            .as("client %d's last connection", i).doesNotContain(":" + killed.address().getPort());
                    assertThat(clients.get(i).isConnected()).isTrue();
                }
                ClientStorage reader = clients.get(1);
                awaitEveryCommitSeen(reader, clients);
                assertThat(bank.total(reader)).isEqualTo(bank.expectedTotal());
                for (ClusterBank.Worker w : workers) {
                    assertThat(w.failure).as(w.name).isNull();
                    assertThat(w.counterValue(reader)).as(w.name)
                            .isBetween((long) w.acknowledged.get(), (long) w.acknowledged.get() + w.unknown.get());
                }
                // w0 and w3 started on the killed server: the kill caught at least one of them in a transaction.
                assertThat(List.of(workers.get(0), workers.get(3))).as("the workers of the killed server")
                        .anyMatch(w -> !w.retryableErrors.isEmpty());
            } finally {
                clients.forEach(ClientStorage::close);
            }
        }
    }

    @Test
    void postgresRestartedUnderLoadGivesRetryableErrorsAndLosesNothingAcknowledged() throws Exception {
        try (PostgresTestServer pg = PostgresTestServer.start();
             PostgresCluster cluster = PostgresCluster.start(pg, dir, 2)) {
            List<ClientStorage> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    clients.add(Clients.open(Clients.options(cluster.addressesFrom(i % 2))));
                }
                ClusterBank bank = ClusterBank.open(clients.get(0), 6);
                List<ClusterBank.Worker> workers = new ArrayList<>();
                for (int i = 0; i < clients.size(); i++) {
                    workers.add(bank.new Worker("w" + i, clients.get(i), 40, 200 + i));
                }
                List<Thread> threads = ClusterBank.startAll(workers);
                Await.until("every worker acknowledged 10 transfers",
                        () -> workers.stream().allMatch(w -> w.acknowledged.get() >= 10 || w.failure != null));
                pg.stopImmediately();
                Await.until("a worker saw PostgreSQL go away",
                        () -> workers.stream().anyMatch(w -> !w.retryableErrors.isEmpty() || w.failure != null));
                pg.restart();
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(150));
                    assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
                }

                ClientStorage reader = clients.get(1);
                awaitEveryCommitSeen(reader, clients);
                assertThat(bank.total(reader)).isEqualTo(bank.expectedTotal());
                for (ClusterBank.Worker w : workers) {
                    assertThat(w.failure).as(w.name).isNull();
                    assertThat(w.counterValue(reader)).as(w.name)
                            .isBetween((long) w.acknowledged.get(), (long) w.acknowledged.get() + w.unknown.get());
                    for (Exception e : w.retryableErrors) {
                        assertThat(e.getMessage()).as("what %s was told", w.name).containsIgnoringCase("postgresql");
                    }
                }
                assertThat(workers.stream().flatMap(w -> w.retryableErrors.stream()))
                        .as("the servers said the database was away").hasAtLeastOneElementOfType(
                                org.jzeo.api.TransientStorageException.class);
            } finally {
                clients.forEach(ClientStorage::close);
            }
        }
    }

    @Test
    void aClientComingBackThroughAnotherServerVerifiesItsCacheThere() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start(PostgresTestServer.shared(), dir, 2)) {
            EventRecorder eventsA = new EventRecorder();
            ClientOptions optionsA = Clients.options(cluster.addressesFrom(0));
            GatedCache cacheA = new GatedCache(Clients.openCache(optionsA), false);
            try (ClientStorage a = Clients.open(optionsA, cacheA, eventsA);
                 ClientStorage b = Clients.open(Clients.options(cluster.server(1)))) {
                Map<Oid, String> objects = Clients.createObjects(a, "o", 5);
                List<Oid> oids = Clients.oids(objects);
                objects.keySet().forEach(oid -> Clients.current(a, oid));
                long loadsBefore = a.networkLoads();

                // A's server dies; A is held before it can verify, while B changes one object through server 1.
                cacheA.hold();
                int mark = eventsA.size();
                cluster.server(0).kill9();
                eventsA.await(EventRecorder.Disconnected.class, mark);
                Clients.awaitSeen(b, a.lastTransaction());
                Tid changed = Clients.change(b, Map.of(oids.get(3), "o-3 changed through server 1"));

                cacheA.release();
                EventRecorder.Connected back = eventsA.await(EventRecorder.Connected.class, mark);
                assertThat(back.address().toString()).endsWith(":" + cluster.server(1).address().getPort());
                assertThat(a.awaitConnected(Await.TIMEOUT)).isTrue();
                Clients.awaitSeen(a, changed);
                assertThat(eventsA.events(EventRecorder.CacheDropped.class)).as("verified, not dropped").isEmpty();
                List<EventRecorder.Invalidated> verified = eventsA.events().subList(mark, eventsA.size()).stream()
                        .filter(EventRecorder.Invalidated.class::isInstance)
                        .map(EventRecorder.Invalidated.class::cast).toList();
                assertThat(verified).singleElement().satisfies(v -> {
                    assertThat(v.tid()).isEqualTo(changed);
                    assertThat(v.oids()).containsExactly(oids.get(3));
                });
                for (Oid oid : oids) {
                    String expected = oid.equals(oids.get(3)) ? "o-3 changed through server 1" : objects.get(oid);
                    assertThat(Clients.current(a, oid)).isEqualTo(expected);
                }
                assertThat(a.networkLoads() - loadsBefore).as("only the changed object was loaded again")
                        .isEqualTo(1);
            }
        }
    }

    /** Waits until {@code reader} has heard of the newest transaction any of {@code clients} has seen. */
    private static void awaitEveryCommitSeen(ClientStorage reader, List<ClientStorage> clients) {
        Tid last = Tid.ZERO;
        for (ClientStorage c : clients) {
            last = c.lastTransaction().isBefore(last) ? last : c.lastTransaction();
        }
        Clients.awaitSeen(reader, last);
    }
}
