package org.jzeo.server.storage;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * XA branches kept by the storage's own database rather than by one server: a branch prepared through one server
 * is as durable as the database and can be committed, rolled back or recovered through any server sharing it.
 * Branches are named by a gid (the XA layer encodes the xid into it); the tid of a branch is chosen when it is
 * applied after its commit, never at prepare.
 */
public interface PreparedBranchStore {

    /** The outcome of a completed branch: committed as {@code tid} writing {@code oids}, or rolled back. */
    record BranchOutcome(Tid tid, List<Oid> oids) {
        public static final BranchOutcome ROLLED_BACK = new BranchOutcome(null, List.of());

        public BranchOutcome {
            oids = List.copyOf(oids);
        }

        public boolean committed() {
            return tid != null;
        }
    }

    /** A second prepare of a gid that is prepared already. */
    final class DuplicateBranchException extends StorageException {
        public DuplicateBranchException(String message) {
            super(message);
        }
    }

    /** A commit of a branch that is no longer prepared: {@link #outcome} says why (null: never known here). */
    final class BranchCompletedException extends StorageException {
        private final transient BranchOutcome outcome;

        public BranchCompletedException(String message, BranchOutcome outcome) {
            super(message);
            this.outcome = outcome;
        }

        public BranchOutcome outcome() {
            return outcome;
        }
    }

    /** Null when the database can keep prepared branches; otherwise why not, naming the setting to change. */
    String unavailableReason();

    /**
     * Ends {@code voted} (a transaction of this storage whose vote succeeded) as the prepared branch {@code gid}:
     * its records and the oids it only {@code checked} are kept with it, its locks stay held by the database.
     * Durable when this returns, {@code owner} (the user preparing it, null for none) with it; {@code voted} is
     * over either way.
     *
     * @throws DuplicateBranchException {@code gid} is prepared already (or being prepared by another server)
     */
    void prepare(StorageTransaction voted, String gid, TransactionMetadata metadata, Collection<Oid> checked,
                 String owner);

    /** The owner given when {@code gid} was prepared, while it is prepared; null if none or not prepared. */
    String owner(String gid);

    /**
     * The handle of the commit of branch {@code gid}: its {@code finish()} makes the decision durable and applies
     * the branch (choosing its tid), and the storage's commit listener is told of it with this handle, like any
     * commit of this storage. If the branch was completed meanwhile (through another server), finish throws
     * {@link BranchCompletedException} with the outcome.
     */
    StorageTransaction committing(String gid);

    /** The remembered outcome of {@code gid}, null if none; a commit is announced to the listener first. */
    BranchOutcome outcome(String gid);

    /**
     * Rolls branch {@code gid} back and remembers that. Returns the outcome: {@link BranchOutcome#ROLLED_BACK}, or a
     * commit decided earlier (applied now if it was not yet); null if the branch is unknown.
     */
    BranchOutcome rollback(String gid);

    /** The gids starting with {@code prefix} of the branches prepared (not yet decided) in the database. */
    List<String> prepared(String prefix);

    /** Applies the branches whose commit was decided but not applied (their server died in between). */
    int applyCommitted();

    /** The gids of the branches whose commit is decided but not yet applied (being applied, or left so). */
    List<String> committedGids();

    /** Applies branch {@code gid} if its commit is decided and not yet applied; false if there was nothing to do. */
    boolean applyCommitted(String gid);

    /** Forgets outcomes decided before {@code before}. */
    void forgetOutcomesBefore(Instant before);
}
