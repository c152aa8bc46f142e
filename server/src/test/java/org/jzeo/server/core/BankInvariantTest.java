package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.core.WireCommits.balance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank invariant over real TCP with fsync on: 8 clients move money between 20 accounts with optimistic
 * concurrency (read both accounts, store with the serials read, retry on conflict). Afterwards the total is
 * preserved, every account's revision chain is exactly the committed transfers in tid order (each one read the
 * revision right before its own, so no update was lost), and every failure was a ConflictException.
 */
class BankInvariantTest {
    private static final int ACCOUNTS = 20;
    private static final int CLIENTS = 8;
    private static final int TRANSFERS_PER_CLIENT = 500;
    private static final long INITIAL_BALANCE = 1_000;
    private static final long SEED = 20240611L;

    @TempDir
    Path dir;
    private RunningServer server;

    /** One committed transfer: its tid and, per account, the serial it read. */
    private record Transfer(Tid tid, Oid from, Oid to, long amount, Tid fromRead, Tid toRead) {
    }

    /** What one client did. */
    private static final class ClientLog {
        final List<Transfer> transfers = new ArrayList<>();
        long serialConflicts;
        long lockWaitConflicts;
        final List<String> problems = new ArrayList<>();
    }

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withLockWait(Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentTransfersKeepTheTotalAndLoseNoUpdate() throws Exception {
        List<Oid> accounts;
        Tid createdAt;
        try (ZeoTestClient setup = WireCommits.connect(server)) {
            accounts = setup.newOids(ACCOUNTS);
            Map<Oid, byte[]> initial = new LinkedHashMap<>();
            for (Oid account : accounts) {
                initial.put(account, balance(INITIAL_BALANCE));
            }
            createdAt = setup.commit(1, initial, Map.of());
        }

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<ClientLog>> futures = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                long seed = SEED + i;
                futures.add(pool.submit(() -> runClient(accounts, new Random(seed))));
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(100, TimeUnit.SECONDS)).as("all clients finish their transfers")
                    .isTrue();
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        List<Transfer> all = new ArrayList<>();
        long serialConflicts = 0;
        long lockWaitConflicts = 0;
        List<String> problems = new ArrayList<>();
        for (Future<ClientLog> f : futures) {
            ClientLog log = f.get();
            all.addAll(log.transfers);
            serialConflicts += log.serialConflicts;
            lockWaitConflicts += log.lockWaitConflicts;
            problems.addAll(log.problems);
        }
        System.out.printf("bank: %d transfers by %d clients in %.2f s (%.0f transfers/s), retries: %d serial "
                        + "conflicts + %d lock-wait conflicts%n", all.size(), CLIENTS, seconds, all.size() / seconds,
                serialConflicts, lockWaitConflicts);

        assertThat(problems).as("every failed transfer must be a ConflictException with a consistent report")
                .isEmpty();
        assertThat(all).as("every client completed every transfer").hasSize(CLIENTS * TRANSFERS_PER_CLIENT);

        all.sort(Comparator.comparing(Transfer::tid));
        Set<Tid> distinct = new HashSet<>();
        for (Transfer t : all) {
            assertThat(distinct.add(t.tid())).as("tid %s was returned by two tpc_finish replies", t.tid()).isTrue();
            assertThat(t.tid()).as("a transfer commits after the accounts were created").isGreaterThan(createdAt);
        }

        // Replay the log in tid order: each transfer must have read exactly the revision before its own (no lost
        // update), and the revision it wrote must hold exactly the replayed balance.
        Map<Oid, Long> replayed = new HashMap<>();
        Map<Oid, Tid> lastRevision = new HashMap<>();
        Map<Oid, List<Tid>> expectedHistory = new HashMap<>();
        for (Oid account : accounts) {
            replayed.put(account, INITIAL_BALANCE);
            lastRevision.put(account, createdAt);
            expectedHistory.put(account, new ArrayList<>(List.of(createdAt)));
        }
        try (ZeoTestClient checker = WireCommits.connect(server)) {
            for (Transfer t : all) {
                assertThat(t.fromRead()).as("transfer %s read the revision of %s committed just before it", t.tid(),
                        t.from()).isEqualTo(lastRevision.get(t.from()));
                assertThat(t.toRead()).as("transfer %s read the revision of %s committed just before it", t.tid(),
                        t.to()).isEqualTo(lastRevision.get(t.to()));
                replayed.merge(t.from(), -t.amount(), Long::sum);
                replayed.merge(t.to(), t.amount(), Long::sum);
                for (Oid account : List.of(t.from(), t.to())) {
                    lastRevision.put(account, t.tid());
                    expectedHistory.get(account).add(t.tid());
                    byte[] data = (byte[]) checker.call("loadSerial", account, t.tid());
                    assertThat(balance(data)).as("balance of %s in revision %s", account, t.tid())
                            .isEqualTo(replayed.get(account));
                }
            }

            long total = 0;
            for (Oid account : accounts) {
                LoadResult current = checker.loadBefore(account, Tid.MAX);
                assertThat(current.start()).as("current revision of %s", account)
                        .isEqualTo(lastRevision.get(account));
                assertThat(current.end()).as("the current revision of %s has no end", account).isNull();
                assertThat(balance(current.data())).as("final balance of %s equals the replayed transfers", account)
                        .isEqualTo(replayed.get(account));
                total += balance(current.data());

                List<Tid> revisions = historyTids(checker, account);
                List<Tid> expected = new ArrayList<>(expectedHistory.get(account));
                Collections.reverse(expected);
                assertThat(revisions).as("history of %s, newest first: the creation plus every transfer touching it",
                        account).isEqualTo(expected);
            }
            assertThat(total).as("the total over all accounts is preserved").isEqualTo(ACCOUNTS * INITIAL_BALANCE);

            Map<String, Object> status = WireCommits.serverStatus(checker);
            assertThat(status.get("commits")).as("server_status commits: the creation plus every transfer")
                    .isEqualTo((long) all.size() + 1);
            assertThat(status.get("conflicts")).as("server_status conflicts: every retry the clients counted")
                    .isEqualTo(serialConflicts + lockWaitConflicts);
            assertThat(status.get("active_txns")).as("no transaction left active").isEqualTo(0L);
            assertThat(checker.anomalies()).isEmpty();
        }
    }

