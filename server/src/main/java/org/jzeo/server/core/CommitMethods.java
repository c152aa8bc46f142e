package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Args;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.WireErrors;
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

    private CommitMethods() {
    }

    static void addTo(MethodTable table) {
        table.add("tpc_begin", MethodTable.Mode.SERIAL, CommitMethods::tpcBegin);
        table.add("storea", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 4, 4);
            current(s, Args.value(a, 3)).store(Args.oid(a, 0), Args.serial(a, 1), Args.bytes(a, 2));
            s.storage().stats().stores.increment();
            return null;
        });
        table.add("checkCurrentSerialInTransaction", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 3, 3);
            current(s, Args.value(a, 2)).checkCurrent(Args.oid(a, 0), Args.serial(a, 1));
            return null;
        });
        table.add("deleteObject", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 3, 3);
            current(s, Args.value(a, 2)).delete(Args.oid(a, 0), Args.serial(a, 1));
            return null;
        });
        table.add("restorea", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 5, 5);
            current(s, Args.value(a, 4)).restore(Args.oid(a, 0), Args.serial(a, 1), Args.optionalBytes(a, 2),
                    Args.optionalTid(a, 3));
            return null;
        });
        table.add("undoa", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 2, 2);
            current(s, Args.value(a, 1)).undo(Args.bytes(a, 0));
            return null;
        });
        table.add("vote", MethodTable.Mode.SERIAL, CommitMethods::vote);
        table.add("tpc_finish", MethodTable.Mode.SERIAL, CommitMethods::tpcFinish);
        table.add("tpc_abort", MethodTable.Mode.SERIAL, CommitMethods::tpcAbort);
    }

    private static Object tpcBegin(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 6);
        if (session.isReadOnly()) {
            throw new ReadOnlyException("read-only connection");
        }
        Object txnId = Args.value(args, 0);
        ServerTransaction active = session.transaction();
        if (active != null) {
            if (active.isNamed(txnId)) {
                return null;
            }
            throw new StorageTransactionException("duplicate tpc_begin: transaction " + active.clientTxnId()
                    + " is still active");
        }
        byte[] user = Args.has(args, 1) ? Args.textBytes(args, 1) : new byte[0];
        byte[] description = Args.has(args, 2) ? Args.textBytes(args, 2) : new byte[0];
        Map<Object, Object> ext = Args.has(args, 3) ? Args.optionalMap(args, 3) : null;
        Tid tid = Args.has(args, 4) ? Args.optionalTid(args, 4) : null;
        String status = Args.has(args, 5) ? Args.optionalString(args, 5, " ") : " ";
        Map<String, Object> extension = new LinkedHashMap<>();
        if (ext != null) {
            ext.forEach((k, v) -> extension.put(k instanceof byte[] b
                    ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : (String) k, v));
        }
        if (status.length() != 1) {
            throw new IllegalArgumentException("transaction status must be one character, got '" + status + "'");
        }
        TransactionMetadata meta = new TransactionMetadata(user, description, extension, tid, status.charAt(0));
        session.setTransaction(new ServerTransaction(txnId, meta));
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

    private static Object vote(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 1);
        ServerTransaction txn = current(session, Args.value(args, 0));
        if (session.isVoted()) {
            throw new StorageTransactionException("Already voting");
        }
        ServedStorage served = session.storage();
        // Client-side resolution (Python's _store/_vote): every store in conflict is reported in this one vote;
        // a conflicting store is left out and the rest replayed again to find the others.
        Map<Oid, Object> conflicts = new LinkedHashMap<>();
        while (true) {
            long start = System.nanoTime();
            StorageTransaction st = served.storage().begin(txn.metadata());
            txn.replayInto(st, conflicts.keySet());
            session.transactionSnapshot = txn;
            served.stats().waiting.incrementAndGet();
            try {
                if (session.isClosed()) {
                    st.cancel();
                }
                List<Oid> undone = st.vote();
                if (!conflicts.isEmpty()) {
                    st.abort();
                    txn.clearStorageTransaction();
                    served.stats().conflicts.increment(); // one per vote answered with conflicts: one client retry
                    return new ArrayList<Object>(conflicts.values());
                }
                session.setVoted(true);
                served.locked(session);
                startTimer(session, served);
                return new ArrayList<Object>(undone);
            } catch (ConflictException e) {
                txn.clearStorageTransaction();
                if (served.clientConflictResolution() && !(e instanceof org.jzeo.api.ReadConflictException)
                        && txn.storedData(e.oid()) != null && e.committedSerial() != null
                        && !conflicts.containsKey(e.oid())) {
                    // Client-side resolution: report the conflict with the rejected data, keep the buffer.
                    LOG.info("{}: vote: conflict on oid {} returned for client-side resolution",
                            session.describe(), e.oid());
                    Map<String, Object> conflict = new LinkedHashMap<>();
                    conflict.put("oid", e.oid());
                    conflict.put("serials", List.of(e.committedSerial(), e.readSerial()));
                    conflict.put("data", txn.storedData(e.oid()));
                    conflicts.put(e.oid(), conflict);
                    continue;
                }
                dropAfterFailedVote(session, txn);
                throw e;
            } catch (RuntimeException e) {
                txn.clearStorageTransaction();
                dropAfterFailedVote(session, txn);
                throw e;
            } finally {
                served.stats().waiting.decrementAndGet();
                session.transactionSnapshot = null;
                txn.voteNanos += System.nanoTime() - start;
            }
        }
    }

    static void dropAfterFailedVote(ZeoSession session, ServerTransaction txn) {
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
            LOG.error("{}: Transaction timeout after {} seconds; closing the connection to abort it",
                    session.describe(), millis / 1000.0);
            session.closeConnection("transaction timeout");
        }, millis, TimeUnit.MILLISECONDS));
    }

    private static Object tpcFinish(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 1);
        requireWritable(session);
        ServerTransaction txn = session.transaction();
        if (txn == null || !txn.isNamed(Args.value(args, 0))) {
            return null;
        }
        if (!session.isVoted()) {
            throw new StorageTransactionException("tpc_finish called before a successful vote");
        }
        ServedStorage served = session.storage();
        StorageTransaction st = txn.storageTransaction();
        ServedStorage.Finisher finisher = served.finishing(st, session, session.serialMsgid(), txn.voteNanos);
        Tid tid;
        try {
            tid = st.finish();
        } finally {
            served.finished(st);
            served.unlocked(session);
            session.cancelTransactionTimer();
            session.setTransaction(null);
            served.stats().activeTransactions.decrementAndGet();
        }
        if (finisher.replied) {
            return ZeoSession.REPLIED;
        }
        session.callback("info", List.of(served.info()));
        return tid;
    }

    private static Object tpcAbort(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 1);
        requireWritable(session);
        ServerTransaction txn = session.transaction();
        if (txn != null && txn.isNamed(Args.value(args, 0))) {
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
