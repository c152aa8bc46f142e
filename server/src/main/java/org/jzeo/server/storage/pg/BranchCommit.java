package org.jzeo.server.storage.pg;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * The commit of a prepared XA branch, as a storage transaction that only finishes: the server's commit point knows
 * a commit by its transaction object, and this is the object the storage's listener is told of when the branch is
 * applied. {@code finish()} makes the decision durable (COMMIT PREPARED, unless {@code decided}) and applies it.
 */
final class BranchCommit implements StorageTransaction {
    private final PostgresBranches branches;
    private final String gid;
    private final boolean decided;
    private List<Oid> oids = List.of();
    private boolean finished;

    BranchCommit(PostgresBranches branches, String gid, boolean decided) {
        this.branches = branches;
        this.gid = gid;
        this.decided = decided;
    }

    @Override
    public Tid finish() {
        if (finished) {
            throw new StorageTransactionException("XA branch " + gid + " was already committed through this handle");
        }
        finished = true;
        if (!decided) {
            branches.commitPrepared(gid);
        }
        BranchApplier.Applied applied = branches.applier().apply(gid, this, branches);
        oids = applied.oids();
        return applied.tid();
    }

    @Override
    public List<Oid> writtenOids() {
        return oids;
    }

    @Override
    public TransactionMetadata metadata() {
        return TransactionMetadata.empty();
    }

    @Override
    public void abort() {
        // Nothing is held before finish; a decided commit cannot be taken back.
    }

    @Override
    public void cancel() {
    }

    private static UnsupportedOperationException onlyFinishes() {
        return new UnsupportedOperationException("the commit of a prepared XA branch only finishes");
    }

    @Override
    public void store(Oid oid, Tid serial, byte[] data) {
        throw onlyFinishes();
    }

    @Override
    public void checkCurrentSerial(Oid oid, Tid serial) {
        throw onlyFinishes();
    }

    @Override
    public void delete(Oid oid, Tid serial) {
        throw onlyFinishes();
    }

    @Override
    public void restore(Oid oid, Tid serial, byte[] data, Tid prevTxn) {
        throw onlyFinishes();
    }

    @Override
    public void undo(byte[] transactionId) {
        throw onlyFinishes();
    }

    @Override
    public List<Oid> vote() {
        throw onlyFinishes();
    }

    @Override
    public Vote voteAllowingConflicts() {
        throw onlyFinishes();
    }

    @Override
    public String toString() {
        return "BranchCommit[" + gid + "]";
    }
}
