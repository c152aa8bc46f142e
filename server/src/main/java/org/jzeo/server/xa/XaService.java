package org.jzeo.server.xa;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.jzeo.api.Oid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * The XA branches of one storage as the protocol layer uses them (xa-mapping spec). Two keepers: {@link XaBranches}
 * keeps them in a prepared log beside the storage (FileStorage; in memory for MemoryStorage), and
 * {@link DatabaseXaBranches} leaves them to a storage whose database keeps prepared transactions (PostgreSQL), so
 * that any server sharing that database can finish them. {@link #of} picks one for a storage.
 *
 * <p>Preparing takes the caller's vote in the middle: {@link #admit}, then the caller votes the operations in a
 * storage transaction begun with the admitted metadata (the same vote as a plain commit's), then {@link #log},
 * then {@link #makeDurable}, which the reply to xa_vote waits for but the connection's next transaction does not.
 * If anything fails after admission, the caller calls {@link #drop}.
 */
public interface XaService {

    /** The keeper of {@code storage}'s branches. */
    static XaService of(String storageName, org.jzeo.storage.Storage storage, XaOptions options,
                        java.time.InstantSource clock) {
        if (storage instanceof org.jzeo.server.storage.PreparedBranchSource source) {
            return new DatabaseXaBranches(storageName, storage, source.preparedBranches(), options, clock);
        }
        return new XaBranches(storageName, storage, options, clock);
    }

    /** Whether prepared branches are kept as durably as commits: if not, xa_vote is refused and XA not advertised. */
    boolean offered();

    /** Brings back the prepared branches, with their locks, before the server accepts clients. */
    void start(ScheduledExecutorService timers);

    /**
     * Admits {@code xid} for prepare with {@code ops} under {@code metadata} (refusals and XAER_DUPID). {@code owner}
     * is the authenticated user preparing it, kept as durably as the branch ({@link #owner}); null when the server
     * has no authentication: the branch then has no owner.
     */
    PreparingBranch admit(WireXid xid, List<Operation> ops, TransactionMetadata metadata, String owner);

    /** Records {@code branch}, voted as {@code st}; not yet durable. */
    VotedBranch log(PreparingBranch branch, StorageTransaction st, List<Oid> undone, int timeoutSeconds);

    /** Drops an admitted branch that failed before it was durable, aborting {@code st} if there is one. */
    void drop(PreparingBranch branch, StorageTransaction st);

    /** Makes {@code voted} durable and publishes it as prepared; returns the oids the vote undid. */
    List<Oid> makeDurable(VotedBranch voted, String caller);

    /**
     * Commits branch {@code xid}; the answer {@code [tid, oids]} goes out at the commit point through
     * {@code point}, and null is returned then; otherwise (a remembered outcome) the answer is returned.
     */
    Object commit(WireXid xid, CommitPoint point);

    /** Rolls branch {@code xid} back. */
    void rollback(WireXid xid);

    /** The prepared branches and the heuristically completed ones not yet forgotten. */
    List<WireXid> recover();

    /**
     * The user who prepared {@code xid}, for the branches {@link #recover} lists (prepared, or completed
     * heuristically and not yet forgotten), also after a restart; null if it was prepared without an owner or is
     * not one of those. The rights check asks it before a commit, rollback or forget by another user.
     */
    String owner(WireXid xid);

    /** Forgets a heuristic outcome. */
    void forget(WireXid xid);

    /** Makes every record of the branches durable before a pack. */
    void syncLog() throws IOException;

    /** Stops the timers and lets go of what this server holds for the branches (they stay prepared). */
    void close();
}
