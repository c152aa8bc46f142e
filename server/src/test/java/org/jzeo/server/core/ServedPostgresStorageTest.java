package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Properties;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.Await;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.storage.pg.PostgresOptions;
import org.jzeo.server.storage.pg.PostgresStorage;
import org.jzeo.server.storage.pg.PostgresTestServer;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/**
 * Two servers' ServedStorages over one PostgreSQL database: a commit made through one server is announced by the
 * other (its invalidation queue has it, in order) although that server never saw the transaction, including a
 * commit made while the other server was still starting.
 */
class ServedPostgresStorageTest {
    private static final Oid X = Oid.of(1);
    private static final Oid Y = Oid.of(2);

    private static PostgresStorage open(PostgresTestServer pg, String db) {
        Properties props = new Properties();
        props.setProperty("user", PostgresTestServer.USER);
        return PostgresStorage.open(PostgresOptions.of(pg.jdbcUrl(db), props).withPoolSize(3)
                .withPollInterval(Duration.ofMinutes(5)), TestRecords.finder());
    }

    private static ServedStorage serve(PostgresStorage storage) {
        return new ServedStorage("1", storage, false, false, null, 100, null, InstantSource.system());
    }

    private static Tid store(PostgresStorage s, Oid oid, Tid serial, String payload) {
        StorageTransaction txn = s.begin(TransactionMetadata.empty());
        txn.store(oid, serial, TestRecords.record(payload));
        txn.vote();
        return txn.finish();
    }

    @Test
    void aCommitThroughOneServerIsAnnouncedByTheOther() {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        try (PostgresStorage a = open(pg, db); PostgresStorage b = open(pg, db)) {
            ServedStorage servedA = serve(a);
            Tid t1 = store(a, X, Tid.ZERO, "x1");
            // Server B is still starting: its storage is open, its ServedStorage not yet made.
            ServedStorage servedB = serve(b);
            Tid t2 = store(a, Y, Tid.ZERO, "y1");

            Await.until("server B to announce t2", () -> t2.equals(servedB.announcedTid()));
            InvalidationQueue queue = servedB.invalidations();
            assertThat(queue.size()).as("t1, made while B started, and t2").isEqualTo(2);
            Invalidation sinceT1 = queue.getInvalidations(t1);
            assertThat(sinceT1.tid()).isEqualTo(t2);
            assertThat(sinceT1.oids()).containsExactly(Y);
            assertThat(servedA.announcedTid()).isEqualTo(t2);
        }
    }
}
