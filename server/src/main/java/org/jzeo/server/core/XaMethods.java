package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Args;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.Requests.XaBranchCall;
import org.jzeo.protocol.Requests.XaVote;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.storage.commit.LockTimeoutException;
import org.jzeo.api.AccessDeniedException;
import org.jzeo.server.auth.Right;
import org.jzeo.server.xa.CommitPoint;
import org.jzeo.server.xa.PreparingBranch;
import org.jzeo.server.xa.VotedBranch;
import org.jzeo.server.xa.XaService;
import org.jzeo.server.xa.XaErrors;
import org.jzeo.storage.StorageTransaction;

/**
 * jzeo's XA extension of the protocol ({@link XaWire}), over the storage's {@link XaService}: xa_vote instead of
 * vote prepares the session's transaction as a durable branch detached from the connection, on the connection's
 * serial executor like vote; xa_commit, xa_rollback, xa_recover and xa_forget work on the storage's branches from
 * any connection, on the connection's branch executor ({@link MethodTable.Mode#BRANCH}).
 */
final class XaMethods {
    private XaMethods() {
    }

    static void addTo(MethodTable table) {
        table.add(XaWire.VOTE, MethodTable.Mode.SERIAL, XaMethods::vote);
        table.add(XaWire.COMMIT, MethodTable.Mode.BRANCH, (s, a) -> {
            XaBranchCall r = XaBranchCall.decode(XaWire.COMMIT, a);
            CommitMethods.requireWritable(s);
            requireBranchAccess(s, r.xid(), "commit");
            Object answer = s.storage().xa().commit(r.xid(), commitPoint(s, s.branchMsgid()));
            return answer == null ? ZeoSession.REPLIED : answer;
        });
        table.add(XaWire.ROLLBACK, MethodTable.Mode.BRANCH, (s, a) -> {
            XaBranchCall r = XaBranchCall.decode(XaWire.ROLLBACK, a);
            CommitMethods.requireWritable(s);
            requireBranchAccess(s, r.xid(), "roll back");
            s.storage().xa().rollback(r.xid());
            return null;
        });
        table.add(XaWire.RECOVER, MethodTable.Mode.BRANCH, (s, a) -> {
            Args.requireCount(a, 0, 0);
            List<Object> xids = new ArrayList<>();
            for (WireXid xid : s.storage().xa().recover()) {
                if (s.right() == Right.ADMIN || mayComplete(s, s.storage().xa().owner(xid))) {
                    xids.add(XaWire.encode(xid));
                }
            }
            return xids;
        });
        table.add(XaWire.FORGET, MethodTable.Mode.BRANCH, (s, a) -> {
            XaBranchCall r = XaBranchCall.decode(XaWire.FORGET, a);
            CommitMethods.requireWritable(s);
            requireBranchAccess(s, r.xid(), "forget");
            s.storage().xa().forget(r.xid());
            return null;
        });
    }

    /** Whether the session may complete a branch {@code owner} prepared: its own, an unowned one, or as admin. */
    private static boolean mayComplete(ZeoSession session, String owner) {
        return owner == null || session.right() == Right.ADMIN || owner.equals(session.branchOwner());
    }

    /**
     * Refuses, as the XA error XAER_RMERR (a refusal, not an outage a transaction manager should retry), to complete
     * another user's branch without admin rights; the branch stays prepared for its owner or an admin.
     */
    private static void requireBranchAccess(ZeoSession session, WireXid xid, String what) {
        if (session.right() == Right.ADMIN) {
            return;   // also every connection of a server without authentication: no lookup
        }
        String owner = session.storage().xa().owner(xid);
        if (!mayComplete(session, owner)) {
            throw XaErrors.error(XAException.XAER_RMERR, AccessDeniedException.PREFIX + session.principal().describe()
                    + " may not " + what + " branch " + xid + ", which user '" + owner + "' prepared (needs admin)");
        }
    }

    /**
     * {@code xa_vote(txn, xid, timeout)}: votes and appends the prepared record here, in the connection's order;
     * the reply waits for the record's fsync, but the connection's next transaction does not.
     */
    private static Object vote(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 3, 3);
        ServedStorage served = session.storage();
        if (!served.xa().offered()) {
            throw XaErrors.error(XAException.XAER_RMERR, "storage '" + served.name() + "' does not offer durable"
                    + " XA prepare (the server's log says why); commit without XA");
        }
        ServerTransaction txn = CommitMethods.votable(session, Args.value(args, 0));
        if (txn.storageTransaction() != null) {
            // Left open by a plain vote that answered conflicts: the branch votes its own, so let those locks go.
            txn.storageTransaction().abort();
            txn.clearStorageTransaction();
        }
        long start = System.nanoTime();
        VotedBranch voted = CommitMethods.voteRound(session, txn, start,
                () -> prepare(session, txn, XaVote.decode(args)));
        // Voted and in the log: the branch belongs to the storage now, not to this connection.
        txn.clearStorageTransaction();
        txn.handBlobFilesToBranch();
        session.setTransaction(null);
        served.stats().activeTransactions.decrementAndGet();
        return session.answerLater(XaWire.VOTE,
                () -> new ArrayList<Object>(served.xa().makeDurable(voted, session.describe())));
    }

    /**
     * Admits the branch, votes it as a plain vote would (without conflicts for the client) and appends its
     * prepared record; on any failure the branch is dropped.
     */
    private static VotedBranch prepare(ZeoSession session, ServerTransaction txn, XaVote request) {
        ServedStorage served = session.storage();
        XaService xa = served.xa();
        PreparingBranch branch = xa.admit(request.xid(), txn.operations(), txn.metadata(), session.branchOwner());
        StorageTransaction st = null;
        try {
            st = served.storage().begin(branch.metadata());
            txn.replayInto(st);
            List<Oid> undone;
            try {
                undone = CommitMethods.voteStorageTransaction(session, txn, st, false).changed();
            } catch (LockTimeoutException e) {
                throw XaErrors.error(XAException.XA_RBDEADLOCK, "branch " + request.xid() + " rolled back: "
                        + e.getMessage());
            }
            return xa.log(branch, st, undone, request.timeoutSeconds());
        } catch (RuntimeException | Error e) {
            xa.drop(branch, st);
            throw e;
        }
    }

    /** xa_commit's reply at the commit point, as tpc_finish's: through the storage's finishing committers. */
    private static CommitPoint commitPoint(ZeoSession session, MessageId msgid) {
        ServedStorage served = session.storage();
        return new CommitPoint() {
            @Override
            public BooleanSupplier arm(StorageTransaction txn, BiFunction<Tid, List<Oid>, Object> reply) {
                ServedStorage.Finisher finisher = served.finishing(txn, session, msgid, 0, reply);
                return () -> finisher.replied;
            }

            @Override
            public void disarm(StorageTransaction txn) {
                served.finished(txn);
            }

            @Override
            public String caller() {
                return session.describe();
            }
        };
    }
}