    private static List<Tid> historyTids(ZeoTestClient client, Oid oid) {
        List<Tid> tids = new ArrayList<>();
        for (Object entry : (List<?>) client.call("history", oid, 100_000)) {
            tids.add(WireCommits.tid(((Map<?, ?>) entry).get("tid"), "history tid"));
        }
        return tids;
    }

    private ClientLog runClient(List<Oid> accounts, Random random) throws Exception {
        ClientLog log = new ClientLog();
        AtomicLong txnIds = new AtomicLong(1_000);
        try (ZeoTestClient client = WireCommits.connect(server)) {
            for (int n = 0; n < TRANSFERS_PER_CLIENT; n++) {
                int a = random.nextInt(ACCOUNTS);
                int b = random.nextInt(ACCOUNTS - 1);
                if (b >= a) {
                    b++;
                }
                Oid from = accounts.get(a);
                Oid to = accounts.get(b);
                long amount = 1 + random.nextInt(100);
                while (true) {
                    LoadResult f = client.loadBefore(from, Tid.MAX);
                    LoadResult t = client.loadBefore(to, Tid.MAX);
                    Map<Oid, byte[]> stores = new TreeMapOf().put(from, balance(balance(f.data()) - amount))
                            .put(to, balance(balance(t.data()) + amount)).map;
                    Map<Oid, Tid> serials = Map.of(from, f.start(), to, t.start());
                    try {
                        Tid tid = client.commit(txnIds.incrementAndGet(), stores, serials);
                        log.transfers.add(new Transfer(tid, from, to, amount, f.start(), t.start()));
                        break;
                    } catch (ConflictException e) {
                        String problem = checkConflict(e, serials);
                        if (problem != null) {
                            log.problems.add(problem);
                            return log;
                        }
                        if (e.committedSerial() == null) {
                            log.lockWaitConflicts++;
                        } else {
                            log.serialConflicts++;
                        }
                    } catch (Exception | AssertionError e) {
                        log.problems.add("transfer " + from + " -> " + to + " failed with " + e);
                        return log;
                    }
                }
            }
            if (!client.anomalies().isEmpty()) {
                log.problems.add("anomalies: " + client.anomalies());
            }
        }
        return log;
    }

    /** Null if the conflict report is consistent with what was stored, else what is wrong with it. */
    private static String checkConflict(ConflictException e, Map<Oid, Tid> serials) {
        if (e instanceof ReadConflictException) {
            return "a store-only transaction got a ReadConflictError: " + e;
        }
        if (e.oid() == null || !serials.containsKey(e.oid())) {
            return "conflict names oid " + e.oid() + ", which the transaction did not store: " + e;
        }
        if (e.committedSerial() == null && e.readSerial() == null) {
            return null; // gave up waiting for the object lock
        }
        if (!serials.get(e.oid()).equals(e.readSerial())) {
            return "conflict on " + e.oid() + " reports read serial " + e.readSerial() + " but the client stored "
                    + serials.get(e.oid());
        }
        if (e.committedSerial() == null || !e.committedSerial().isAfter(e.readSerial())) {
            return "conflict on " + e.oid() + " must report a committed serial after the read one: " + e;
        }
        return null;
    }

    /** Stores in ascending oid order, so the wire order is reproducible. */
    private static final class TreeMapOf {
        final Map<Oid, byte[]> map = new java.util.TreeMap<>();

        TreeMapOf put(Oid oid, byte[] data) {
            map.put(oid, data);
            return this;
        }
    }
}
