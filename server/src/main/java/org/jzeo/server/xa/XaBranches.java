package org.jzeo.server.xa;

import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.jzeo.api.Oid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.ReceivedBlobFiles;
import org.jzeo.storage.Operation;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * The XA branches of one storage (xa-mapping spec), as the server's protocol layer uses them. Each job is a class
 * of its own over the shared {@link BranchTable} (which states the invariants): {@link BranchRecovery} at start,
 * {@link BranchPreparation} for xa_vote, {@link BranchCompletion} for the second phase, {@link OutcomeMemory},
 * {@link HeuristicTimer} and {@link LogCompaction}.
 *
 * <p>Preparing takes the caller's vote in the middle: {@link #admit}, then the caller votes the operations in a
 * storage transaction begun with the admitted metadata (the same vote as a plain commit's), then {@link #log},
 * then {@link #makeDurable}, which the reply to xa_vote waits for but the connection's next transaction does not.
 * If anything fails after admission, the caller calls {@link #drop}.
 */
public final class XaBranches implements XaService {
    private final BranchTable table;
    private final HeuristicTimer timer;
    private final BranchRecovery recovery;
    private final BranchPreparation preparation;
    private final BranchCompletion completion;

    public XaBranches(String storageName, Storage storage, XaOptions options, InstantSource clock) {
        this.table = new BranchTable(storageName, storage, options, clock);
        LogCompaction compaction = new LogCompaction(table, options);
        this.timer = new HeuristicTimer(table, options);
        this.recovery = new BranchRecovery(table, compaction, timer);
        this.preparation = new BranchPreparation(table, timer);
        this.completion = new BranchCompletion(table, compaction);
    }

    /**
     * Whether this server can keep the storage's prepared branches as durably as its commits: in the prepared log
     * beside a FileStorage (an in-memory storage loses everything anyway). Other engines without a database of their
     * own to keep branches ({@link DatabaseXaBranches} serves PostgreSQL) are not offered XA: a prepare that a crash
     * could lose must be refused, not acknowledged.
     */
    @Override
    public boolean offered() {
        return table.storage instanceof org.jzeo.server.storage.file.FileStorage
                || table.storage instanceof org.jzeo.server.storage.memory.MemoryStorage;
    }

    /**
     * Brings back the branches of the prepared log, with their locks, before the server accepts clients; heuristic
     * timers run on {@code timers}.
     *
     * @throws PreparedLogCorruptException the log is damaged
     */
    @Override
    public void start(ScheduledExecutorService timers) {
        timer.start(timers);
        recovery.recover();
        if (table.storage.supportsBlobs()) {
            Set<Path> inUse = new HashSet<>();
            table.lock.lock();
            try {
                for (PreparedBranch b : table.prepared.values()) {
                    inUse.addAll(ReceivedBlobFiles.files(b.record.operations()));
                }
            } finally {
                table.lock.unlock();
            }
            ReceivedBlobFiles.sweepUploads(table.storage.blobTemporaryDirectory(), inUse);
        }
    }

    /**
     * Admits {@code xid} for prepare with {@code ops} under {@code metadata}: refused (the branch rolled back) if it
     * holds an undo or a restore or has an explicit tid, XAER_DUPID if the xid is known. {@code owner} goes into
     * its prepared record.
     */
    @Override
    public PreparingBranch admit(WireXid xid, List<Operation> ops, TransactionMetadata metadata, String owner) {
        return preparation.admit(xid, ops, metadata, owner);
    }

    /** Appends the prepared record of {@code branch}, voted as {@code st}; not yet durable. */
    @Override
    public VotedBranch log(PreparingBranch branch, StorageTransaction st, List<Oid> undone, int timeoutSeconds) {
        return preparation.log(branch, st, undone, timeoutSeconds);
    }

    /** Drops an admitted branch that failed before it was durable, aborting {@code st} if there is one. */
    @Override
    public void drop(PreparingBranch branch, StorageTransaction st) {
        preparation.drop(branch.xid(), st);
    }

    /** Forces {@code voted}'s record and publishes the branch as prepared; returns the oids the vote undid. */
    @Override
    public List<Oid> makeDurable(VotedBranch voted, String caller) {
        return preparation.makeDurable(voted, caller);
    }

    /**
     * Commits branch {@code xid}; the answer {@code [tid, oids]} goes out at the commit point through
     * {@code point}, and null is returned then; otherwise (a remembered outcome) the answer is returned.
     */
    @Override
    public Object commit(WireXid xid, CommitPoint point) {
        return completion.commit(xid, point);
    }

    /** Rolls branch {@code xid} back: logged first, then its locks are released. */
    @Override
    public void rollback(WireXid xid) {
        completion.rollback(xid);
    }

    /** The prepared branches and the heuristically completed ones not yet forgotten. */
    @Override
    public List<WireXid> recover() {
        return completion.recover();
    }

    /** From the prepared record, or the heuristic outcome that kept it (both in the log across restarts). */
    @Override
    public String owner(WireXid xid) {
        return completion.owner(xid);
    }

    /** Forgets a heuristic outcome. */
    @Override
    public void forget(WireXid xid) {
        completion.forget(xid);
    }

    /**
     * Makes every record of the log durable, the lazily written commit outcomes included. Called before a pack:
     * an outcome may be written lazily only because a restart finds the commit in Data.fs by its xid, and a pack
     * can remove that transaction.
     */
    @Override
    public void syncLog() throws IOException {
        PreparedLog log;
        table.lock.lock();
        try {
            log = table.log;
        } finally {
            table.lock.unlock();
        }
        log.syncTo(log.size());
    }

    /** Stops the timers, releases the locks of the prepared branches (they stay in the log) and closes the log. */
    @Override
    public void close() {
        table.lock.lock();
        try {
            for (PreparedBranch b : table.prepared.values()) {
                if (b.timer != null) {
                    b.timer.cancel(false);
                }
                if (b.txn != null && !b.busy) {
                    b.txn.abort();
                }
            }
            table.log.close();
        } finally {
            table.lock.unlock();
        }
    }
}
