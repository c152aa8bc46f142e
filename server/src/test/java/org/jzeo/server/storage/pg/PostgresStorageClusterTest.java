package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.Await;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.storage.pg.PgTestStorages.Recorder;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several PostgresStorage instances over one database (several servers, here in one JVM) behave as one storage:
 * every commit reaches every instance's listener in tid order, object locks hold across instances, reads follow
 * each instance's visible tid, and oids are unique.
 */
class PostgresStorageClusterTest {
    private static final Oid X = Oid.of(1);
    private static final Duration LOCK_WAIT = Duration.ofMillis(700);
    /** Longer than any wait below: delivery within these tests' waits cannot come from polling. */
    private static final Duration NO_POLLING = Duration.ofMinutes(5);

    private final PostgresTestServer pg = PostgresTestServer.shared();
    private final List<PostgresStorage> opened = new ArrayList<>();
    private String database;

    @BeforeEach
    void createDatabase() {
        database = pg.createDatabase();
    }

    @AfterEach
    void closeStorages() {
        opened.forEach(PostgresStorage::close);
    }

    private PostgresStorage open(Duration pollInterval, org.jzeo.storage.CommitListener recorder) {
        PostgresStorage s = PgTestStorages.open(pg, database, LOCK_WAIT, pollInterval);
        opened.add(s);
        s.setCommitListener(recorder);
        return s;
    }

    private static Tid store(PostgresStorage s, Oid oid, Tid serial, String payload) {
        StorageTransaction txn = s.begin(TransactionMetadata.empty());
        txn.store(oid, serial, TestRecords.record(payload));
        txn.vote();
        return txn.finish();
    }

    @Test
    void aCommitThroughOneInstanceReachesTheOthersPromptlyInTidOrderWithoutATransaction() {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        Recorder rc = new Recorder();
        PostgresStorage a = open(NO_POLLING, ra);
        PostgresStorage b = open(NO_POLLING, rb);
        PostgresStorage c = open(NO_POLLING, rc);

        List<Tid> tids = new ArrayList<>();
        Tid serial = Tid.ZERO;
        for (int i = 0; i < 5; i++) {
            serial = store(a, X, serial, "x" + i);
            tids.add(serial);
        }
        Tid last = serial;

        // Polling is 5 minutes away: only the NOTIFY can bring the commits within these waits.
        Await.until("B to hear A's commits", () -> rb.heardTid(last), Duration.ofSeconds(10));
        Await.until("C to hear A's commits", () -> rc.heardTid(last), Duration.ofSeconds(10));
        assertThat(rb.tids()).as("B hears every commit once, in tid order").containsExactlyElementsOf(tids);
        assertThat(rc.tids()).containsExactlyElementsOf(tids);
        assertThat(rb.heard).allSatisfy(h -> {
            assertThat(h.txn()).as("another server's commit has no transaction here").isNull();
            assertThat(h.oids()).containsExactly(X);
        });
        assertThat(ra.tids()).as("the committer heard its own commits before finish returned")
                .containsExactlyElementsOf(tids);
        assertThat(ra.heard).allSatisfy(h -> assertThat(h.txn()).as("named to its own listener").isNotNull());
        assertThat(b.lastTransaction()).isEqualTo(last);
        assertThat(TestRecords.payload(c.loadBefore(X, Tid.MAX).data())).isEqualTo("x4");
    }

