package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jzeo.api.ConflictException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests.CheckCurrentSerial;
import org.jzeo.protocol.Requests.DeleteObject;
import org.jzeo.protocol.Requests.Restore;
import org.jzeo.protocol.Requests.Store;
import org.jzeo.protocol.Requests.TpcBegin;
import org.jzeo.protocol.Requests.TransactionCall;
import org.jzeo.protocol.Requests.Undo;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.WireErrors;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-phase commit as the wire sees it (zeo-protocol §8): tpc_begin and the buffered calls, then vote,
 * tpc_finish and tpc_abort. All of it runs on the connection's serial executor.
 *
 * <p>vote replays the buffer into a new storage transaction, whose vote takes the object locks; with
 * client-side conflict resolution a store conflict does not fail the vote but returns conflict maps and keeps
 * the buffer for another round. A transaction that holds its locks longer than {@code transaction-timeout}
 * has its connection closed, which aborts it.
 */
final class CommitMethods {
    private static final Logger LOG = LoggerFactory.getLogger(CommitMethods.class);
    /**
     * ZEO logs a transaction timeout at CRITICAL on its {@code ZEO.StorageServer} logger, and operators' monitors
     * (and ZEO's own timeout test) look for exactly that; jzeo writes the same words on the same logger name.
     */
    private static final Logger TIMEOUT_LOG = LoggerFactory.getLogger("ZEO.StorageServer");

    private CommitMethods() {
    }

