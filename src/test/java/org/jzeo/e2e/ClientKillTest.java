package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client process killed with SIGKILL while it commits and loads leaves a cache file that, opened again, is
 * either reused and correct (every record it holds agrees with the server's history) or discarded; never
 * wrong. Four rounds on the same cache file, the worker killed at a different point each time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientKillTest {
    private static final int OBJECTS = 40;
    /** Small, so that the worker's records evict each other and move around the file. */
    private static final long CACHE_SIZE = 128 * 1024;
    private static final int ROUNDS = 4;

    @TempDir
    static Path dir;
    static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aClientKilledMidWorkLeavesACacheThatIsVerifiedAndCorrectOrDiscardedNeverWrong(@TempDir Path var)
            throws Exception {
        ClientOptions options = Clients.persistent(Clients.options(server), var, "killed").withCacheSize(CACHE_SIZE);
        try (ClientStorage truth = Clients.open(Clients.options(server))) {
            List<Oid> oids = Clients.oids(Clients.createObjects(truth, "k", OBJECTS));
            List<String> args = new ArrayList<>(List.of(server.hostPort(), var.toString(), "killed",
                    Long.toString(CACHE_SIZE), "0"));
            oids.forEach(o -> args.add(o.toString()));
            int reused = 0;
            for (int round = 0; round < ROUNDS; round++) {
                args.set(4, Long.toString(4711 + round));
                try (ChildJvm worker = ChildJvm.start(ClientWorker.class, var.resolve("worker-stderr.log"), args, "128m",
                        line -> !line.startsWith("committed ") || line.endsWith("00"), null)) {
                    worker.awaitLine("ready"::equals, Duration.ofSeconds(60));
                    int commits = 120 + 45 * round;
                    worker.awaitLine(("committed " + commits)::equals, Duration.ofSeconds(60));
                    worker.kill9();
                }
                if (checkCache(options, truth, oids)) {
                    reused++;
                }
            }
            System.out.println("client kill: the cache was reused " + reused + " times of " + ROUNDS);
        }
    }

    /** Opens the cache left behind and checks it; true if it was reused. */
    private static boolean checkCache(ClientOptions options, ClientStorage truth, List<Oid> oids) throws Exception {
        DiskCache cache = Clients.openCache(options);
        if (cache.openReport().wasDiscarded()) {
            assertThat(cache.entryCount()).isZero();
            System.out.println("client kill: cache discarded: " + cache.openReport().reason());
        } else {
            checkRecords(cache, truth, oids);
        }
        // Through verification the client then reads what the server has now.
        try (ClientStorage restarted = Clients.open(options, cache)) {
            assertThat(restarted.lastTransaction()).isEqualTo(truth.lastTransaction());
            for (Oid oid : oids) {
                List<HistoryEntry> history = truth.history(oid, 10_000);
                LoadResult now = Clients.currentRevision(restarted, oid);
                assertThat(now.start()).as("current serial of %s", oid).isEqualTo(history.get(0).tid());
                assertThat(now.data()).isEqualTo(truth.loadSerial(oid, history.get(0).tid()));
            }
            System.out.printf("client kill: after verification %d of %d objects came from the cache%n",
                    oids.size() - restarted.networkLoads(), oids.size());
        }
        return !cache.openReport().wasDiscarded();
    }

    /**
     * Every revision the reopened cache answers with, for any snapshot up to its last tid, is the server's
     * revision for that snapshot, with the right data and validity.
     */
    private static void checkRecords(DiskCache cache, ClientStorage truth, List<Oid> oids) {
        Tid cacheTid = cache.lastTid();
        int answered = 0;
        for (Oid oid : oids) {
            List<HistoryEntry> history = truth.history(oid, 10_000); // newest first
            List<Tid> befores = new ArrayList<>();
            for (HistoryEntry h : history) {
                if (!h.tid().isAfter(cacheTid)) {
                    befores.add(h.tid().next());
                }
                befores.add(h.tid()); // the revision before this one
            }
            befores.add(cacheTid.next());
            befores.add(Tid.MAX);
            for (Tid before : befores) {
                LoadResult cached = cache.loadBefore(oid, before);
                if (cached == null) {
                    continue;
                }
                answered++;
                int i = indexOf(history, cached.start());
                assertThat(i).as("oid %s: the cache's revision %s is one the server has", oid, cached.start())
                        .isNotNegative();
                assertThat(cached.data()).as("oid %s revision %s: data", oid, cached.start())
                        .isEqualTo(truth.loadSerial(oid, cached.start()));
                Tid next = i == 0 ? null : history.get(i - 1).tid();
                if (cached.end() != null) {
                    assertThat(cached.end()).as("oid %s revision %s: end", oid, cached.start()).isEqualTo(next);
                } else if (next != null) {
                    assertThat(next).as("oid %s: revision %s is cached as current but the server replaced it at"
                            + " %s, not after the cache's last tid %s", oid, cached.start(), next, cacheTid)
                            .isGreaterThan(cacheTid);
                }
                if (!before.isAfter(cacheTid.next())) {
                    // For snapshots the cache vouches for, the answer is the server's answer.
                    assertThat(cached.start()).isLessThan(before);
                    assertThat(next == null || !next.isBefore(before)).as("oid %s before %s: %s is not the"
                            + " newest revision before it", oid, before, cached.start()).isTrue();
                }
            }
        }
        System.out.printf("client kill: cache reused (%d records, last tid %s); %d answers checked%n",
                cache.entryCount(), cacheTid, answered);
    }

    private static int indexOf(List<HistoryEntry> history, Tid tid) {
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).tid().equals(tid)) {
                return i;
            }
        }
        return -1;
    }
}
