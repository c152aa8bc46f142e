package org.jzeo.server.xa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.storage.Operation;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA branches at start: reads the prepared log, recognises branches committed in the storage before a crash
 * (their outcome record was not yet written), re-votes the others so that they hold their locks again, compacts
 * the log and arms the heuristic timers. Runs before the server accepts clients.
 */
final class BranchRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(BranchRecovery.class);

    private final BranchTable table;
    private final LogCompaction compaction;
    private final HeuristicTimer timer;

    BranchRecovery(BranchTable table, LogCompaction compaction, HeuristicTimer timer) {
        this.table = table;
        this.compaction = compaction;
        this.timer = timer;
    }

    /**
     * Opens the log of a writable file storage and brings its branches back; a storage not on disk keeps its
     * branches in memory only.
     *
     * @throws PreparedLogCorruptException the log is damaged
     */
    void recover() {
        Storage storage = table.storage;
        Path path = storage instanceof FileStorage fs && !fs.isReadOnly() ? PreparedLog.pathFor(fs.path()) : null;
        if (path == null) {
            return;
        }
        List<XaLogRecord> records = new ArrayList<>();
        try {
            table.log = PreparedLog.open(path, records);
        } catch (IOException e) {
            throw new UncheckedIOException("opening the XA log " + path + ": " + e.getMessage(), e);
        }
        if (records.isEmpty() && table.log.size() == 0) {
            return;
        }
        table.lock.lock();
        try {
            Map<WireXid, XaLogRecord.Prepared> found = replay(records);
            table.outcomes.trim();
            recognise(found);
            for (XaLogRecord.Prepared p : found.values()) {
                relock(p);
            }
            reportDamagedPrepares(path);
            compaction.compact();
            for (PreparedBranch b : table.prepared.values()) {
                timer.arm(b);
            }
            LOG.info("storage '{}': XA log {}: {} prepared branch(es), {} remembered outcome(s)", table.storageName,
                    path, table.prepared.size(), table.outcomes.size());
        } finally {
            table.lock.unlock();
        }
    }

    /** The last word of the log on each xid: the branches still prepared are returned, the outcomes remembered. */
    private Map<WireXid, XaLogRecord.Prepared> replay(List<XaLogRecord> records) {
        Map<WireXid, XaLogRecord.Prepared> found = new LinkedHashMap<>();
        OutcomeMemory outcomes = table.outcomes;
        for (XaLogRecord r : records) {
            WireXid xid = r.xid();
            if (r instanceof XaLogRecord.Prepared p) {
                found.put(xid, p);
                outcomes.remove(xid);
            } else if (r instanceof XaLogRecord.Committed c) {
                found.remove(xid);
                outcomes.put(xid, Outcome.committed(c.timeMillis(), c.tid(), c.oids()));
            } else if (r instanceof XaLogRecord.RolledBack) {
                found.remove(xid);
                outcomes.put(xid, Outcome.rolledBack(r.timeMillis()));
            } else if (r instanceof XaLogRecord.HeuristicRollback h) {
                found.remove(xid);
                outcomes.put(xid, Outcome.heuristic(h.timeMillis(), h.owner()));
            } else if (r instanceof XaLogRecord.Forgotten) {
                outcomes.remove(xid);
            }
        }
        return found;
    }

    /** Prepared branches whose commit is in the storage (the server died before logging the outcome). */
    private void recognise(Map<WireXid, XaLogRecord.Prepared> found) {
        if (found.isEmpty()) {
            return;
        }
        Tid oldest = null;
        Map<String, WireXid> byName = new HashMap<>();
        for (XaLogRecord.Prepared p : found.values()) {
            if (oldest == null || p.lastTidAtPrepare().isBefore(oldest)) {
                oldest = p.lastTidAtPrepare();
            }
            byName.put(p.xid().toString(), p.xid());
        }
        if (!table.storage.lastTransaction().isAfter(oldest)) {
            return;
        }
        try {
            XidCommits.scan(table.storage, Tid.of(oldest.value() + 1), byName, (xid, t) -> {
                XaLogRecord.Prepared p = found.get(xid);
                if (p == null || !t.tid().isAfter(p.lastTidAtPrepare())) {
                    return true;
                }
                LOG.info("storage '{}': XA branch {} was committed as {} before the server stopped; recording its"
                        + " outcome", table.storageName, xid, t.tid());
                found.remove(xid);
                table.outcomes.put(xid, Outcome.committed(table.clock.millis(), t.tid(), XidCommits.writtenOids(t)));
                return !found.isEmpty();
            });
        } catch (RuntimeException e) {
            throw new IllegalStateException("storage '" + table.storageName + "': scanning for committed XA branches"
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A prepare whose record was in the damaged tail the log cut away, and of which nothing else is known, is
     * reported as rolled back heuristically (recorded with the compaction that follows): its changes are not
     * applied, and a transaction manager that had the prepare acknowledged learns it at commit (XA_HEURRB)
     * instead of being told the branch is unknown, which it would take as done.
     */
    private void reportDamagedPrepares(Path path) {
        for (WireXid xid : table.log.damagedPrepares()) {
            if (table.prepared.containsKey(xid) || table.outcomes.get(xid) != null
                    || table.outcomes.committedInStorage(xid) != null) {
                continue;
            }
            // Its owner was in the damaged record: unknown (null), so the rights check leaves it to any user.
            table.outcomes.put(xid, Outcome.heuristic(table.clock.millis(), null));
            LOG.error("storage '{}': the record of XA branch {} in {} was damaged and cut away; the branch is"
                    + " reported as rolled back heuristically until xa_forget", table.storageName, xid, path);
        }
    }

    /** Votes {@code p} again, so that it holds its locks; a branch that cannot is rolled back heuristically. */
    private void relock(XaLogRecord.Prepared p) {
        StorageTransaction st = table.storage.begin(p.metadata());
        try {
            for (Operation op : p.operations()) {
                op.applyTo(st);
            }
            st.vote();
            table.prepared.put(p.xid(), new PreparedBranch(p, st));
        } catch (RuntimeException e) {
            st.abort();
            LOG.error("storage '{}': XA branch {} was prepared but cannot be locked again ({}); it is reported as"
                    + " rolled back heuristically until xa_forget", table.storageName, p.xid(), e.toString());
            table.outcomes.put(p.xid(), Outcome.heuristic(table.clock.millis(), p.owner()));
        }
    }
}
