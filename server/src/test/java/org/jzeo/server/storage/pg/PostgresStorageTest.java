package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/** What only the PostgreSQL storage promises: its schema rules, read-only mode, conflict resolution's vote. */
class PostgresStorageTest {
    private static final Oid X = Oid.of(1);
    private static final Duration LOCK_WAIT = Duration.ofMillis(500);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final PostgresTestServer pg = PostgresTestServer.shared();

    private PostgresStorage open(String database) {
        return PgTestStorages.open(pg, database, LOCK_WAIT, POLL);
    }

    private void sql(String database, String statement) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static Tid store(PostgresStorage s, Oid oid, Tid serial, String payload) {
        StorageTransaction txn = s.begin(TransactionMetadata.empty());
        txn.store(oid, serial, TestRecords.record(payload));
        txn.vote();
        return txn.finish();
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefusedWithOneLineNamingTheUrlAndVersions() throws Exception {
        String db = pg.createDatabase();
        open(db).close();
        sql(db, "UPDATE jzeo_schema SET version = 99");

        assertThatThrownBy(() -> open(db)).isInstanceOfSatisfying(StorageException.class, e -> assertThat(
                e.getMessage()).contains(pg.jdbcUrl(db), "version 99", "version " + PostgresSchema.LATEST)
                .doesNotContain("\n"));
    }

    @Test
    void aNonEmptyDatabaseWithoutJzeosSchemaIsRefusedAndLeftAlone() throws Exception {
        String db = pg.createDatabase();
        sql(db, "CREATE TABLE someone_elses (id int)");

        assertThatThrownBy(() -> open(db)).isInstanceOfSatisfying(StorageException.class, e -> assertThat(
                e.getMessage()).contains(pg.jdbcUrl(db), "someone_elses").doesNotContain("\n"));
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             var r = s.executeQuery("SELECT to_regclass('jzeo_schema') IS NULL")) {
            r.next();
            assertThat(r.getBoolean(1)).as("nothing was created").isTrue();
        }
    }

    @Test
    void withoutCreateSchemaAnEmptyDatabaseIsAClearError() {
        String db = pg.createDatabase();
        PostgresOptions options = PgTestStorages.options(pg, db, LOCK_WAIT, POLL).withCreateSchema(false);

        assertThatThrownBy(() -> PostgresStorage.open(options, TestRecords.finder()))
                .isInstanceOf(StorageException.class).hasMessageContaining(pg.jdbcUrl(db))
                .hasMessageContaining("no jzeo schema").hasMessageContaining("create-schema");
    }

