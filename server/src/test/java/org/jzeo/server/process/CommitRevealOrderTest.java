package org.jzeo.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ConnectionClosed;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order in which a connection learns of tids (spec §6, §7): with several clients committing at once (so
 * commits finish together in one group commit), every connection must see the tids of its
 * {@code invalidateTransaction} callbacks and of its own {@code tpc_finish} replies strictly increase, in arrival
 * order. ZEO's client sets its cache's last tid from both and raises ValueError on a tid that does not increase,
 * so a finish reply queued after the invalidation of a later commit breaks the Python client's commit.
 *
 * <p>In-process and quick; {@link KillDuringCommitStormTest} checks the same on a server process.
 */
class CommitRevealOrderTest {
    private static final int CLIENTS = 4;
    private static final int COMMITS = 400;

    @TempDir
    Path dir;

    private RunningServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tidsRevealedOnEachConnectionStrictlyIncreaseWhileClientsCommitTogether() throws Exception {
        server = TestServers.start(dir.resolve("Data.fs"));
        long seed = System.nanoTime();
        System.out.println("CommitRevealOrderTest seed " + seed);
        Random random = new Random(seed);
        List<ZeoTestClient> connections = new ArrayList<>();
        List<StormClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        RoundProgress progress = new RoundProgress();
        try {
            Map<Oid, byte[]> setup = new HashMap<>();
            List<Oid> shared;
            List<List<Oid>> own = new ArrayList<>();
            Tid setupTid;
            try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
                c.register("1", false);
                List<Oid> oids = c.newOids(1 + CLIENTS * 2);
                oids.forEach(o -> setup.put(o, StormClient.record(CLIENTS, 0, 0, o, random)));
                setupTid = c.commit(1, setup, Map.of());
                shared = List.of(oids.get(0));
                for (int i = 0; i < CLIENTS; i++) {
                    own.add(oids.subList(1 + 2 * i, 3 + 2 * i));
                }
            }
            for (int i = 0; i < CLIENTS; i++) {
                ZeoTestClient conn = ZeoTestClient.connect(TestServers.address(server));
                connections.add(conn);
                conn.register("1", false);
                Map<Oid, Tid> serials = new HashMap<>();
                own.get(i).forEach(o -> serials.put(o, setupTid));
                StormClient client = new StormClient(i, 1, conn, random.nextLong(), own.get(i), serials, shared,
                        conn.newOids(), 1, null, progress);
                clients.add(client);
                threads.add(new Thread(client, "committer-" + i));
            }
            threads.forEach(Thread::start);
            assertThat(progress.awaitAcked(COMMITS, Duration.ofSeconds(60)))
                    .as("every client keeps committing until the connections close").isTrue();
        } finally {
            connections.forEach(ZeoTestClient::close);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
        for (StormClient client : clients) {
            assertThat(client.ended).isInstanceOf(ConnectionClosed.class);
            assertThat(client.problems).as("what the client saw").isEmpty();
            assertThat(client.attempts.stream().filter(a -> a.outcome == StormClient.Outcome.ACKED).count())
                    .as("commits of one client").isPositive();
        }
    }
}
