package org.jzeo.server.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.StorageContractTest;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/** The storage contract for the in-memory storage, plus what only it promises. */
class MemoryStorageTest extends StorageContractTest {

    @Override
    protected Storage createStorage(Path dir) {
        return new MemoryStorage("1", referenceFinder(), lockWait(), InstantSource.system());
    }

    @Test
    void itIsNamedWritableAndUndoable() {
        assertThat(storage.name()).isEqualTo("1");
        assertThat(storage.isReadOnly()).isFalse();
        assertThat(storage.supportsUndo()).isTrue();
    }

    @Test
    void aReadOnlyStorageRefusesTransactionsNewOidsAndPack() {
        MemoryStorage readOnly = new MemoryStorage("ro", TestRecords.finder(), lockWait(), InstantSource.system(),
                true);

        assertThat(readOnly.isReadOnly()).isTrue();
        assertThatThrownBy(() -> readOnly.begin(TransactionMetadata.empty()))
                .as("even an empty transaction would commit a tid").isInstanceOf(ReadOnlyException.class);
        assertThatThrownBy(() -> readOnly.newOids(1)).isInstanceOf(ReadOnlyException.class);
        assertThatThrownBy(() -> readOnly.pack(Tid.MAX, true)).isInstanceOf(ReadOnlyException.class);
        assertThat(readOnly.lastTransaction()).isEqualTo(Tid.ZERO);
    }

    @Test
    void aClosedStorageRefusesWork() {
        Tid t1 = store(A, Tid.ZERO, "a1");
        storage.close();

        assertThatThrownBy(() -> storage.loadBefore(A, Tid.MAX)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> storage.begin(TransactionMetadata.empty())).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> storage.pack(t1, false)).isInstanceOf(StorageException.class);
    }

    @Test
    void defaultStorageCollectsGarbageWithTheRecordScanner() {
        storage = new MemoryStorage("1");
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Tid.ZERO, data("root", A));
            txn.store(A, Tid.ZERO, data("a1"));
            txn.store(B, Tid.ZERO, data("unreachable"));
        });
        storage.pack(t1, true);
        assertThat(currentText(A)).isEqualTo("a1");
        assertThat(exists(B)).as("unreachable object collected").isFalse();
    }

    @Test
    void withoutAReferenceFinderGcPackFailsSafelyButPlainPackWorks() {
        storage = new MemoryStorage("1", org.jzeo.server.storage.ReferenceFinder.unavailable(),
                java.time.Duration.ofSeconds(10), java.time.InstantSource.system());
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Tid.ZERO, data("root", A));
            txn.store(A, Tid.ZERO, data("a1"));
        });
        Tid t2 = store(A, t1, "a2");

        assertThatThrownBy(() -> storage.pack(t2, true)).isInstanceOf(StorageException.class);
        assertThat(text(storage.loadSerial(A, t1))).as("the failed gc pack dropped nothing").isEqualTo("a1");

        storage.pack(t2, false);
        assertThatThrownBy(() -> storage.loadSerial(A, t1)).isInstanceOf(POSKeyException.class);
        assertThat(currentText(A)).isEqualTo("a2");
    }

    @Test
    void packKeepsObjectsThatCommitsAfterThePackTimeReferToAgain() {
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Tid.ZERO, data("root", A));
            txn.store(A, Tid.ZERO, data("a1"));
        });
        Tid t2 = store(Oid.ROOT, t1, "root without A");
        store(Oid.ROOT, t2, "root with A again", A); // written in full, no back pointer

        storage.pack(t2, true);

        assertThat(currentText(A)).as("A is referenced by the current root, so it must survive").isEqualTo("a1");
    }

    @Test
    void aReaderThatSeesATidSeesAllOfThatTransaction() throws Exception {
        int writers = 3;
        int commitsEach = 150;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Oid x = Oid.of(100 + 2L * w);
                Oid y = Oid.of(101 + 2L * w);
                writes.add(pool.submit(() -> {
                    Tid serial = Tid.ZERO;
                    for (int i = 0; i < commitsEach; i++) {
                        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
                        txn.store(x, serial, data("v" + i));
                        txn.store(y, serial, data("v" + i));
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
                    Tid seen = storage.lastTransaction();
                    assertThat(seen).as("lastTransaction never goes back").isGreaterThanOrEqualTo(previous);
                    previous = seen;
                    for (int w = 0; w < writers; w++) {
                        LoadResult x = loadAsOf(Oid.of(100 + 2L * w), seen);
                        LoadResult y = loadAsOf(Oid.of(101 + 2L * w), seen);
                        assertThat(y == null ? null : y.start())
                                .as("x and y of writer %d are written together; as of %s", w, seen)
                                .isEqualTo(x == null ? null : x.start());
                        checks++;
                    }
                }
                return checks;
            });
            for (Future<?> write : writes) {
                write.get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            assertThat(reads.get(60, TimeUnit.SECONDS)).as("consistency checks made").isPositive();
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
        assertThat(storage.lastInvalidations(Integer.MAX_VALUE)).hasSize(writers * commitsEach);
    }

    /** The revision a snapshot at {@code seen} reads, null when the object does not exist in it. */
    private LoadResult loadAsOf(Oid oid, Tid seen) {
        try {
            return storage.loadBefore(oid, seen.next());
        } catch (POSKeyException e) {
            return null;
        }
    }
}
