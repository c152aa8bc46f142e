package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.Await;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.storage.pg.PgTestStorages.Recorder;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL crashes and comes back under two running storages: while it is down they fail with a retryable error
 * naming the database; once it is back they work again without being reopened, and the commit stream delivers
 * what the other storage committed meanwhile, in order. Nothing whose finish returned is lost.
 */
class PostgresRestartTest {
    private static final Oid X = Oid.of(1);
    private static final Oid Y = Oid.of(2);

    private static Tid store(PostgresStorage s, Oid oid, Tid serial, String payload) {
        StorageTransaction txn = s.begin(TransactionMetadata.empty());
        txn.store(oid, serial, TestRecords.record(payload));
        txn.vote();
        return txn.finish();
    }

    @Test
    void storagesFailWhilePostgresIsDownAndCarryOnWithoutReopeningWhenItIsBack() {
        try (PostgresTestServer pg = PostgresTestServer.start()) {
            String database = pg.createDatabase();
            String url = pg.jdbcUrl(database);
            Recorder ra = new Recorder();
            Recorder rb = new Recorder();
            // A polls rarely: after the restart only its reconnecting stream can bring B's commit to it.
            try (PostgresStorage a = PgTestStorages.open(pg, database, Duration.ofSeconds(1), Duration.ofSeconds(5));
                 PostgresStorage b = PgTestStorages.open(pg, database, Duration.ofSeconds(1),
                         Duration.ofMillis(500))) {
                a.setCommitListener(ra);
                b.setCommitListener(rb);
                Tid t1 = store(a, X, Tid.ZERO, "x1");
                Await.until("B to hear t1", () -> rb.heardTid(t1));

                pg.stopImmediately();

                assertThatThrownBy(() -> a.loadBefore(X, Tid.MAX)).isInstanceOfSatisfying(StorageException.class,
                        e -> {
                            assertThat(e.getMessage()).contains(url).doesNotContain("\n");
                            assertThat(e.isRetryable()).as("the database may come back").isTrue();
                        });
                assertThatThrownBy(() -> store(a, Y, Tid.ZERO, "lost")).isInstanceOf(StorageException.class)
                        .hasMessageContaining(url);

                Await.until("both commit streams to notice the outage", () -> !a.stream().isListening()
                        && !b.stream().isListening());
                pg.restart();

                // A's stream retries with a backoff of up to its poll interval: most likely it is still waiting to
                // reconnect now. Either way, B's commit must reach A by the catch-up after reconnecting or by NOTIFY.
                boolean aWasListening = a.stream().isListening();
                Tid t2 = store(b, Y, Tid.ZERO, "y1 while A reconnects");
                assertThat(rb.tids()).containsExactly(t1, t2);
                Await.until("A's stream to reconnect and deliver B's commit (A listening at that commit: "
                        + aWasListening + ")", () -> ra.heardTid(t2),
                        Duration.ofSeconds(20));
                assertThat(TestRecords.payload(a.loadBefore(Y, Tid.MAX).data())).isEqualTo("y1 while A reconnects");

                Tid t3 = store(a, X, t1, "x2 after the restart");
                Await.until("B to hear t3", () -> rb.heardTid(t3));
                assertThat(ra.tids()).as("A heard every commit once, in order").containsExactly(t1, t2, t3);
                assertThat(rb.tids()).containsExactly(t1, t2, t3);

                List<Tid> stored = new ArrayList<>();
                try (StorageIterator it = b.iterator(null, null)) {
                    it.forEachRemaining(t -> stored.add(t.tid()));
                }
                assertThat(stored).as("every transaction whose finish returned is in the database")
                        .containsExactly(t1, t2, t3);
            }
        }
    }
}
