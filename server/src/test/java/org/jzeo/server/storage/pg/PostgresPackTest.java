package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.Await;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.storage.pg.PgTestStorages.Recorder;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/** Pack in the database while other servers go on committing, and the references pack must honour. */
class PostgresPackTest {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);

    private final PostgresTestServer pg = PostgresTestServer.shared();

    private static Tid commit(PostgresStorage s, java.util.function.Consumer<StorageTransaction> ops) {
        StorageTransaction txn = s.begin(TransactionMetadata.empty());
        ops.accept(txn);
        txn.vote();
        return txn.finish();
    }

    @Test
    void packKeepsObjectsThatCommitsAfterThePackTimeReferToAgain() {
        Oid a = Oid.of(1);
        try (PostgresStorage s = PgTestStorages.open(pg, pg.createDatabase(), LOCK_WAIT, POLL)) {
            Tid t1 = commit(s, txn -> {
                txn.store(Oid.ROOT, Tid.ZERO, TestRecords.record("root", a));
                txn.store(a, Tid.ZERO, TestRecords.record("a1"));
            });
            Tid t2 = commit(s, txn -> txn.store(Oid.ROOT, t1, TestRecords.record("root without A")));
            commit(s, txn -> txn.store(Oid.ROOT, t2, TestRecords.record("root with A again", a)));

            s.pack(t2, true);

            assertThat(TestRecords.payload(s.loadBefore(a, Tid.MAX).data()))
                    .as("A is referenced by the current root, so it must survive").isEqualTo("a1");
        }
    }

    @Test
    void packWithGcInOneServerWhileAnotherCommitsKeepsEveryReachableObjectAndEveryNewCommit() throws Exception {
        String db = pg.createDatabase();
        int objects = 30;
        try (PostgresStorage packer = PgTestStorages.open(pg, db, LOCK_WAIT, POLL);
             PostgresStorage writer = PgTestStorages.open(pg, db, LOCK_WAIT, POLL)) {
            Recorder heard = new Recorder();
            packer.setCommitListener(heard);
            writer.setCommitListener((txn, tid, oids) -> { });
            Oid[] live = new Oid[objects];
            Oid[] garbage = new Oid[objects];
            for (int i = 0; i < objects; i++) {
                live[i] = Oid.of(100 + i);
                garbage[i] = Oid.of(1000 + i);
            }
            Tid[] serials = new Tid[objects];
            Tid created = commit(writer, txn -> {
                txn.store(Oid.ROOT, Tid.ZERO, TestRecords.record("root", live));
                for (int i = 0; i < objects; i++) {
                    txn.store(live[i], Tid.ZERO, TestRecords.record("live " + i + " v0"));
                    txn.store(garbage[i], Tid.ZERO, TestRecords.record("garbage " + i));
                }
            });
            java.util.Arrays.fill(serials, created);
            for (int round = 1; round <= 3; round++) {
                int r = round;
                Tid t = commit(writer, txn -> {
                    for (int i = 0; i < objects; i++) {
                        txn.store(live[i], serials[i], TestRecords.record("live " + i + " v" + r));
                    }
                });
                java.util.Arrays.fill(serials, t);
            }
            Tid packTime = serials[0];
            Await.until("the packer to see the pack time", () -> heard.heardTid(packTime));

            AtomicBoolean packing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            List<Tid> writtenDuringPack = new ArrayList<>();
            Future<?> writes = pool.submit(() -> {
                int n = 0;
                while (packing.get() || n < 3) {
                    int i = n % objects;
                    Tid t = commit(writer, txn -> txn.store(live[i], serials[i],
                            TestRecords.record("live " + i + " during pack")));
                    serials[i] = t;
                    writtenDuringPack.add(t);
                    n++;
                }
                return null;
            });
            try {
                packer.pack(packTime, true);
            } finally {
                packing.set(false);
            }
            writes.get(60, TimeUnit.SECONDS);
            pool.shutdownNow();
            Tid last = writtenDuringPack.get(writtenDuringPack.size() - 1);
            Await.until("the packer to hear the last commit", () -> heard.heardTid(last));

            for (int i = 0; i < objects; i++) {
                assertThat(packer.loadBefore(live[i], Tid.MAX).start()).as("live %d is current", i)
                        .isEqualTo(serials[i]);
                assertThat(packer.loadBefore(live[i], packTime.next()).start())
                        .as("live %d keeps its revision at the pack time", i).isEqualTo(packTime);
                assertThat(packer.loadBefore(live[i], packTime)).as("history before the pack time is gone")
                        .isNull();
                Oid g = garbage[i];
                assertThatThrownBy(() -> packer.loadBefore(g, Tid.MAX)).isInstanceOf(POSKeyException.class);
            }
            List<Tid> tids = new ArrayList<>();
            try (StorageIterator it = packer.iterator(packTime.next(), null)) {
                it.forEachRemaining(t -> tids.add(t.tid()));
            }
            assertThat(tids).as("every commit made during the pack is there").containsExactlyElementsOf(
                    writtenDuringPack);
            assertThat(packer.length()).as("the root and the live objects").isEqualTo(objects + 1);
        }
    }
}