    @Test
    void serversStartingTogetherOnAnEmptyDatabaseCreateTheSchemaOnce() throws Exception {
        String db = pg.createDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<PostgresStorage> opened = new ArrayList<>();
        try {
            List<Future<PostgresStorage>> opening = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opening.add(pool.submit((Callable<PostgresStorage>) () -> open(db)));
            }
            for (Future<PostgresStorage> f : opening) {
                opened.add(f.get(60, TimeUnit.SECONDS));
            }
            Tid t1 = store(opened.get(0), X, Tid.ZERO, "x1");
            assertThat(store(opened.get(3), X, t1, "x2")).isGreaterThan(t1);
        } finally {
            opened.forEach(PostgresStorage::close);
            pool.shutdownNow();
        }
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             var r = s.executeQuery("SELECT count(*), max(version) FROM jzeo_schema")) {
            r.next();
            assertThat(r.getInt(1)).as("one version row").isEqualTo(1);
            assertThat(r.getInt(2)).isEqualTo(PostgresSchema.LATEST);
        }
    }

    @Test
    void anUnreachableDatabaseIsAOneLineRetryableErrorNamingTheUrlButNotThePassword() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere?password=secret";
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", PostgresTestServer.USER);
        props.setProperty("password", "also-secret");

        assertThatThrownBy(() -> PostgresStorage.open(PostgresOptions.of(url, props), TestRecords.finder()))
                .isInstanceOfSatisfying(DatabaseUnavailableException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.getMessage()).contains("jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere")
                            .doesNotContain("secret").doesNotContain("\n");
                });
    }

    @Test
    void aReadOnlyStorageRefusesTransactionsNewOidsAndPackButReads() {
        String db = pg.createDatabase();
        Tid t1;
        try (PostgresStorage writer = open(db)) {
            t1 = store(writer, X, Tid.ZERO, "x1");
        }
        try (PostgresStorage readOnly = PostgresStorage.open(
                PgTestStorages.options(pg, db, LOCK_WAIT, POLL).withReadOnly(true), TestRecords.finder())) {
            assertThat(readOnly.isReadOnly()).isTrue();
            assertThatThrownBy(() -> readOnly.begin(TransactionMetadata.empty())).isInstanceOf(ReadOnlyException.class);
            assertThatThrownBy(() -> readOnly.newOids(1)).isInstanceOf(ReadOnlyException.class);
            assertThatThrownBy(() -> readOnly.pack(Tid.MAX, true)).isInstanceOf(ReadOnlyException.class);
            assertThat(readOnly.lastTransaction()).isEqualTo(t1);
            assertThat(TestRecords.payload(readOnly.loadBefore(X, Tid.MAX).data())).isEqualTo("x1");
        }
    }

    @Test
    void aClosedStorageRefusesWork() {
        PostgresStorage storage = open(pg.createDatabase());
        storage.close();

        assertThatThrownBy(() -> storage.loadBefore(X, Tid.MAX)).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> storage.begin(TransactionMetadata.empty())).isInstanceOf(StorageException.class);
    }

    @Test
    void aReaderInAnotherServerThatSeesATidSeesAllOfThatTransaction() throws Exception {
        String db = pg.createDatabase();
        int writers = 3;
        int commitsEach = 30;
        try (PostgresStorage writer = open(db); PostgresStorage reader = open(db)) {
            reader.setCommitListener((txn, tid, oids) -> { });
            ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            try {
                List<Future<?>> writes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    Oid x = Oid.of(100 + 2L * w);
                    Oid y = Oid.of(101 + 2L * w);
                    writes.add(pool.submit(() -> {
                        Tid serial = Tid.ZERO;
                        for (int i = 0; i < commitsEach; i++) {
                            StorageTransaction txn = writer.begin(TransactionMetadata.empty());
                            txn.store(x, serial, TestRecords.record("v" + i));
                            txn.store(y, serial, TestRecords.record("v" + i));
                            txn.vote();
                            serial = txn.finish();
                        }
                        return null;
                    }));
                }
                Future<Integer> reads = pool.submit(() -> {
                    int checks = 0;
                    Tid previous = Tid.ZERO;
                    while (writing.get() || checks == 0) {
                        Tid seen = reader.lastTransaction();
                        assertThat(seen).as("lastTransaction never goes back").isGreaterThanOrEqualTo(previous);
                        previous = seen;
                        for (int w = 0; w < writers; w++) {
                            Tid x = startAsOf(reader, Oid.of(100 + 2L * w), seen);
                            Tid y = startAsOf(reader, Oid.of(101 + 2L * w), seen);
                            assertThat(y).as("x and y of writer %d are written together; as of %s", w, seen)
                                    .isEqualTo(x);
                            checks++;
                        }
                    }
                    return checks;
                });
                for (Future<?> write : writes) {
                    write.get(120, TimeUnit.SECONDS);
                }
                writing.set(false);
                assertThat(reads.get(60, TimeUnit.SECONDS)).as("consistency checks made").isPositive();
            } finally {
                writing.set(false);
                pool.shutdownNow();
            }
        }
    }

    /** The start of the revision a snapshot at {@code seen} reads, null when the object does not exist in it. */
    private static Tid startAsOf(PostgresStorage s, Oid oid, Tid seen) {
        try {
            var r = s.loadBefore(oid, seen.next());
            return r == null ? null : r.start();
        } catch (org.jzeo.api.POSKeyException e) {
            return null;
        }
    }

    @Test
    void aVoteAllowingConflictsReturnsThemKeepsTheLocksAndTakesTheResolvedStore() {
        String db = pg.createDatabase();
        try (PostgresStorage a = open(db); PostgresStorage b = open(db)) {
            Tid x1 = store(a, X, Tid.ZERO, "x1");
            Tid x2 = store(a, X, x1, "x2");

            StorageTransaction resolving = a.begin(TransactionMetadata.empty());
            resolving.store(X, x1, TestRecords.record("based on x1"));
            StorageTransaction.Vote vote = resolving.voteAllowingConflicts();
            assertThat(vote.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.oid()).isEqualTo(X);
                assertThat(c.committedSerial()).isEqualTo(x2);
                assertThat(c.readSerial()).isEqualTo(x1);
            });

            StorageTransaction other = b.begin(TransactionMetadata.empty());
            other.store(X, x2, TestRecords.record("from B meanwhile"));
            assertThatThrownBy(other::vote).as("the resolving transaction still holds X")
                    .isInstanceOf(ConflictException.class);

            resolving.store(X, x2, TestRecords.record("resolved"));
            assertThat(resolving.voteAllowingConflicts().conflicts()).isEmpty();
            Tid x3 = resolving.finish();

            assertThat(x3).isGreaterThan(x2);
            assertThat(TestRecords.payload(a.loadBefore(X, Tid.MAX).data())).isEqualTo("resolved");
        }
    }

    @Test
    void transactionsHoldingEveryCommitConnectionDoNotStarveLoads() {
        String db = pg.createDatabase();
        PostgresOptions options = PgTestStorages.options(pg, db, LOCK_WAIT, POLL).withPoolSize(2);
        try (PostgresStorage s = PostgresStorage.open(options, TestRecords.finder())) {
            store(s, X, Tid.ZERO, "x");
            Oid a = s.newOids(1).get(0);
            Oid b = s.newOids(1).get(0);
            List<StorageTransaction> voted = new ArrayList<>();
            try {
                for (Oid oid : List.of(a, b)) {
                    StorageTransaction txn = s.begin(TransactionMetadata.empty());
                    txn.store(oid, Tid.ZERO, TestRecords.record("voted"));
                    txn.vote();
                    voted.add(txn);
                }
                // Both commit connections are held by voted transactions: loads still have their own pool.
                for (int i = 0; i < 5; i++) {
                    assertThat(s.loadBefore(X, Tid.MAX)).isNotNull();
                }
            } finally {
                voted.forEach(StorageTransaction::abort);
            }
        }
    }
}
