package org.jzeo.server.storage;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.api.UndoException;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;
import org.jzeo.storage.UndoEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every storage engine shows (the {@link Storage} contract, with the read, undo and pack semantics
 * of filestorage-format spec §7-§9 and the commit rules of zeo-protocol spec §8), written once. An engine's test
 * extends this class and says how to create its storage; a durable engine also overrides {@link #reopen} to close
 * and reopen it, which every test marked "reopen" then uses to prove that what it checks survived.
 *
 * <p>Object records are in jzeo's record format ({@link TestRecords}), so pack's garbage collection can follow
 * references; an engine passes {@link #referenceFinder()} and {@link #lockWait()} to its storage.
 */
public abstract class StorageContractTest {
    protected static final Oid A = Oid.of(1);
    protected static final Oid B = Oid.of(2);
    protected static final Oid C = Oid.of(3);
    private static final Tid Z = Tid.ZERO;

    @TempDir
    protected Path dir;
    protected Storage storage;

    /** A new, empty, writable storage kept in {@code dir}, using {@link #lockWait()} and {@link #referenceFinder()}. */
    protected abstract Storage createStorage(Path dir);

    /** The storage as it is after closing and opening it again; engines without durability return it as is. */
    protected Storage reopen(Storage old, Path dir) {
        return old;
    }

    /** How long a vote waits for another transaction's object lock: short, so lock tests are quick. */
    protected Duration lockWait() {
        return Duration.ofMillis(500);
    }

    /** Finds references in {@link TestRecords} records, for pack's garbage collection. */
    protected ReferenceFinder referenceFinder() {
        return TestRecords.finder();
    }

    @BeforeEach
    void createTheStorage() {
        storage = createStorage(dir);
    }

    @AfterEach
    void closeTheStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    // ------------------------------------------------------------------------------------------- empty storage

    @Test
    void anEmptyStorageHasNoTransactionsAndNoObjects() {
        assertThat(storage.lastTransaction()).as("last tid of an empty storage").isEqualTo(Tid.ZERO);
        assertThatThrownBy(() -> storage.loadBefore(Oid.ROOT, Tid.MAX)).isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.getTid(Oid.ROOT)).isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.history(Oid.ROOT, 1)).isInstanceOf(POSKeyException.class);
        assertThat(storage.length()).as("objects in an empty storage").isZero();
        assertThat(transactions(null, null)).as("transactions of an empty storage").isEmpty();
        assertThat(storage.recordIterNext(null)).as("first current record of an empty storage").isNull();
        assertThat(storage.undoLog(0, 20)).isEmpty();
        assertThat(storage.lastInvalidations(10)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- reads

    @Test
    void loadBeforeGivesTheNewestRevisionBeforeTheTidWithItsValidityRange() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");
        reopen();

        LoadResult current = storage.loadBefore(A, Tid.MAX);
        assertThat(text(current.data())).isEqualTo("a2");
        assertThat(current.start()).as("start of the current revision").isEqualTo(t2);
        assertThat(current.end()).as("end of the current revision").isNull();
        assertThat(current.isCurrent()).isTrue();

        LoadResult old = storage.loadBefore(A, t2);
        assertThat(text(old.data())).as("revision valid just before t2").isEqualTo("a1");
        assertThat(old.start()).isEqualTo(t1);
        assertThat(old.end()).as("a non-current revision ends where the next begins").isEqualTo(t2);

        LoadResult justAfter = storage.loadBefore(A, t2.next());
        assertThat(text(justAfter.data())).isEqualTo("a2");
        assertThat(justAfter.end()).isNull();

        assertThat(storage.loadBefore(A, t1)).as("A has no revision before the one that created it").isNull();
    }

    @Test
    void loadBeforeIsNullForAnObjectCreatedLaterAndPOSKeyErrorForAnUnknownOne() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(B, Z, "b1");
        reopen();

        assertThat(storage.loadBefore(B, t2)).as("B did not exist before t2").isNull();
        assertThat(storage.loadBefore(B, t1)).as("B did not exist before t1").isNull();
        assertThatThrownBy(() -> storage.loadBefore(C, Tid.MAX))
                .isInstanceOfSatisfying(POSKeyException.class, e -> assertThat(e.oid()).isEqualTo(C));
    }

    @Test
    void loadSerialGivesExactlyTheRevisionAsked() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");
        reopen();

        assertThat(text(storage.loadSerial(A, t1))).isEqualTo("a1");
        assertThat(text(storage.loadSerial(A, t2))).isEqualTo("a2");
        assertThatThrownBy(() -> storage.loadSerial(A, t2.next()))
                .as("A has no revision at a tid that did not write it").isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.loadSerial(C, t1)).isInstanceOf(POSKeyException.class);
    }

    @Test
    void getTidIsTheCurrentRevisionsTid() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");
        store(B, Z, "b1");
        reopen();

        assertThat(storage.getTid(A)).isEqualTo(t2);
        assertThatThrownBy(() -> storage.getTid(C)).isInstanceOf(POSKeyException.class);
    }

    @Test
    void historyListsRevisionsNewestFirstWithTheirTransactionsMetadata() {
        Tid t1 = commit(TransactionMetadata.of("alice", "create A", Map.of("k", "v")),
                txn -> txn.store(A, Z, data("a1")));
        Tid t2 = commit(TransactionMetadata.of("bob", "update A", Map.of()), txn -> txn.store(A, t1, data("a22")));
        reopen();

        List<HistoryEntry> history = storage.history(A, 10);
        assertThat(history).extracting(HistoryEntry::tid).as("newest first").containsExactly(t2, t1);

        HistoryEntry newest = history.get(0);
        assertThat(new String(newest.user(), UTF_8)).isEqualTo("bob");
        assertThat(new String(newest.description(), UTF_8)).isEqualTo("update A");
        assertThat(newest.size()).as("data length of the t2 revision").isEqualTo(data("a22").length);
        assertThat(newest.extension()).isEmpty();

        HistoryEntry oldest = history.get(1);
        assertThat(new String(oldest.user(), UTF_8)).isEqualTo("alice");
        assertThat(new String(oldest.description(), UTF_8)).isEqualTo("create A");
        assertThat(oldest.size()).isEqualTo(data("a1").length);
        assertThat(oldest.extension()).as("the transaction's extension").isEqualTo(Map.of("k", "v"));
        assertThat(oldest.time()).as("commit time, from the tid").isCloseTo(t1.toEpochSeconds(), within(1e-3));

        assertThat(storage.history(A, 1)).extracting(HistoryEntry::tid).as("limited to one entry")
                .containsExactly(t2);
        assertThatThrownBy(() -> storage.history(C, 1)).isInstanceOf(POSKeyException.class);
    }

    // ------------------------------------------------------------------------------------------- new oids

    @Test
    void newOidsStrictlyIncreaseAndAreNeverTheRoot() {
        List<Oid> oids = new ArrayList<>(storage.newOids(5));
        oids.addAll(storage.newOids(3));

        assertThat(oids).hasSize(8).doesNotContain(Oid.ROOT);
        for (int i = 1; i < oids.size(); i++) {
            assertThat(oids.get(i)).as("oid %d follows oid %d", i, i - 1).isGreaterThan(oids.get(i - 1));
        }
    }

    @Test
    void newOidsStayAboveEveryStoredOid() {
        Oid far = Oid.of(1000);
        store(far, Z, "far away");
        reopen();

        assertThat(storage.newOids(3)).allSatisfy(oid -> assertThat(oid).isGreaterThan(far));
    }

    // ------------------------------------------------------------------------------------------- commit rules

    @Test
    void tidsStrictlyIncreaseAndLastTransactionIsTheNewest() {
        List<Tid> tids = new ArrayList<>();
        Tid serial = Z;
        for (int i = 0; i < 5; i++) {
            serial = store(A, serial, "a" + i);
            tids.add(serial);
            assertThat(storage.lastTransaction()).as("last transaction after commit %d", i).isEqualTo(serial);
        }
        reopen();

        for (int i = 1; i < tids.size(); i++) {
            assertThat(tids.get(i)).as("tid %d follows tid %d", i, i - 1).isGreaterThan(tids.get(i - 1));
        }
        assertThat(storage.lastTransaction()).isEqualTo(tids.get(4));
    }

    @Test
    void storingWithAStaleSerialIsAConflictNamingBothSerials() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");

        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        txn.store(A, t1, data("stale"));
        assertThatThrownBy(txn::vote).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e).isNotInstanceOf(ReadConflictException.class);
            assertThat(e.oid()).isEqualTo(A);
            assertThat(e.committedSerial()).as("the serial committed now").isEqualTo(t2);
            assertThat(e.readSerial()).as("the serial the transaction read").isEqualTo(t1);
            assertThat(e.isRetryable()).isTrue();
        });
        assertThat(storage.lastTransaction()).as("a failed vote commits nothing").isEqualTo(t2);
        assertThat(currentText(A)).isEqualTo("a2");

        assertThatThrownBy(() -> store(A, Z, "as if new"))
                .as("storing an existing object as new is a conflict too").isInstanceOf(ConflictException.class);
        assertThat(store(A, t2, "a3")).as("the failed votes released A's lock").isGreaterThan(t2);
    }

    @Test
    void aNewObjectMayBeStoredWithAnySerial() {
        Tid t1 = store(B, Tid.of(12345), "b1");

        assertThat(currentText(B)).isEqualTo("b1");
        assertThat(storage.getTid(B)).isEqualTo(t1);
    }

    @Test
    void storingTheSameObjectTwiceInATransactionKeepsTheLastStore() {
        Tid t1 = commit(txn -> {
            txn.store(A, Z, data("first"));
            txn.store(A, Z, data("second"));
        });
        reopen();

        assertThat(currentText(A)).isEqualTo("second");
        assertThat(transactions(t1, t1).get(0).records()).extracting(DataRecord::oid).as("one record for A")
                .containsExactly(A);
    }

    @Test
    void aReadCurrentCheckThatHoldsWritesNothing() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = commit(txn -> {
            txn.checkCurrentSerial(A, t1);
            txn.store(B, Z, data("b1"));
        });
        reopen();

        assertThat(storage.getTid(A)).as("A is untouched by a read-current check").isEqualTo(t1);
        assertThat(transactions(t2, t2).get(0).records()).extracting(DataRecord::oid).containsExactly(B);
    }

    @Test
    void aReadCurrentCheckOfAChangedObjectIsAReadConflict() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");

        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        txn.checkCurrentSerial(A, t1);
        txn.store(B, Z, data("b1"));
        assertThatThrownBy(txn::vote).isInstanceOfSatisfying(ReadConflictException.class, e -> {
            assertThat(e.oid()).isEqualTo(A);
            assertThat(e.committedSerial()).isEqualTo(t2);
            assertThat(e.readSerial()).isEqualTo(t1);
        });
        assertThatThrownBy(() -> storage.loadBefore(B, Tid.MAX)).as("B was not stored")
                .isInstanceOf(POSKeyException.class);
    }

    @Test
    void deletingAnObjectMakesItUnloadableButKeepsItsPast() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = commit(txn -> txn.delete(A, t1));
        reopen();

        assertThatThrownBy(() -> storage.loadBefore(A, Tid.MAX)).isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.getTid(A)).isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.loadSerial(A, t2)).as("the deletion record has no data")
                .isInstanceOf(POSKeyException.class);
        LoadResult before = storage.loadBefore(A, t2);
        assertThat(text(before.data())).as("A before its deletion").isEqualTo("a1");
        assertThat(before.end()).as("the deletion ends the last revision").isEqualTo(t2);
        assertThat(storage.history(A, 5)).extracting(HistoryEntry::tid, HistoryEntry::size)
                .containsExactly(tuple(t2, 0L),
                        tuple(t1, (long) data("a1").length));
    }

    @Test
    void aDeletedObjectStaysAtItsDeletionSerial() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = commit(txn -> txn.delete(A, t1));

        assertThatThrownBy(() -> store(A, Z, "as if new"))
                .as("the deletion record is the committed revision").isInstanceOf(ConflictException.class);
        store(A, t2, "reborn");
        assertThat(currentText(A)).isEqualTo("reborn");
    }

    @Test
    void deletingWithAStaleSerialIsAConflictAndDeletingAnUnknownObjectIsPOSKeyError() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");

        assertThatThrownBy(() -> commit(txn -> txn.delete(A, t1)))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.committedSerial()).isEqualTo(t2);
                    assertThat(e.readSerial()).isEqualTo(t1);
                });
        assertThatThrownBy(() -> commit(txn -> txn.delete(C, t1)))
                .isInstanceOfSatisfying(POSKeyException.class, e -> assertThat(e.oid()).isEqualTo(C));
        assertThat(currentText(A)).isEqualTo("a2");
    }

    @Test
    void restoreCommitsWithTheExplicitTidAndStatus() {
        Tid before = store(B, Z, "b1");
        Tid explicit = Tid.of(before.value() + 1000);
        Tid committed = commit(restoring(explicit, 'p'), txn -> txn.restore(A, explicit, data("copied"), null));
        assertThat(committed).as("the tid given at begin").isEqualTo(explicit);
        Tid after = store(C, Z, "c1");
        reopen();

        assertThat(storage.getTid(A)).isEqualTo(explicit);
        assertThat(currentText(A)).isEqualTo("copied");
        assertThat(transactions(null, null)).extracting(TransactionRecord::tid, TransactionRecord::status)
                .as("the status given at begin").containsExactly(tuple(before, ' '), tuple(explicit, 'p'),
                        tuple(after, ' '));
        assertThat(undoTids(0, 20)).as("the undo log stops at a packed transaction").containsExactly(after);
        assertThatThrownBy(() -> undo(explicit)).as("a packed transaction cannot be undone")
                .isInstanceOf(UndoException.class);
    }

    @Test
    void restoreWithoutDataRepeatsTheRecordOfTheGivenTransaction() {
        Tid t1 = Tid.fromFields(2001, 2, 3, 4, 5, 6.0);
        Tid t2 = Tid.fromFields(2001, 2, 3, 4, 6, 0.0);
        commit(restoring(t1, ' '), txn -> txn.restore(A, t1, data("a1"), null));
        commit(restoring(t2, ' '), txn -> {
            txn.restore(A, t2, null, t1);
            txn.restore(B, t2, null, null);
        });
        reopen();

        assertThat(text(storage.loadSerial(A, t2))).as("A at t2 repeats A at t1").isEqualTo("a1");
        List<DataRecord> records = transactions(t2, t2).get(0).records();
        assertThat(records).extracting(DataRecord::oid).containsExactly(A, B);
        assertThat(text(records.get(0).data())).isEqualTo("a1");
        assertThat(records.get(0).dataTxn()).as("A's record points back to t1").isEqualTo(t1);
        assertThat(records.get(1).data()).as("B was restored without data").isNull();
        assertThatThrownBy(() -> storage.loadBefore(B, Tid.MAX)).isInstanceOf(POSKeyException.class);
    }

    @Test
    void anExplicitTidThatDoesNotIncreaseIsRefused() {
        Tid t1 = store(A, Z, "a1");

        for (Tid explicit : List.of(t1, Tid.of(t1.value() - 1))) {
            StorageTransaction txn = storage.begin(restoring(explicit, ' '));
            txn.restore(B, explicit, data("b"), null);
            assertThatThrownBy(() -> {
                txn.vote();
                txn.finish();
            }).as("explicit tid %s after last tid %s", explicit, t1).isInstanceOf(StorageTransactionException.class);
        }
        assertThat(storage.lastTransaction()).isEqualTo(t1);
        assertThatThrownBy(() -> storage.loadBefore(B, Tid.MAX)).isInstanceOf(POSKeyException.class);
    }

    @Test
    void anAbortedTransactionLeavesNothingVisibleAndNothingLocked() {
        Tid t1 = store(A, Z, "a1");

        StorageTransaction voted = storage.begin(TransactionMetadata.empty());
        voted.store(A, t1, data("aborted after vote"));
        voted.store(B, Z, data("b"));
        voted.vote();
        voted.abort();
        StorageTransaction open = storage.begin(TransactionMetadata.empty());
        open.store(A, t1, data("aborted before vote"));
        open.abort();
        reopen();

        assertThat(storage.lastTransaction()).isEqualTo(t1);
        assertThat(currentText(A)).isEqualTo("a1");
        assertThatThrownBy(() -> storage.loadBefore(B, Tid.MAX)).isInstanceOf(POSKeyException.class);
        assertThat(transactions(null, null)).hasSize(1);
        assertThat(store(A, t1, "a2")).as("A is not locked by the aborted transaction").isGreaterThan(t1);
    }

    @Test
    void votedButUnfinishedDataIsInvisibleToReaders() throws Exception {
        Tid t1 = store(A, Z, "a1");
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        txn.store(A, t1, data("a2"));
        txn.store(B, Z, data("b1"));
        txn.vote();

        Background<List<Object>> reader = new Background<>("reader", () -> List.of(storage.lastTransaction(),
                currentText(A), exists(B), transactions(null, null).size()));
        assertThat(reader.result()).as("what another thread sees between vote and finish: last tid, A, B exists, "
                + "transaction count").containsExactly(t1, "a1", false, 1);

        Tid t2 = txn.finish();
        assertThat(storage.lastTransaction()).isEqualTo(t2);
        assertThat(currentText(A)).isEqualTo("a2");
        assertThat(currentText(B)).isEqualTo("b1");
    }

    // ------------------------------------------------------------------------------------------- object locks

    @Test
    void transactionsOnDisjointObjectsDoNotWaitForEachOther() {
        Tid a0 = store(A, Z, "a0");
        Tid b0 = store(B, Z, "b0");
        StorageTransaction first = storage.begin(TransactionMetadata.empty());
        first.store(A, a0, data("a1"));
        first.vote();

        StorageTransaction second = storage.begin(TransactionMetadata.empty());
        second.store(B, b0, data("b1"));
        long started = System.nanoTime();
        second.vote(); // would fail with a conflict after the lock wait if B shared A's lock
        Tid secondTid = second.finish();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("vote and finish without waiting for A's lock")
                .isLessThan(lockWait());
        Tid firstTid = first.finish();

        assertThat(secondTid).as("the second transaction finished first, so its tid is lower")
                .isLessThan(firstTid);
        assertThat(currentText(A)).isEqualTo("a1");
        assertThat(currentText(B)).isEqualTo("b1");
    }

    @Test
    void aVoteOnAnObjectLockedByAnotherVoteFailsWithAConflictAfterTheLockWait() throws Exception {
        Tid a0 = store(A, Z, "a0");
        StorageTransaction holder = storage.begin(TransactionMetadata.empty());
        holder.store(A, a0, data("held"));
        holder.vote();

        long started = System.nanoTime();
        Background<List<Oid>> waiter = new Background<>("waiting voter", () -> {
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            txn.store(A, a0, data("blocked"));
            return txn.vote();
        });
        assertThatThrownBy(waiter::result).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.oid()).isEqualTo(A);
            assertThat(e.isRetryable()).isTrue();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the vote waited for the lock first")
                .isGreaterThanOrEqualTo(lockWait());

        holder.finish();
        assertThat(currentText(A)).isEqualTo("held");
    }

    @Test
    void aVoteWaitingForALockSeesTheHoldersCommitAndConflicts() throws Exception {
        Tid a0 = store(A, Z, "a0");
        StorageTransaction holder = storage.begin(TransactionMetadata.empty());
        holder.store(A, a0, data("first"));
        holder.vote();

        Background<List<Oid>> waiter = new Background<>("waiting voter", () -> {
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            txn.store(A, a0, data("second"));
            return txn.vote();
        });
        Await.untilBlocked(waiter.thread);
        Tid holderTid = holder.finish();

        assertThatThrownBy(waiter::result).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.committedSerial()).as("a serial conflict with the holder's commit, not a lock timeout")
                    .isEqualTo(holderTid);
            assertThat(e.readSerial()).isEqualTo(a0);
        });
        assertThat(currentText(A)).isEqualTo("first");
    }

    @Test
    void aVoteWaitingForALockSucceedsWhenTheHolderOnlyCheckedTheObject() throws Exception {
        Tid a0 = store(A, Z, "a0");
        StorageTransaction holder = storage.begin(TransactionMetadata.empty());
        holder.checkCurrentSerial(A, a0);
        holder.store(B, Z, data("b1"));
        holder.vote();

        Background<Tid> waiter = new Background<>("waiting committer", () -> {
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            txn.store(A, a0, data("a1"));
            txn.vote();
            return txn.finish();
        });
        Await.untilBlocked(waiter.thread);
        Tid holderTid = holder.finish();

        assertThat(waiter.result()).as("the waiter commits after the holder").isGreaterThan(holderTid);
        assertThat(currentText(A)).isEqualTo("a1");
    }

    // ------------------------------------------------------------------------------------------- iteration

    @Test
    void theIteratorGivesTransactionsWithinInclusiveBounds() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(B, Z, "b1");
        Tid t3 = store(C, Z, "c1");
        reopen();

        assertThat(tids(null, null)).containsExactly(t1, t2, t3);
        assertThat(tids(t2, null)).containsExactly(t2, t3);
        assertThat(tids(null, t2)).containsExactly(t1, t2);
        assertThat(tids(t2, t2)).containsExactly(t2);
        assertThat(tids(t1.next(), t3.next())).as("bounds between tids").containsExactly(t2, t3);
        assertThat(tids(t3.next(), null)).isEmpty();
        assertThat(tids(t3, t1)).as("start after stop").isEmpty();
    }

    @Test
    void theIteratorGivesMetadataAndRecordsWithDataDeletionsAndBackPointers() {
        Tid t1 = commit(TransactionMetadata.of("alice", "first", Map.of("k", "v")), txn -> {
            txn.store(A, Z, data("a1"));
            txn.store(B, Z, data("b1"));
        });
        Tid t2 = store(A, t1, "a2");
        Tid t3 = commit(txn -> txn.delete(B, t1));
        Tid t4 = undo(t2);
        reopen();

        List<TransactionRecord> all = transactions(null, null);
        assertThat(all).extracting(TransactionRecord::tid).containsExactly(t1, t2, t3, t4);
        TransactionRecord first = all.get(0);
        assertThat(first.status()).isEqualTo(' ');
        assertThat(new String(first.user(), UTF_8)).isEqualTo("alice");
        assertThat(new String(first.description(), UTF_8)).isEqualTo("first");
        assertThat(first.extension()).isEqualTo(Map.of("k", "v"));
        assertThat(first.records()).extracting(DataRecord::oid, r -> text(r.data()), DataRecord::tid,
                DataRecord::dataTxn).as("records in write order").containsExactly(
                tuple(A, "a1", t1, null),
                tuple(B, "b1", t1, null));

        DataRecord deletion = all.get(2).records().get(0);
        assertThat(deletion.oid()).isEqualTo(B);
        assertThat(deletion.data()).as("a deletion has no data").isNull();

        DataRecord undone = all.get(3).records().get(0);
        assertThat(undone.oid()).isEqualTo(A);
        assertThat(text(undone.data())).as("the undo record's state, through its back pointer").isEqualTo("a1");
        assertThat(undone.dataTxn()).as("the undo record points back to the revision it restores").isEqualTo(t1);
    }

    @Test
    void recordIterationWalksCurrentRecordsInOidOrder() {
        Oid five = Oid.of(5);
        Oid nine = Oid.of(9);
        Tid t1 = commit(txn -> {
            txn.store(nine, Z, data("nine"));
            txn.store(Oid.ROOT, Z, data("root"));
            txn.store(five, Z, data("five"));
        });
        Tid t2 = store(five, t1, "five-2");
        reopen();

        List<CurrentRecord> walk = walk();
        assertThat(walk).extracting(CurrentRecord::oid, CurrentRecord::tid, r -> text(r.data())).containsExactly(
                tuple(Oid.ROOT, t1, "root"),
                tuple(five, t2, "five-2"),
                tuple(nine, t1, "nine"));
        assertThat(walk.get(2).next()).as("no oid after the last").isNull();
        assertThat(storage.recordIterNext(Oid.of(6)).oid()).as("the smallest oid at or above 6").isEqualTo(nine);
        assertThat(storage.recordIterNext(Oid.of(10))).as("nothing at or above 10").isNull();
    }

    @Test
    void recordIterationSkipsObjectsWithoutData() {
        Oid five = Oid.of(5);
        Oid nine = Oid.of(9);
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Z, data("root"));
            txn.store(five, Z, data("five"));
            txn.store(nine, Z, data("nine"));
        });
        commit(txn -> txn.delete(five, t1));

        assertThat(walk()).extracting(CurrentRecord::oid).as("the deleted object is skipped")
                .containsExactly(Oid.ROOT, nine);
        assertThat(storage.recordIterNext(Oid.ROOT).next()).as("next skips the deleted object").isEqualTo(nine);
    }

    // ------------------------------------------------------------------------------------------- undo log

    @Test
    void theUndoLogListsUndoableTransactionsNewestFirst() {
        Tid t1 = commit(TransactionMetadata.of("alice", "one", Map.of("k", "v")), txn -> txn.store(A, Z, data("a")));
        Tid t2 = store(B, Z, "b");
        reopen();

        List<UndoEntry> log = storage.undoLog(0, 20);
        assertThat(log).extracting(UndoEntry::tid).containsExactly(t2, t1);
        UndoEntry oldest = log.get(1);
        assertThat(new String(oldest.id(), US_ASCII)).as("the undo id: base64 of the tid, no newline")
                .isEqualTo(Base64.getEncoder().encodeToString(t1.toBytes())).doesNotContain("\n");
        assertThat(UndoEntry.tidOf(oldest.id())).isEqualTo(t1);
        assertThat(new String(oldest.user(), UTF_8)).isEqualTo("alice");
        assertThat(new String(oldest.description(), UTF_8)).isEqualTo("one");
        assertThat(oldest.extension()).isEqualTo(Map.of("k", "v"));
        assertThat(oldest.time()).isCloseTo(t1.toEpochSeconds(), within(1e-3));
        assertThat(oldest.size()).as("the transaction record's length").isPositive();
    }

    @Test
    void theUndoLogIsSlicedFirstToLastAndANegativeLastCountsEntries() {
        List<Tid> tids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tids.add(store(Oid.of(10 + i), Z, "x" + i));
        }
        Tid t1 = tids.get(0);
        Tid t2 = tids.get(1);
        Tid t3 = tids.get(2);
        Tid t4 = tids.get(3);
        Tid t5 = tids.get(4);

        assertThat(undoTids(0, 20)).containsExactly(t5, t4, t3, t2, t1);
        assertThat(undoTids(1, 3)).as("[1:3]").containsExactly(t4, t3);
        assertThat(undoTids(0, -2)).as("at most 2 from 0").containsExactly(t5, t4);
        assertThat(undoTids(2, -2)).as("at most 2 from 2").containsExactly(t3, t2);
        assertThat(undoTids(4, 20)).containsExactly(t1);
        assertThat(undoTids(3, 3)).isEmpty();
    }

    @Test
    void undoInfoKeepsTheEntriesTheFilterAcceptsAndSlicesThose() {
        List<Tid> tids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String user = i % 2 == 0 ? "alice" : "bob";
            Oid oid = Oid.of(10 + i);
            tids.add(commit(TransactionMetadata.of(user, "txn " + i, Map.of()), txn -> txn.store(oid, Z, data("x"))));
        }

        assertThat(storage.undoInfo(0, 20, e -> new String(e.user(), UTF_8).equals("alice")))
                .extracting(UndoEntry::tid).containsExactly(tids.get(4), tids.get(2), tids.get(0));
        assertThat(storage.undoInfo(1, -1, e -> new String(e.user(), UTF_8).equals("alice")))
                .extracting(UndoEntry::tid).as("the slice counts accepted entries only")
                .containsExactly(tids.get(2));
    }

    // ------------------------------------------------------------------------------------------- undo

    @Test
    void undoingAnUpdateRestoresThePreviousState() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");

        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        txn.undo(storage.undoLog(0, 1).get(0).id());
        List<Oid> undone = txn.vote();
        Tid t3 = txn.finish();
        reopen();

        assertThat(undone).as("vote reports the oids undo wrote").containsExactly(A);
        assertThat(txn.writtenOids()).containsExactly(A);
        LoadResult current = storage.loadBefore(A, Tid.MAX);
        assertThat(text(current.data())).isEqualTo("a1");
        assertThat(current.start()).as("undo writes a new revision").isEqualTo(t3);
        assertThat(text(storage.loadBefore(A, t3).data())).isEqualTo("a2");
        assertThat(storage.history(A, 10)).extracting(HistoryEntry::tid).containsExactly(t3, t2, t1);
        assertThat(storage.lastInvalidations(1)).containsExactly(new Invalidation(t3, List.of(A)));
    }

    @Test
    void undoingACreationMakesTheObjectDisappear() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = undo(t1);
        reopen();

        assertThatThrownBy(() -> storage.loadBefore(A, Tid.MAX)).isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.getTid(A)).isInstanceOf(POSKeyException.class);
        assertThat(text(storage.loadBefore(A, t2).data())).as("A before the undo").isEqualTo("a1");
    }

    @Test
    void undoIsRefusedWhenALaterTransactionChangedTheObject() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");
        Tid t3 = store(A, t2, "a3");

        assertThatThrownBy(() -> undo(t2)).isInstanceOfSatisfying(UndoException.class, e -> {
            assertThat(e.isMultiple()).isFalse();
            assertThat(e.oid()).isEqualTo(A);
            assertThat(e.getMessage()).contains("Some data were modified by a later transaction");
        });
        assertThat(storage.lastTransaction()).as("a refused undo commits nothing").isEqualTo(t3);
        assertThat(currentText(A)).isEqualTo("a3");
    }

    @Test
    void undoingACreationIsRefusedWhenALaterTransactionChangedTheObject() {
        Tid t1 = store(A, Z, "a1");
        store(A, t1, "a2");

        assertThatThrownBy(() -> undo(t1)).isInstanceOfSatisfying(UndoException.class, e -> {
            assertThat(e.oid()).isEqualTo(A);
            assertThat(e.getMessage()).contains("Can't undo an add transaction followed by conflicting transactions");
        });
        assertThat(currentText(A)).isEqualTo("a2");
    }

    @Test
    void undoIsAllowedWhenTheLaterStateIsByteIdentical() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "same");
        store(A, t2, "same");

        undo(t2);

        assertThat(currentText(A)).isEqualTo("a1");
    }

    @Test
    void undoReportsEveryObjectThatCannotBeUndone() {
        Tid t1 = commit(txn -> {
            txn.store(A, Z, data("a1"));
            txn.store(B, Z, data("b1"));
        });
        Tid t2 = commit(txn -> {
            txn.store(A, t1, data("a2"));
            txn.store(B, t1, data("b2"));
        });
        commit(txn -> {
            txn.store(A, t2, data("a3"));
            txn.store(B, t2, data("b3"));
        });

        assertThatThrownBy(() -> undo(t2)).isInstanceOfSatisfying(UndoException.class, e -> {
            assertThat(e.isMultiple()).isTrue();
            assertThat(e.errorsByOid()).containsOnlyKeys(A, B);
        });
    }

    @Test
    void undoingAnUndoRedoes() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = store(A, t1, "a2");
        Tid u = undo(t2);
        Tid redo = undo(u);
        reopen();

        assertThat(currentText(A)).isEqualTo("a2");
        DataRecord record = transactions(redo, redo).get(0).records().get(0);
        assertThat(record.dataTxn()).as("the redo points back to the revision before the undo").isEqualTo(t2);
    }

    @Test
    void undoOfAnUnknownTransactionIsRefused() {
        Tid t1 = store(A, Z, "a1");

        assertThatThrownBy(() -> undo(t1.next())).isInstanceOf(UndoException.class);
        assertThatThrownBy(() -> commit(txn -> txn.undo("not an id!".getBytes(US_ASCII))))
                .isInstanceOf(UndoException.class);
        assertThat(storage.lastTransaction()).isEqualTo(t1);
    }

    @Test
    void lastInvalidationsGivesTheNewestTransactionsOldestFirst() {
        Tid t1 = commit(txn -> {
            txn.store(A, Z, data("a1"));
            txn.store(B, Z, data("b1"));
        });
        Tid t2 = store(C, Z, "c1");
        Tid t3 = store(A, t1, "a2");
        reopen();

        assertThat(storage.lastInvalidations(2))
                .containsExactly(new Invalidation(t2, List.of(C)), new Invalidation(t3, List.of(A)));
        assertThat(storage.lastInvalidations(10)).containsExactly(new Invalidation(t1, List.of(A, B)),
                new Invalidation(t2, List.of(C)), new Invalidation(t3, List.of(A)));
        assertThat(storage.lastInvalidations(0)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- pack

    @Test
    void packWithGcDropsUnreachableObjectsAndHistoryBeforeThePackTime() {
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Z, data("root", A, B));
            txn.store(A, Z, data("a1"));
            txn.store(B, Z, data("b1"));
            txn.store(C, Z, data("c1 never referenced"));
        });
        Tid t2 = commit(txn -> {
            txn.store(Oid.ROOT, t1, data("root", A));
            txn.store(A, t1, data("a2"));
        });
        Tid t3 = store(A, t2, "a3");

        storage.pack(t2, true);
        reopen();

        assertThatThrownBy(() -> storage.loadBefore(B, Tid.MAX)).as("B was unreachable at the pack time")
                .isInstanceOf(POSKeyException.class);
        assertThatThrownBy(() -> storage.loadBefore(C, t2)).as("C was never reachable")
                .isInstanceOf(POSKeyException.class);
        LoadResult a = storage.loadBefore(A, Tid.MAX);
        assertThat(text(a.data())).as("the commit after the pack time survives").isEqualTo("a3");
        assertThat(a.start()).isEqualTo(t3);
        LoadResult aAtPackTime = storage.loadBefore(A, t3);
        assertThat(text(aAtPackTime.data())).as("the revision current at the pack time is kept").isEqualTo("a2");
        assertThat(aAtPackTime.end()).isEqualTo(t3);
        assertThat(storage.loadBefore(A, t2)).as("history before the pack time is gone").isNull();
        assertThatThrownBy(() -> storage.loadSerial(A, t1)).isInstanceOf(POSKeyException.class);
        assertThat(storage.history(A, 10)).extracting(HistoryEntry::tid).containsExactly(t3, t2);
        assertThat(storage.getTid(Oid.ROOT)).isEqualTo(t2);
        assertThat(storage.loadBefore(Oid.ROOT, t2)).isNull();
        assertThat(storage.length()).as("root and A are left").isEqualTo(2);

        assertThat(transactions(null, null)).extracting(TransactionRecord::tid, TransactionRecord::status)
                .as("t1 kept nothing and vanished; t2 is packed").containsExactly(
                        tuple(t2, 'p'),
                        tuple(t3, ' '));
        assertThat(undoTids(0, 20)).as("undo stops at the packed transaction").containsExactly(t3);
        assertThatThrownBy(() -> undo(t2)).isInstanceOf(UndoException.class);

        Tid t4 = store(B, Z, "b again");
        assertThat(t4).isGreaterThan(t3);
        assertThat(currentText(B)).as("a packed-away oid can be stored as new").isEqualTo("b again");
    }

    @Test
    void packWithoutGcKeepsEveryCurrentRevision() {
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Z, data("root", A));
            txn.store(A, Z, data("a1"));
            txn.store(C, Z, data("c1 never referenced"));
        });
        Tid t2 = store(A, t1, "a2");

        storage.pack(t2, false);
        reopen();

        assertThat(currentText(C)).as("an unreachable current revision survives without gc")
                .isEqualTo("c1 never referenced");
        assertThat(currentText(A)).isEqualTo("a2");
        assertThat(storage.loadBefore(A, t2)).as("A's old revision is gone").isNull();
        assertThat(currentText(Oid.ROOT)).isEqualTo("root");
        assertThat(storage.undoLog(0, 20)).isEmpty();
    }

    @Test
    void packDropsObjectsDeletedBeforeThePackTime() {
        Tid t1 = store(A, Z, "a1");
        Tid t2 = commit(txn -> txn.delete(A, t1));

        storage.pack(t2, false);
        reopen();

        assertThatThrownBy(() -> storage.loadBefore(A, t2)).as("A is unknown after the pack")
                .isInstanceOf(POSKeyException.class);
        store(A, Z, "reborn");
        assertThat(currentText(A)).isEqualTo("reborn");
    }

    @Test
    void packKeepsWhatAnUndoAfterThePackTimeMadeReachableAgain() {
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Z, data("root", A));
            txn.store(A, Z, data("a1"));
        });
        Tid t2 = commit(txn -> txn.store(Oid.ROOT, t1, data("root without A")));
        undo(t2); // after the pack time: the root refers to A again, through a back pointer to t1

        storage.pack(t2, true);
        reopen();

        assertThat(TestRecords.references(storage.loadBefore(Oid.ROOT, Tid.MAX).data())).containsExactly(A);
        assertThat(currentText(A)).as("A is reachable from the current root").isEqualTo("a1");
    }

    @Test
    void packFailsRatherThanDropAnythingWhenAReachableObjectIsMissing() {
        Tid t1 = commit(txn -> {
            txn.store(Oid.ROOT, Z, data("root", A, C));
            txn.store(A, Z, data("a1"));
        });
        Tid t2 = store(A, t1, "a2");

        assertThatThrownBy(() -> storage.pack(t2, true)).as("C is referenced but was never stored")
                .isInstanceOf(StorageException.class);
        assertThat(text(storage.loadSerial(A, t1))).as("the failed pack dropped nothing").isEqualTo("a1");
        assertThat(undoTids(0, 20)).containsExactly(t2, t1);
    }

    @Test
    void packRefusesTheZeroPackTimeAndDoesNothingOnAnEmptyStorage() {
        storage.pack(Tid.fromFields(2030, 1, 1, 0, 0, 0), true);
        assertThat(storage.lastTransaction()).isEqualTo(Tid.ZERO);

        store(Oid.ROOT, Z, "root");
        assertThatThrownBy(() -> storage.pack(Tid.ZERO, true)).isInstanceOf(StorageException.class);
        assertThat(currentText(Oid.ROOT)).isEqualTo("root");
    }

    // ------------------------------------------------------------------------------------------- size

    @Test
    void lengthCountsObjectsAndSizeGrowsWithCommits() {
        long emptySize = storage.size();
        Tid t1 = commit(txn -> {
            txn.store(A, Z, data("a1"));
            txn.store(B, Z, data("b1"));
            txn.store(C, Z, data("c1"));
        });
        long sizeAfterOne = storage.size();
        store(A, t1, "a2");
        reopen();

        assertThat(storage.length()).as("three objects").isEqualTo(3);
        assertThat(sizeAfterOne).as("size after a commit").isGreaterThan(emptySize);
        assertThat(storage.size()).as("size after a second commit").isGreaterThan(sizeAfterOne);
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Replaces {@link #storage} by its reopened self (a no-op for engines without durability). */
    @Test
    void commitListenerHearsEveryCommitInTidOrderBeforeFinishReturns() {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        storage.setCommitListener((txn, tid, oids) -> heard.add(tid + " " + oids + " visible="
                + storage.lastTransaction().equals(tid)));
        StorageTransaction first = storage.begin(TransactionMetadata.empty());
        first.store(A, Z, data("a"));
        first.store(B, Z, data("b"));
        first.vote();
        Tid t1 = first.finish();
        assertThat(heard).as("told before finish returned, after it became visible")
                .containsExactly(t1 + " [" + A + ", " + B + "] visible=true");

        StorageTransaction aborted = storage.begin(TransactionMetadata.empty());
        aborted.store(C, Z, data("c"));
        aborted.vote();
        aborted.abort();
        Tid t2 = commit(txn -> txn.delete(B, t1));
        assertThat(heard).as("aborted transactions are not heard; deletions are")
                .containsExactly(t1 + " [" + A + ", " + B + "] visible=true", t2 + " [" + B + "] visible=true");

        storage.setCommitListener((txn, tid, oids) -> {
            throw new IllegalStateException("a broken listener");
        });
        Tid t3 = store(C, Z, "c");
        assertThat(storage.lastTransaction()).as("a failing listener does not undo a commit").isEqualTo(t3);
        storage.setCommitListener(null);
    }

    protected void reopen() {
        storage = reopen(storage, dir);
    }

    protected static byte[] data(String payload, Oid... references) {
        return TestRecords.record(payload, references);
    }

    protected static String text(byte[] record) {
        return record == null ? null : TestRecords.payload(record);
    }

    protected String currentText(Oid oid) {
        return text(storage.loadBefore(oid, Tid.MAX).data());
    }

    protected boolean exists(Oid oid) {
        try {
            storage.loadBefore(oid, Tid.MAX);
            return true;
        } catch (POSKeyException e) {
            return false;
        }
    }

    protected Tid commit(Consumer<StorageTransaction> operations) {
        return commit(TransactionMetadata.empty(), operations);
    }

    protected Tid commit(TransactionMetadata metadata, Consumer<StorageTransaction> operations) {
        StorageTransaction txn = storage.begin(metadata);
        operations.accept(txn);
        txn.vote();
        return txn.finish();
    }

    protected Tid store(Oid oid, Tid serial, String payload, Oid... references) {
        return commit(txn -> txn.store(oid, serial, data(payload, references)));
    }

    protected Tid undo(Tid tid) {
        return commit(txn -> txn.undo(UndoEntry.idOf(tid)));
    }

    protected static TransactionMetadata restoring(Tid tid, char status) {
        return new TransactionMetadata(null, null, null, tid, status);
    }

    protected List<TransactionRecord> transactions(Tid start, Tid stop) {
        List<TransactionRecord> all = new ArrayList<>();
        try (StorageIterator it = storage.iterator(start, stop)) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    protected List<Tid> tids(Tid start, Tid stop) {
        return transactions(start, stop).stream().map(TransactionRecord::tid).toList();
    }

    protected List<Tid> undoTids(int first, int last) {
        return storage.undoLog(first, last).stream().map(UndoEntry::tid).toList();
    }

    /** Every current record, following {@code next} from the first oid. */
    protected List<CurrentRecord> walk() {
        List<CurrentRecord> records = new ArrayList<>();
        CurrentRecord r = storage.recordIterNext(null);
        while (r != null) {
            records.add(r);
            assertThat(records).as("record iteration ends").hasSizeLessThan(10_000);
            r = r.next() == null ? null : storage.recordIterNext(r.next());
        }
        return records;
    }

    /** A task on its own thread, so a test can watch it block and then collect its outcome. */
    protected static final class Background<T> {
        private final FutureTask<T> task;
        public final Thread thread;

        public Background(String name, Callable<T> callable) {
            task = new FutureTask<>(callable);
            thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** The task's result, or the exception it threw; fails the test if it takes more than 10 s. */
        public T result() throws Exception {
            try {
                return task.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }
}
