package org.jzeo.server.storage.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

class StagedTransactionTest {
    private static final Oid A = Oid.of(1);

    private final SerialTarget target = new SerialTarget();
    private final ObjectLocks locks = new ObjectLocks(Duration.ofSeconds(5));
    private final CommitSequencer<Tid> sequencer = new CommitSequencer<>(target, InstantSource.system());

    @Test
    void aReadOnlyTransactionRefusesOperationsAndEvenAnEmptyVote() {
        StagedTransaction<Tid> txn = transaction(true);

        assertThatThrownBy(() -> txn.store(A, Tid.ZERO, new byte[] {1})).isInstanceOf(ReadOnlyException.class);
        assertThatThrownBy(txn::vote).as("an empty vote would still commit a tid")
                .isInstanceOf(ReadOnlyException.class);
        assertThat(target.appended).isEmpty();
    }

    @Test
    void locksAreHeldFromVoteToFinish() {
        StagedTransaction<Tid> txn = transaction(false);
        txn.store(A, Tid.ZERO, new byte[] {1});
        assertThat(locks.isLocked(A)).as("nothing is locked before vote").isFalse();

        txn.vote();
        assertThat(locks.isLocked(A)).as("locked after vote").isTrue();
        Tid tid = txn.finish();

        assertThat(locks.isLocked(A)).as("released at finish").isFalse();
        assertThat(txn.committedTid()).isEqualTo(tid);
        assertThat(target.serials).containsEntry(A, tid);
    }

    @Test
    void aFailedVoteReleasesItsLocksAndAppendsNothing() {
        target.serials.put(A, Tid.of(7));
        StagedTransaction<Tid> txn = transaction(false);
        txn.store(A, Tid.of(6), new byte[] {1});

        assertThatThrownBy(txn::vote).isInstanceOf(ConflictException.class);
        assertThat(locks.isLocked(A)).isFalse();
        assertThat(target.appended).isEmpty();
        assertThat(txn.writtenOids()).isEmpty();
    }

    private StagedTransaction<Tid> transaction(boolean readOnly) {
        return new StagedTransaction<>(TransactionMetadata.empty(), target, sequencer, locks, readOnly);
    }

    /** Keeps only each oid's committed serial: enough for stores and checks. */
    private static final class SerialTarget implements CommitTarget<Tid> {
        final Map<Oid, Tid> serials = new ConcurrentHashMap<>();
        final List<Tid> appended = new ArrayList<>();
        private final Map<Tid, List<PreparedRecord>> records = new ConcurrentHashMap<>();
        private Tid last = Tid.ZERO;

        @Override
        public Tid currentSerial(Oid oid) {
            return serials.get(oid);
        }

        @Override
        public List<Oid> undoableOids(Tid tid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PreparedRecord> planUndo(Tid tid, Map<Oid, PreparedRecord> pending) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RecordSource restoreSource(Oid oid, Tid prevTxn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Tid append(PreparedTransaction txn, Tid tid) {
            appended.add(tid);
            records.put(tid, txn.records());
            last = tid;
            return tid;
        }

        @Override
        public void sync() {
        }

        @Override
        public void publish(Tid tid) {
            for (PreparedRecord r : records.remove(tid)) {
                serials.put(r.oid(), tid);
            }
        }

        @Override
        public Tid lastAppendedTid() {
            return last;
        }
    }
}
