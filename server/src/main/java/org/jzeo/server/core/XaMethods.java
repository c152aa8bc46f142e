package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.protocol.Args;
import org.jzeo.protocol.Requests.XaBranchCall;
import org.jzeo.protocol.Requests.XaVote;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;

/**
 * jzeo's XA extension of the protocol ({@link XaWire}): xa_vote instead of vote prepares the session's
 * transaction as a durable branch detached from the connection, on the connection's serial executor like vote;
 * xa_commit, xa_rollback, xa_recover and xa_forget work on the storage's branches from any connection, on the
 * connection's branch executor ({@link MethodTable.Mode#BRANCH}).
 */
final class XaMethods {
    private XaMethods() {
    }

    static void addTo(MethodTable table) {
        table.add(XaWire.VOTE, MethodTable.Mode.SERIAL, XaMethods::vote);
        table.add(XaWire.COMMIT, MethodTable.Mode.BRANCH, (s, a) -> {
            XaBranchCall r = XaBranchCall.decode(XaWire.COMMIT, a);
            CommitMethods.requireWritable(s);
            return s.storage().xa().commit(s, r.xid(), s.branchMsgid());
        });
        table.add(XaWire.ROLLBACK, MethodTable.Mode.BRANCH, (s, a) -> {
            XaBranchCall r = XaBranchCall.decode(XaWire.ROLLBACK, a);
            CommitMethods.requireWritable(s);
            s.storage().xa().rollback(r.xid());
            return null;
        });
        table.add(XaWire.RECOVER, MethodTable.Mode.BRANCH, (s, a) -> {
            Args.requireCount(a, 0, 0);
            List<Object> xids = new ArrayList<>();
            for (WireXid xid : s.storage().xa().recover()) {
                xids.add(XaWire.encode(xid));
            }
            return xids;
        });
        table.add(XaWire.FORGET, MethodTable.Mode.BRANCH, (s, a) -> {
            XaBranchCall r = XaBranchCall.decode(XaWire.FORGET, a);
            CommitMethods.requireWritable(s);
            s.storage().xa().forget(r.xid());
            return null;
        });
    }

    /**
     * {@code xa_vote(txn, xid, timeout)}: votes and appends the prepared record here, in the connection's order;
     * the reply waits for the record's fsync, but the connection's next transaction does not.
     */
    private static Object vote(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 3, 3);
        ServerTransaction txn = CommitMethods.current(session, Args.value(args, 0));
        if (session.isVoted()) {
            throw new StorageTransactionException("Already voting");
        }
        ServedStorage served = session.storage();
        if (txn.storageTransaction() != null) {
            // Left open by a plain vote that answered conflicts: the branch votes its own, so let those locks go.
            txn.storageTransaction().abort();
            txn.clearStorageTransaction();
        }
        long start = System.nanoTime();
        XaBranches.VotedBranch voted;
        try {
            XaVote request = XaVote.decode(args);
            voted = served.xa().vote(session, txn, request.xid(), request.timeoutSeconds());
        } catch (RuntimeException e) {
            txn.clearStorageTransaction();
            CommitMethods.dropAfterFailedVote(session, txn);
            throw e;
        } finally {
            session.transactionSnapshot = null;
            txn.voteNanos += System.nanoTime() - start;
        }
        // Voted and in the log: the branch belongs to the storage now, not to this connection.
        txn.clearStorageTransaction();
        session.setTransaction(null);
        served.stats().activeTransactions.decrementAndGet();
        return session.answerLater(XaWire.VOTE, () -> new ArrayList<Object>(served.xa().makeDurable(session, voted)));
    }
}