    @Test
    void pollingAloneDeliversACommitThatWasNotNotified() throws Exception {
        Recorder polled = new Recorder();
        Recorder notOften = new Recorder();
        PostgresStorage polling = open(Duration.ofMillis(200), polled);
        PostgresStorage notPolling = open(NO_POLLING, notOften);
        Await.until("both storages to listen", () -> polling.stream().isListening()
                && notPolling.stream().isListening());

        // A commit written behind the storages' backs, as a server would write it, without its NOTIFY.
        Tid tid = Tid.newTid(java.time.Instant.now(), polling.lastTransaction());
        try (Connection c = pg.connect(database)) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO transaction (tid, username, description,"
                    + " extension, packed, size) VALUES (?, '', '', '', false, 73)")) {
                p.setLong(1, tid.value());
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO object_state (zoid, tid, position, state)"
                    + " VALUES (1, ?, 0, ?)")) {
                p.setLong(1, tid.value());
                p.setBytes(2, TestRecords.record("silent"));
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO current_object VALUES (1, ?)")) {
                p.setLong(1, tid.value());
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE commit_lock SET last_tid = ?")) {
                p.setLong(1, tid.value());
                p.executeUpdate();
            }
            c.commit();
        }

        Await.until("the polling storage to find the commit", () -> polled.heardTid(tid), Duration.ofSeconds(5));
        assertThat(polled.find(tid).oids()).containsExactly(X);
        assertThat(TestRecords.payload(polling.loadBefore(X, Tid.MAX).data())).isEqualTo("silent");
        assertThat(notOften.heard).as("without a notification, a storage that polls every 5 minutes has not"
                + " heard it yet: the delivery above came from polling").isEmpty();
    }

    @Test
    void concurrentCommitsThroughEveryInstanceGetUniqueIncreasingTidsThatEveryListenerHearsInOrder()
            throws Exception {
        int instances = 3;
        int threadsEach = 2;
        int commitsEach = 15;
        List<Recorder> recorders = new ArrayList<>();
        List<PostgresStorage> storages = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            Recorder r = new Recorder();
            recorders.add(r);
            storages.add(open(NO_POLLING, r));
        }
        Set<Tid> committed = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(instances * threadsEach);
        try {
            List<Future<List<Tid>>> futures = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                for (int t = 0; t < threadsEach; t++) {
                    PostgresStorage s = storages.get(i);
                    Oid own = Oid.of(100 + i * 10L + t);
                    futures.add(pool.submit(() -> {
                        List<Tid> mine = new ArrayList<>();
                        Tid serial = Tid.ZERO;
                        for (int n = 0; n < commitsEach; n++) {
                            serial = store(s, own, serial, "v" + n);
                            mine.add(serial);
                            committed.add(serial);
                        }
                        return mine;
                    }));
                }
            }
            for (Future<List<Tid>> f : futures) {
                List<Tid> mine = f.get(120, TimeUnit.SECONDS);
                for (int n = 1; n < mine.size(); n++) {
                    assertThat(mine.get(n)).as("a thread's tids increase").isGreaterThan(mine.get(n - 1));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        int total = instances * threadsEach * commitsEach;
        assertThat(committed).as("every tid is unique").hasSize(total);
        List<Tid> expected = committed.stream().sorted().toList();
        for (int i = 0; i < instances; i++) {
            Recorder r = recorders.get(i);
            Await.until("instance " + i + " to hear every commit", () -> r.heard.size() >= total,
                    Duration.ofSeconds(20));
            assertThat(r.tids()).as("instance %d hears the same full sequence in tid order", i)
                    .containsExactlyElementsOf(expected);
            PostgresStorage own = storages.get(i);
            for (PgTestStorages.Heard h : r.heard) {
                Oid oid = h.oids().get(0);
                boolean mine = oid.value() / 10 == 10 + i;
                assertThat(h.txn() != null).as("instance %d names its own commits only (%s)", i, oid).isEqualTo(mine);
            }
            assertThat(own.lastTransaction()).isEqualTo(expected.get(total - 1));
        }
    }

    @Test
    void aVoteHoldingAnObjectInOneInstanceMakesAVoteOnItInAnotherFailAfterTheLockWait() throws Exception {
        PostgresStorage a = open(NO_POLLING, new Recorder());
        Recorder rb = new Recorder();
        PostgresStorage b = open(NO_POLLING, rb);
        Tid x0 = store(a, X, Tid.ZERO, "x0");
        Await.until("B to hear x0", () -> rb.heardTid(x0));

        StorageTransaction holder = a.begin(TransactionMetadata.empty());
        holder.store(X, x0, TestRecords.record("held by A"));
        holder.vote();

        StorageTransaction waiter = b.begin(TransactionMetadata.empty());
        waiter.store(X, x0, TestRecords.record("blocked in B"));
        long started = System.nanoTime();
        assertThatThrownBy(waiter::vote).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.oid()).isEqualTo(X);
            assertThat(e.isRetryable()).isTrue();
        });
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertThat(waited).as("B waited for A's lock for the lock wait").isGreaterThanOrEqualTo(LOCK_WAIT)
                .isLessThan(LOCK_WAIT.plusSeconds(5));

        Tid x1 = holder.finish();
        Await.until("B to hear A's commit", () -> rb.heardTid(x1));
        assertThat(store(b, X, x1, "after A")).as("A's lock is gone with its commit").isGreaterThan(x1);
    }

    @Test
    void aVoteWaitingInAnotherInstanceIsCancelledAtOnce() throws Exception {
        PostgresStorage a = PgTestStorages.open(pg, database, Duration.ofSeconds(30), NO_POLLING);
        opened.add(a);
        PostgresStorage b = PgTestStorages.open(pg, database, Duration.ofSeconds(30), NO_POLLING);
        opened.add(b);
        Tid x0 = store(a, X, Tid.ZERO, "x0");
        StorageTransaction holder = a.begin(TransactionMetadata.empty());
        holder.store(X, x0, TestRecords.record("held by A"));
        holder.vote();

        StorageTransaction waiter = b.begin(TransactionMetadata.empty());
        waiter.store(X, x0, TestRecords.record("waiting in B"));
        CountDownLatch voting = new CountDownLatch(1);
        Future<?> vote = Executors.newSingleThreadExecutor().submit(() -> {
            voting.countDown();
            return waiter.vote();
        });
        voting.await();
        Await.until("B's vote to wait for A's row lock in PostgreSQL", this::someoneWaitsForALock);
        long started = System.nanoTime();
        waiter.cancel();
        assertThatThrownBy(() -> vote.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConflictException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("cancelled long before the 30 s lock wait")
                .isLessThan(Duration.ofSeconds(5));
        waiter.abort();
        holder.abort();
    }

    private boolean someoneWaitsForALock() {
        try (Connection c = pg.connect(database);
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
            r.next();
            return r.getInt(1) > 0;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anInstanceReadsAnotherInstancesCommitOnlyOnceItDeliveredIt() throws Exception {
        Recorder ra = new Recorder();
        PostgresStorage a = open(NO_POLLING, ra);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean blockNext = new java.util.concurrent.atomic.AtomicBoolean(true);
        Recorder rb = new Recorder();
        PostgresStorage b = open(NO_POLLING, (txn, tid, oids) -> {
            rb.committed(txn, tid, oids);
            if (blockNext.compareAndSet(true, false)) {
                try {
                    // B's delivery stops at its first commit (x1) until the test lets it go.
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Tid x1 = store(a, X, Tid.ZERO, "x1");
        Await.until("B to start delivering x1", () -> rb.heardTid(x1));
        Tid x2;
        try {
            x2 = store(a, X, x1, "x2");
            assertThat(a.lastTransaction()).isEqualTo(x2);

            assertThat(b.lastTransaction()).as("B delivered up to x1 only").isEqualTo(x1);
            LoadResult seen = b.loadBefore(X, Tid.MAX);
            assertThat(TestRecords.payload(seen.data())).as("B does not show x2 before delivering it")
                    .isEqualTo("x1");
            assertThat(seen.end()).as("the end of x1 is after B's visible tid: reported as current").isNull();
            assertThat(TestRecords.payload(b.loadBefore(X, x2.next()).data())).isEqualTo("x1");
            assertThat(b.history(X, 10)).hasSize(1);
            assertThat(b.lastInvalidations(10)).extracting(i -> i.tid()).containsExactly(x1);
            try (StorageIterator it = b.iterator(null, null)) {
                List<Tid> tids = new ArrayList<>();
                it.forEachRemaining(t -> tids.add(t.tid()));
                assertThat(tids).containsExactly(x1);
            }
        } finally {
            release.countDown();
        }
        Await.until("B to deliver x2", () -> rb.heardTid(x2));
        assertThat(TestRecords.payload(b.loadBefore(X, Tid.MAX).data())).isEqualTo("x2");
        LoadResult old = b.loadBefore(X, x2);
        assertThat(old.end()).as("once delivered, x1 ends at x2").isEqualTo(x2);
    }

    @Test
    void aConflictNamingACommitNotYetDeliveredDeliversItFirst() {
        PostgresStorage a = open(NO_POLLING, new Recorder());
        // B's listener is set only after A's commit: B holds that commit back, and polls only every 5 minutes.
        PostgresStorage b = PgTestStorages.open(pg, database, LOCK_WAIT, NO_POLLING);
        opened.add(b);
        Await.until("B to listen", () -> b.stream().isListening());
        Tid x1 = store(a, X, Tid.ZERO, "x1");
        Recorder rb = new Recorder();
        b.setCommitListener(rb);
        assertThat(b.lastTransaction()).as("B has not delivered x1").isEqualTo(Tid.ZERO);

        StorageTransaction stale = b.begin(TransactionMetadata.empty());
        stale.store(X, Tid.ZERO, TestRecords.record("as if new"));
        assertThatThrownBy(stale::vote).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.committedSerial()).isEqualTo(x1);
            assertThat(rb.tids()).as("x1 was delivered before the conflict that names it was thrown")
                    .containsExactly(x1);
        });
        assertThat(b.lastTransaction()).isEqualTo(x1);
    }

    @Test
    void aStorageWithoutAListenerHoldsOtherServersCommitsBackUntilOneIsSet() {
        PostgresStorage a = open(NO_POLLING, new Recorder());
        PostgresStorage b = PgTestStorages.open(pg, database, LOCK_WAIT, Duration.ofMillis(100));
        opened.add(b);
        Tid x1 = store(a, X, Tid.ZERO, "x1");
        long woken = b.stream().wakeups();
        Await.until("B's stream to look for commits twice after x1", () -> b.stream().wakeups() >= woken + 2);
        assertThat(b.lastTransaction()).as("nobody would hear it: held back").isEqualTo(Tid.ZERO);

        Recorder rb = new Recorder();
        b.setCommitListener(rb);
        Await.until("B to deliver x1 at its next poll", () -> rb.heardTid(x1));
        assertThat(b.lastTransaction()).isEqualTo(x1);
    }

    @Test
    void newOidsAreUniqueAcrossInstancesAndAboveStoredOnes() throws Exception {
        List<PostgresStorage> storages = List.of(open(NO_POLLING, new Recorder()), open(NO_POLLING, new Recorder()),
                open(NO_POLLING, new Recorder()));
        store(storages.get(0), Oid.of(5000), Tid.ZERO, "far");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<List<Oid>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < 6; t++) {
                PostgresStorage s = storages.get(t % 3);
                futures.add(pool.submit(() -> {
                    List<Oid> got = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        got.addAll(s.newOids(5));
                    }
                    return got;
                }));
            }
            Set<Oid> all = new HashSet<>();
            for (Future<List<Oid>> f : futures) {
                for (Oid oid : f.get(60, TimeUnit.SECONDS)) {
                    assertThat(all.add(oid)).as("oid %s handed out once", oid).isTrue();
                    assertThat(oid).isGreaterThan(Oid.of(5000));
                }
            }
            assertThat(all).hasSize(6 * 20 * 5);
        } finally {
            pool.shutdownNow();
        }
    }
}