    static void addTo(MethodTable table) {
        table.add(TpcBegin.METHOD, MethodTable.Mode.BUFFER, (s, a) -> tpcBegin(s, TpcBegin.decode(a)));
        table.add(Store.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            Store r = Store.decode(a);
            current(s, r.txn()).add(new Operation.Store(r.oid(), r.serial(), r.data()));
            s.storage().stats().stores.increment();
            return null;
        });
        table.add(CheckCurrentSerial.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            CheckCurrentSerial r = CheckCurrentSerial.decode(a);
            current(s, r.txn()).add(new Operation.CheckCurrent(r.oid(), r.serial()));
            return null;
        });
        table.add(DeleteObject.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            DeleteObject r = DeleteObject.decode(a);
            current(s, r.txn()).add(new Operation.Delete(r.oid(), r.serial()));
            return null;
        });
        table.add(Restore.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            Restore r = Restore.decode(a);
            current(s, r.txn()).add(new Operation.Restore(r.oid(), r.serial(), r.data(), r.prevTxn()));
            return null;
        });
        table.add(Undo.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            Undo r = Undo.decode(a);
            current(s, r.txn()).add(new Operation.Undo(r.transactionId()));
            return null;
        });
        table.add(TransactionCall.VOTE, MethodTable.Mode.SERIAL,
                (s, a) -> vote(s, TransactionCall.decode(TransactionCall.VOTE, a).txn()));
        table.add(TransactionCall.FINISH, MethodTable.Mode.SERIAL,
                (s, a) -> tpcFinish(s, TransactionCall.decode(TransactionCall.FINISH, a).txn()));
        table.add(TransactionCall.ABORT, MethodTable.Mode.SERIAL,
                (s, a) -> tpcAbort(s, TransactionCall.decode(TransactionCall.ABORT, a).txn()));
    }

    private static Object tpcBegin(ZeoSession session, TpcBegin request) {
        if (session.isReadOnly()) {
            throw new ReadOnlyException("read-only connection");
        }
        ServerTransaction active = session.transaction();
        if (active != null) {
            if (active.isNamed(request.txn())) {
                return null;
            }
            throw new StorageTransactionException("duplicate tpc_begin: transaction " + active.clientTxnId()
                    + " is still active");
        }
        String status = request.status();
        if (status.length() != 1) {
            throw new IllegalArgumentException("transaction status must be one character, got '" + status + "'");
        }
        TransactionMetadata meta = new TransactionMetadata(request.user(), request.description(),
                request.extension(), request.tid(), status.charAt(0));
        session.setTransaction(new ServerTransaction(request.txn(), meta));
        session.storage().stats().activeTransactions.incrementAndGet();
        return null;
    }

    /** The active transaction if {@code txnId} names it; otherwise the StorageTransactionError Python sends. */
    static ServerTransaction current(ZeoSession session, Object txnId) {
        requireWritable(session);
        ServerTransaction txn = session.transaction();
        if (txn == null || !txn.isNamed(txnId)) {
            throw mismatch(txn, txnId);
        }
        return txn;
    }

    /** Python's _check_tid refuses every transactional call on a read-only connection first. */
    static void requireWritable(ZeoSession session) {
        if (session.isReadOnly()) {
            throw new ReadOnlyException("read-only connection");
        }
    }

    /** Python: StorageTransactionError(id of the active transaction or None, the id given). */
    private static RuntimeException mismatch(ServerTransaction active, Object txnId) {
        return new ServerException(WireErrors.STORAGE_TRANSACTION_ERROR,
                java.util.Arrays.asList(active == null ? null : active.clientTxnId(), txnId));
    }

    private static Object vote(ZeoSession session, Object txnId) {
        ServerTransaction txn = votable(session, txnId);
        ServedStorage served = session.storage();
        long start = System.nanoTime();
        // After a vote that answered conflicts, the storage transaction is still open and holds its locks.
        StorageTransaction st = txn.storageTransaction();
        if (st == null) {
            st = served.storage().begin(txn.metadata());
            txn.replayInto(st);
        }
        StorageTransaction voting = st;
        return voteRound(session, txn, start, () -> {
            StorageTransaction.Vote vote = voteStorageTransaction(session, txn, voting,
                    served.clientConflictResolution());
            if (!vote.conflicts().isEmpty()) {
                return conflictsForTheClient(session, txn, vote.conflicts());
            }
            session.setVoted(true);
            served.locked(session);
            startTimer(session, served);
            return new ArrayList<Object>(vote.changed());
        });
    }

    /** The session's transaction named {@code txnId}, if it may vote (it has not voted already). */
    static ServerTransaction votable(ZeoSession session, Object txnId) {
        ServerTransaction txn = current(session, txnId);
        if (session.isVoted()) {
            throw new StorageTransactionException("Already voting");
        }
        return txn;
    }

    /**
     * The vote itself, the one sequence behind vote and xa_vote: {@code st}, holding {@code txn}'s buffer, takes
     * its locks and checks, visible meanwhile to the disconnect's cancel and counted as waiting. With
     * {@code allowConflicts}, store conflicts are returned for the client to resolve instead of failing the vote.
     */
    static StorageTransaction.Vote voteStorageTransaction(ZeoSession session, ServerTransaction txn,
                                                          StorageTransaction st, boolean allowConflicts) {
        ServedStorage served = session.storage();
        txn.requireBlobsReceived();
        session.transactionSnapshot = txn;
        served.stats().waiting.incrementAndGet();
        try {
            if (session.isClosed()) {
                st.cancel();
            }
            return allowConflicts ? st.voteAllowingConflicts() : new StorageTransaction.Vote(st.vote(), List.of());
        } finally {
            served.stats().waiting.decrementAndGet();
        }
    }

    /**
     * Runs {@code round}, one vote of {@code txn} begun at {@code start}, for vote and xa_vote alike: its time is
     * counted, and if it fails the transaction is dropped as a failed vote.
     */
    static <T> T voteRound(ZeoSession session, ServerTransaction txn, long start, Supplier<T> round) {
        try {
            return round.get();
        } catch (RuntimeException e) {
            txn.clearStorageTransaction();
            dropAfterFailedVote(session, txn);
            throw e;
        } finally {
            session.transactionSnapshot = null;
            txn.voteNanos += System.nanoTime() - start;
        }
    }

    /**
     * Client-side resolution (ZEO's _vote with client-conflict-resolution): every store in conflict is answered in
     * this one vote as {@code {oid, serials: [committed, read], data}}, and the transaction stays open with its
     * locks, so that the state the client resolves against is still the committed one when it stores the
     * resolved data and votes again. The transaction timeout runs meanwhile, as the locks are held.
     */
    private static Object conflictsForTheClient(ZeoSession session, ServerTransaction txn,
                                                List<ConflictException> conflicts) {
        ServedStorage served = session.storage();
        served.stats().conflicts.increment(); // one per vote answered with conflicts: one round for the client
        List<Object> answer = new ArrayList<>(conflicts.size());
        for (ConflictException e : conflicts) {
            LOG.info("{}: vote: conflict on oid {} returned for client-side resolution", session.describe(), e.oid());
            Map<String, Object> conflict = new LinkedHashMap<>();
            conflict.put("oid", e.oid());
            conflict.put("serials", java.util.Arrays.asList(e.committedSerial(), e.readSerial()));
            conflict.put("data", txn.storedData(e.oid()));
            answer.add(conflict);
        }
        served.locked(session);
        startTimer(session, served);
        return answer;
    }

    private static void dropAfterFailedVote(ZeoSession session, ServerTransaction txn) {
        session.setTransaction(null);
        session.rememberFailedVote(txn);
        session.storage().stats().activeTransactions.decrementAndGet();
        session.storage().stats().aborts.increment();
    }

    private static void startTimer(ZeoSession session, ServedStorage served) {
        if (served.transactionTimeout() == null) {
            return;
        }
        long millis = served.transactionTimeout().toMillis();
        session.setTransactionTimer(session.server().scheduler().schedule(() -> {
            TIMEOUT_LOG.error(LogMarkers.CRITICAL, "({}) Transaction timeout after {} seconds; closing the connection"
                    + " to abort it", session.describe(), millis / 1000.0);
            session.closeConnection("transaction timeout");
        }, millis, TimeUnit.MILLISECONDS));
    }

    private static Object tpcFinish(ZeoSession session, Object txnId) {
        requireWritable(session);
        ServerTransaction txn = session.transaction();
        if (txn == null || !txn.isNamed(txnId)) {
            return null;
        }
        if (!session.isVoted()) {
            throw new StorageTransactionException("tpc_finish called before a successful vote");
        }
        ServedStorage served = session.storage();
        StorageTransaction st = txn.storageTransaction();
        // Whoever sees the reply (server_status, a waiting committer) must see this transaction ended.
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                served.unlocked(session);
                session.cancelTransactionTimer();
                session.setTransaction(null);
                served.stats().activeTransactions.decrementAndGet();
            }
        };
        ServedStorage.Finisher finisher = served.finishing(st, session, session.serialMsgid(), txn.voteNanos)
                .settlingFirst(end);
        Tid tid;
        try {
            tid = st.finish();
        } finally {
            served.finished(st);
            end.run();
        }
        if (finisher.replied) {
            return ZeoSession.REPLIED;
        }
        session.callback("info", List.of(served.info()));
        return tid;
    }

    private static Object tpcAbort(ZeoSession session, Object txnId) {
        requireWritable(session);
        ServerTransaction txn = session.transaction();
        if (txn != null && txn.isNamed(txnId)) {
            abortTransaction(session);
        }
        return null;
    }

    /** Aborts the session's transaction, releasing its locks. */
    static void abortTransaction(ZeoSession session) {
        ServerTransaction txn = session.transaction();
        if (txn == null) {
            return;
        }
        // Counted as ended before its locks go: a commit that the release lets through must not see it active.
        ServedStorage served = session.storage();
        served.stats().activeTransactions.decrementAndGet();
        served.stats().aborts.increment();
        StorageTransaction st = txn.storageTransaction();
        if (st != null) {
            st.abort();
        }
        session.cancelTransactionTimer();
        session.setTransaction(null);
        served.unlocked(session);
    }
}
