package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.MappingStorageConfig;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordering stress: client A loads object X while client B commits X, 10 000 times. Whatever order the load
 * reply and the invalidation take, once A knows of B's commit its cache must not answer with the revision
 * before it. An in-process server with an in-memory storage: a server process would add nothing here but
 * fsyncs and start-up time.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LoadCommitRaceTest {
    private static final int ITERATIONS = 10_000;

    @TempDir
    Path dir;
    RunningServer server;

    @BeforeEach
    void startServer() throws Exception {
        ServerConfig config = TestServers.config(dir.resolve("unused.fs"), z -> z)
                .withStorages(List.of(new MappingStorageConfig("1", MappingStorageConfig.DEFAULT_LABEL)));
        server = RunningServer.start(config);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aLoadRacingACommitOfTheSameObjectNeverLeavesAStaleCurrentRecordInTheCache() throws Exception {
        String address = "127.0.0.1:" + TestServers.address(server).getPort();
        try (ClientStorage a = Clients.open(Clients.options(address));
             ClientStorage b = Clients.open(Clients.options(address))) {
            // Two kinds of race, alternating. Even iterations: an object A never loaded, so A's cache holds
            // nothing of it and only the order of the server's messages (load reply before the invalidation
            // when the load was served first) keeps a stale revision out. Odd iterations: one of two objects
            // that B writes in every transaction and A reads every other time, so A's cache holds its old
            // revisions but not the current one. Either way every raced load goes to the server.
            List<Oid> fresh = Clients.oids(Clients.createObjects(b, "fresh", ITERATIONS / 2));
            Tid created = Clients.currentRevision(b, fresh.get(0)).start();
            List<Oid> pair = Clients.oids(Clients.createObjects(b, "v0", 2));
            Tid[] pairSerial = {Clients.currentRevision(b, pair.get(0)).start()};
            Clients.awaitSeen(a, pairSerial[0]);

            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<Throwable> committerFailure = new AtomicReference<>();
            Tid[] committed = new Tid[ITERATIONS];
            Thread committer = new Thread(() -> {
                try {
                    for (int i = 0; i < ITERATIONS; i++) {
                        start.await(30, TimeUnit.SECONDS);
                        StorageTransaction txn = b.begin(TransactionMetadata.empty());
                        byte[] value = Clients.record("v" + (i + 1));
                        for (Oid oid : pair) {
                            txn.store(oid, pairSerial[0], value);
                        }
                        if (i % 2 == 0) {
                            txn.store(fresh.get(i / 2), created, value);
                        }
                        txn.vote();
                        pairSerial[0] = txn.finish();
                        synchronized (committed) {
                            committed[i] = pairSerial[0];
                            committed.notifyAll();
                        }
                    }
                } catch (Throwable e) {
                    committerFailure.set(e);
                    start.reset();
                    synchronized (committed) {
                        committed.notifyAll();
                    }
                }
            }, "B-committer");
            committer.start();

            int oldSeen = 0;
            int newSeen = 0;
            long networkBefore = a.networkLoads();
            long racedOverNetwork = 0;
            long began = System.nanoTime();
            for (int i = 0; i < ITERATIONS; i++) {
                Oid x = i % 2 == 0 ? fresh.get(i / 2) : pair.get((i / 2) % 2);
                String old = i % 2 == 0 ? "fresh-" + (i / 2) : "v" + i;
                start.await(30, TimeUnit.SECONDS);
                // The racing load of the current revision, one way or the other.
                long loads = a.networkLoads();
                LoadResult raced = i % 4 < 2 ? a.loadBefore(x, Tid.MAX)
                        : a.loadBefore(x, a.lastTransaction().next());
                racedOverNetwork += a.networkLoads() - loads;
                Tid tid = awaitCommitted(committed, i, committerFailure);
                String value = Clients.value(raced.data());
                if (value.equals(old)) {
                    oldSeen++;
                } else {
                    assertThat(value).as("iteration %d: the raced load", i).isEqualTo("v" + (i + 1));
                    newSeen++;
                }

                Clients.awaitSeen(a, tid);
                LoadResult after = a.loadBefore(x, a.lastTransaction().next());
                assertThat(after.start()).as("iteration %d: serial of %s once A knows of B's commit %s", i, x, tid)
                        .isEqualTo(tid);
                assertThat(Clients.value(after.data())).as("iteration %d", i).isEqualTo("v" + (i + 1));
                assertThat(after.end()).isNull();
            }
            committer.join(30_000);
            assertThat(committerFailure.get()).isNull();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            System.out.printf("load/commit race: %d iterations in %d ms; %d raced loads went to the server; they"
                    + " saw the old revision %d times and the new one %d times; %d network loads in all%n",
                    ITERATIONS, millis, racedOverNetwork, oldSeen, newSeen, a.networkLoads() - networkBefore);
            assertThat(oldSeen + newSeen).isEqualTo(ITERATIONS);
            // The race is real: every raced load was a cache miss answered by the server.
            assertThat(racedOverNetwork).isEqualTo(ITERATIONS);
        }
    }

    private static Tid awaitCommitted(Tid[] committed, int i, AtomicReference<Throwable> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
        synchronized (committed) {
            while (committed[i] == null) {
                if (failure.get() != null) {
                    throw new AssertionError("B's commit failed", failure.get());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("B's commit " + i + " did not finish within " + Await.TIMEOUT);
                }
                TimeUnit.NANOSECONDS.timedWait(committed, left);
            }
            return committed[i];
        }
    }
}
