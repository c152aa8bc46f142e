package org.jzeo.server.core;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.commit.LockTimeoutException;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.xa.PreparedLog;
import org.jzeo.server.xa.XaErrors;
import org.jzeo.server.xa.XaLogRecord;
import org.jzeo.server.xa.XaOptions;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.Operation;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA branches of one storage (xa-mapping spec): the prepared ones, each a voted storage transaction holding
 * its object locks and detached from any connection, and the remembered outcomes of completed ones, all backed by
 * the {@link PreparedLog} beside the data file.
 *
 * <p>Invariants, all under {@link #lock}: a branch is in {@link #prepared} only once its prepared record is
 * fsynced, and leaves it only once its outcome is decided (committed in the storage, or a rollback record
 * fsynced); {@code xa_recover} reads the maps under the same lock, so it never lists a branch that is not durably
 * prepared and never misses one whose prepare was answered. A rollback is logged before the locks are released,
 * so a crash cannot bring back a branch whose objects others already changed. A commit's outcome record is
 * written after the storage commit; if the server dies in between, the restart finds the commit in the storage
 * by the {@code jzeo.xid} extension and records the outcome then.
 */
final class XaBranches {
    private static final Logger LOG = LoggerFactory.getLogger(XaBranches.class);
    /** The transaction extension key naming the branch a commit belongs to. */
    static final String XID_EXTENSION = "jzeo.xid";

    private enum Kind { COMMITTED, ROLLED_BACK, HEURISTIC }

    private record Outcome(Kind kind, long timeMillis, Tid tid, List<Oid> oids) {
    }

    private static final class Branch {
        final XaLogRecord.Prepared record;
        StorageTransaction txn;
        boolean busy;
        ScheduledFuture<?> timer;

        Branch(XaLogRecord.Prepared record, StorageTransaction txn) {
            this.record = record;
            this.txn = txn;
        }
    }

    private final ServedStorage served;
    private final XaOptions options;
    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Prepared records written but not yet forced and published; guarded by {@link #lock}. */
    private int unpublished;
    private final Condition changed = lock.newCondition();
    private final Map<WireXid, Branch> prepared = new LinkedHashMap<>();
    private final Map<WireXid, Outcome> outcomes = new LinkedHashMap<>();
    private final Set<WireXid> preparing = new HashSet<>();
    private PreparedLog log = PreparedLog.inMemory();
    /** Whether the outcome limit was reached once (it is logged once); guarded by {@link #lock}. */
    private boolean warnedAboutLimit;
    /** The log's size after the last compaction (what it holds live then); guarded by {@link #lock}. */
    private long compactedSize;
    private ScheduledExecutorService scheduler;

    XaBranches(ServedStorage served, XaOptions options, InstantSource clock) {
        this.served = served;
        this.options = options;
        this.clock = clock;
    }

    // ----- start and stop ------------------------------------------------------------------------------------

    /**
     * Reads the prepared log, recognises branches committed before a crash, re-votes the others (re-taking their
     * locks) and compacts the log. Runs before the server accepts clients.
     *
     * @throws org.jzeo.server.xa.PreparedLogCorruptException the log is damaged
     */
    void start(ScheduledExecutorService timers) {
        this.scheduler = timers;
        Storage storage = served.storage();
        Path path = storage instanceof FileStorage fs && !fs.isReadOnly() ? PreparedLog.pathFor(fs.path()) : null;
        if (path == null) {
            return;
        }
        List<XaLogRecord> records = new ArrayList<>();
        try {
            log = PreparedLog.open(path, records);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("opening the XA log " + path + ": " + e.getMessage(), e);
        }
        if (records.isEmpty() && log.size() == 0) {
            return;
        }
        lock.lock();
        try {
            Map<WireXid, XaLogRecord.Prepared> found = replay(records);
            trimOutcomes();
            recognise(found, storage);
            for (XaLogRecord.Prepared p : found.values()) {
                relock(p, storage);
            }
            compact();
            for (Branch b : prepared.values()) {
                schedule(b);
            }
            LOG.info("storage '{}': XA log {}: {} prepared branch(es), {} remembered outcome(s)", served.name(),
                    path, prepared.size(), outcomes.size());
        } finally {
            lock.unlock();
        }
    }

    private Map<WireXid, XaLogRecord.Prepared> replay(List<XaLogRecord> records) {
        Map<WireXid, XaLogRecord.Prepared> found = new LinkedHashMap<>();
        for (XaLogRecord r : records) {
            WireXid xid = r.xid();
            if (r instanceof XaLogRecord.Prepared p) {
                found.put(xid, p);
                outcomes.remove(xid);
            } else if (r instanceof XaLogRecord.Committed c) {
                found.remove(xid);
                outcomes.put(xid, new Outcome(Kind.COMMITTED, c.timeMillis(), c.tid(), c.oids()));
            } else if (r instanceof XaLogRecord.RolledBack) {
                found.remove(xid);
                outcomes.put(xid, new Outcome(Kind.ROLLED_BACK, r.timeMillis(), null, List.of()));
            } else if (r instanceof XaLogRecord.HeuristicRollback) {
                found.remove(xid);
                outcomes.put(xid, new Outcome(Kind.HEURISTIC, r.timeMillis(), null, List.of()));
            } else if (r instanceof XaLogRecord.Forgotten) {
                outcomes.remove(xid);
            }
        }
        return found;
    }

    /** Prepared branches whose commit is in the storage (the server died before logging the outcome). */
    private void recognise(Map<WireXid, XaLogRecord.Prepared> found, Storage storage) {
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
        if (!storage.lastTransaction().isAfter(oldest)) {
            return;
        }
        try {
            scanCommits(storage, Tid.of(oldest.value() + 1), byName, (xid, t) -> {
                XaLogRecord.Prepared p = found.get(xid);
                if (p == null || !t.tid().isAfter(p.lastTidAtPrepare())) {
                    return true;
                }
                LOG.info("storage '{}': XA branch {} was committed as {} before the server stopped; recording its"
                        + " outcome", served.name(), xid, t.tid());
                found.remove(xid);
                outcomes.put(xid, new Outcome(Kind.COMMITTED, clock.millis(), t.tid(), writtenOids(t)));
                return !found.isEmpty();
            });
        } catch (RuntimeException e) {
            throw new IllegalStateException("storage '" + served.name() + "': scanning for committed XA branches"
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Calls {@code found} for every transaction from {@code from} on whose xid is one of {@code wanted}'s, until it
     * returns false.
     */
    private static void scanCommits(Storage storage, Tid from, Map<String, WireXid> wanted,
                                    java.util.function.BiPredicate<WireXid, TransactionRecord> found) {
        try (StorageIterator it = storage.iterator(from, null)) {
            while (it.hasNext()) {
                TransactionRecord t = it.next();
                Object name = t.extension().get(XID_EXTENSION);
                WireXid xid = name instanceof String s ? wanted.get(s) : null;
                if (xid != null && !found.test(xid, t)) {
                    return;
                }
            }
        }
    }

    private static List<Oid> writtenOids(TransactionRecord t) {
        List<Oid> oids = new ArrayList<>();
        for (DataRecord d : t.records()) {
            oids.add(d.oid());
        }
        return List.copyOf(oids);
    }

    /**
     * The commit of {@code xid} within {@code xa-outcome-retention}, looked up in the storage: for a commit repeated
     * after its outcome was forgotten early for {@code xa-outcome-limit} (or lost from the log with it), so that it
     * is still answered as committed for as long as the retention promises. Null if there is none. A scan of the
     * retention's transactions, outside the branches' lock: only an xid the server does not know pays for it.
     */
    private Outcome committedInStorage(WireXid xid) {
        Tid from = Tid.fromInstant(java.time.Instant.ofEpochMilli(
                Math.max(0, clock.millis() - options.outcomeRetention().toMillis())));
        Outcome[] found = new Outcome[1];
        scanCommits(served.storage(), from, Map.of(xid.toString(), xid), (x, t) -> {
            found[0] = new Outcome(Kind.COMMITTED, clock.millis(), t.tid(), writtenOids(t));
            return false;
        });
        if (found[0] != null) {
            LOG.info("storage '{}': XA branch {} is no longer remembered; found its commit {} in the storage",
                    served.name(), xid, found[0].tid());
        }
        return found[0];
    }

    private void relock(XaLogRecord.Prepared p, Storage storage) {
        StorageTransaction st = storage.begin(p.metadata());
        try {
            for (Operation op : p.operations()) {
                op.applyTo(st);
            }
            st.vote();
            prepared.put(p.xid(), new Branch(p, st));
        } catch (RuntimeException e) {
            st.abort();
            LOG.error("storage '{}': XA branch {} was prepared but cannot be locked again ({}); it is reported as"
                    + " rolled back heuristically until xa_forget", served.name(), p.xid(), e.toString());
            outcomes.put(p.xid(), new Outcome(Kind.HEURISTIC, clock.millis(), null, List.of()));
        }
    }

    /** Rewrites the log with what is still live, forgetting completed outcomes past the retention. */
    private void compact() {
        long now = clock.millis();
        long retention = options.outcomeRetention().toMillis();
        List<XaLogRecord> live = new ArrayList<>();
        for (Branch b : prepared.values()) {
            live.add(b.record);
        }
        outcomes.entrySet().removeIf(e -> e.getValue().kind() != Kind.HEURISTIC
                && now - e.getValue().timeMillis() > retention);
        for (Map.Entry<WireXid, Outcome> e : outcomes.entrySet()) {
            Outcome o = e.getValue();
            live.add(switch (o.kind()) {
                case COMMITTED -> new XaLogRecord.Committed(e.getKey(), o.timeMillis(), o.tid(), o.oids());
                case ROLLED_BACK -> new XaLogRecord.RolledBack(e.getKey(), o.timeMillis());
                case HEURISTIC -> new XaLogRecord.HeuristicRollback(e.getKey(), o.timeMillis(), "");
            });
        }
        try {
            long before = log.size();
            log.rewrite(live);
            compactedSize = log.size();
            LOG.debug("storage '{}': XA log compacted from {} to {} bytes", served.name(), before, log.size());
        } catch (IOException e) {
            // The old log is intact (the rename did not happen): nothing is lost, it is only longer.
            LOG.error("storage '{}': compacting the XA log {} failed; keeping it as it is", served.name(),
                    log.path(), e);
        }
    }

    /** A prepared record that could not be made durable: the branch is rolled back. */
    private RuntimeException logFailure(WireXid xid, IOException e) {
        LOG.error("storage '{}': writing XA branch {} to the prepared log failed", served.name(), xid, e);
        return XaErrors.error(XAException.XAER_RMERR, "branch " + xid + " rolled back: the server could not write"
                + " its prepared log: " + e.getMessage());
    }

    /**
     * Forgets the oldest completed outcomes beyond {@code xa-outcome-limit} (heuristic ones stay until xa_forget):
     * remembered outcomes cost heap, and a day of them at a high XA rate would not fit. The log loses them at its
     * next compaction. A commit repeated after its outcome went is still answered as committed, from the storage
     * ({@link #committedInStorage}); a repeated rollback gets XAER_NOTA, which transaction managers take as done.
     */
    private void trimOutcomes() {
        int excess = outcomes.size() - options.outcomeLimit();
        if (excess <= 0) {
            return;
        }
        Iterator<Map.Entry<WireXid, Outcome>> oldestFirst = outcomes.entrySet().iterator();
        while (excess > 0 && oldestFirst.hasNext()) {
            if (oldestFirst.next().getValue().kind() != Kind.HEURISTIC) {
                oldestFirst.remove();
                excess--;
            }
        }
        if (!warnedAboutLimit) {
            warnedAboutLimit = true;
            LOG.warn("storage '{}': more than {} completed XA outcomes within xa-outcome-retention ({}); the oldest"
                    + " are forgotten early from now on; a repeated commit of one is then looked up in the storage (raise"
                    + " xa-outcome-limit to keep more in memory)", served.name(),
                    options.outcomeLimit(), options.outcomeRetention());
        }
    }

    private void maybeCompact() {
        trimOutcomes();
        if (unpublished > 0) {
            return; // a compaction would leave out records written but not yet forced and published
        }
        if (compactionDue(log.size(), compactedSize, options.compactThreshold(), prepared.isEmpty())) {
            compact();
        }
    }

    /**
     * Whether a log of {@code size} bytes, {@code compactedSize} right after its last compaction, is due for one.
     * Measured by the growth since then, not the size: the remembered outcomes alone can exceed the threshold (a
     * day of commits), and a size test then rewrote the whole log at every commit. Waiting for a growth of at
     * least the live size keeps the rewriting to a constant cost per record appended. While branches are
     * prepared, only a growth of 16 thresholds (or of the live size, if larger) forces it.
     */
    static boolean compactionDue(long size, long compactedSize, long threshold, boolean nonePrepared) {
        long growth = size - compactedSize;
        return growth > Math.max(threshold, compactedSize)
                && (nonePrepared || growth > Math.max(16 * threshold, compactedSize));
    }

    /** Stops the timers, releases the locks of the prepared branches (they stay in the log) and closes the log. */
    void close() {
        lock.lock();
        try {
            for (Branch b : prepared.values()) {
                if (b.timer != null) {
                    b.timer.cancel(false);
                }
                if (b.txn != null && !b.busy) {
                    b.txn.abort();
                }
            }
            log.close();
        } finally {
            lock.unlock();
        }
    }

    // ----- prepare -------------------------------------------------------------------------------------------

    /** A branch voted (locks taken, checks passed) and appended to the log, not yet durable. */
    static final class VotedBranch {
        private final WireXid xid;
        private final XaLogRecord.Prepared record;
        private final StorageTransaction transaction;
        private final long logOffset;
        private final List<Oid> undone;

        private VotedBranch(WireXid xid, XaLogRecord.Prepared record, StorageTransaction transaction, long logOffset,
                            List<Oid> undone) {
            this.xid = xid;
            this.record = record;
            this.transaction = transaction;
            this.logOffset = logOffset;
            this.undone = undone;
        }
    }

    /**
     * Votes {@code txn} as branch {@code xid} and appends its prepared record; {@link #makeDurable} then forces
     * it. Split so that the connection can go on with its next transaction while the record is forced (the
     * reply to the vote still waits for it). On any failure the branch is dropped (the caller drops the
     * session's transaction).
     */
    VotedBranch vote(ZeoSession session, ServerTransaction txn, WireXid xid, int timeoutSeconds) {
        List<Operation> ops = txn.operations();
        if (ops.stream().anyMatch(op -> op instanceof Operation.Restore || op instanceof Operation.Undo)) {
            throw XaErrors.error(XAException.XA_RBPROTO, "undo and restore are not supported in an XA branch;"
                    + " branch " + xid + " rolled back");
        }
        if (txn.metadata().explicitTid() != null) {
            throw XaErrors.error(XAException.XA_RBPROTO, "a transaction with an explicit tid (restore/copy) cannot"
                    + " be an XA branch; branch " + xid + " rolled back");
        }
        lock.lock();
        try {
            if (prepared.containsKey(xid) || outcomes.containsKey(xid) || preparing.contains(xid)) {
                throw XaErrors.error(XAException.XAER_DUPID, "branch " + xid + " is already "
                        + (prepared.containsKey(xid) ? "prepared" : preparing.contains(xid) ? "being prepared"
                        : "completed (" + outcomes.get(xid).kind().name().toLowerCase().replace('_', ' ') + ")")
                        + " on this storage");
            }
            preparing.add(xid);
        } finally {
            lock.unlock();
        }
        StorageTransaction st = null;
        try {
            TransactionMetadata given = txn.metadata();
            Map<String, Object> extension = new LinkedHashMap<>(given.extension());
            extension.put(XID_EXTENSION, xid.toString());
            TransactionMetadata meta = new TransactionMetadata(given.user(), given.description(), extension, null,
                    given.status());
            Tid lastTid = served.storage().lastTransaction();
            st = served.storage().begin(meta);
            for (Operation op : ops) {
                op.applyTo(st);
            }
            txn.setStorageTransaction(st);
            session.transactionSnapshot = txn;
            served.stats().waiting.incrementAndGet();
            List<Oid> undone;
            try {
                if (session.isClosed()) {
                    st.cancel();
                }
                undone = st.vote();
            } catch (LockTimeoutException e) {
                throw XaErrors.error(XAException.XA_RBDEADLOCK, "branch " + xid + " rolled back: " + e.getMessage());
            } finally {
                served.stats().waiting.decrementAndGet();
            }
            XaLogRecord.Prepared record = new XaLogRecord.Prepared(xid, clock.millis(), lastTid,
                    Math.max(0, timeoutSeconds), meta, ops);
            // Written under the lock, forced outside it (one fsync for every branch preparing meanwhile), and
            // published (recover lists it) only once forced. No compaction while a record is unpublished.
            lock.lock();
            try {
                long offset = log.appendForSync(record);
                unpublished++;
                return new VotedBranch(xid, record, st, offset, undone);
            } catch (IOException e) {
                throw logFailure(xid, e);
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException | Error e) {
            dropUnprepared(xid, st);
            throw e;
        }
    }

    /** Forces {@code voted}'s record and publishes the branch as prepared; returns the oids the vote undid. */
    List<Oid> makeDurable(ZeoSession session, VotedBranch voted) {
        try {
            log.syncTo(voted.logOffset);
        } catch (IOException e) {
            lock.lock();
            try {
                unpublished--;
            } finally {
                lock.unlock();
            }
            dropUnprepared(voted.xid, voted.transaction);
            throw logFailure(voted.xid, e);
        }
        lock.lock();
        try {
            unpublished--;
            Branch branch = new Branch(voted.record, voted.transaction);
            prepared.put(voted.xid, branch);
            preparing.remove(voted.xid);
            schedule(branch);
        } finally {
            lock.unlock();
        }
        LOG.debug("{}: XA branch {} prepared", session.describe(), voted.xid);
        return voted.undone;
    }

    private void dropUnprepared(WireXid xid, StorageTransaction st) {
        if (st != null) {
            st.abort();
        }
        lock.lock();
        try {
            preparing.remove(xid);
        } finally {
            lock.unlock();
        }
    }

    // ----- second phase --------------------------------------------------------------------------------------

    /**
     * Commits branch {@code xid} for {@code session}, whose {@code msgid} call is answered {@code [tid, oids]} at
     * the commit point (so it precedes the invalidations of any later commit on that connection); returns
     * {@link ZeoSession#REPLIED} then, or the answer itself when it comes from a remembered outcome.
     */
    Object commit(ZeoSession session, WireXid xid, MessageId msgid) {
        Object answer = commitIfKnown(session, xid, msgid);
        if (answer != null) {
            return answer;
        }
        Outcome committed = committedInStorage(xid);
        if (committed == null) {
            throw XaErrors.error(XAException.XAER_NOTA, "no branch " + xid + " is prepared on storage '"
                    + served.name() + "' and no outcome is remembered for it");
        }
        return answer(committed.tid(), committed.oids());
    }

    /** {@link #commit} of a branch prepared or remembered here; null if the xid is unknown. */
    private Object commitIfKnown(ZeoSession session, WireXid xid, MessageId msgid) {
        Branch branch;
        lock.lock();
        try {
            while (true) {
                Outcome o = outcomes.get(xid);
                if (o != null) {
                    return switch (o.kind()) {
                        case COMMITTED -> answer(o.tid(), o.oids());
                        case HEURISTIC -> throw XaErrors.error(XAException.XA_HEURRB, "branch " + xid
                                + " was rolled back heuristically by the server");
                        case ROLLED_BACK -> throw XaErrors.error(XAException.XA_RBROLLBACK, "branch " + xid
                                + " was rolled back");
                    };
                }
                branch = prepared.get(xid);
                if (branch == null || !branch.busy) {
                    break;
                }
                changed.awaitUninterruptibly();
            }
            if (branch == null) {
                return null;
            }
            if (branch.txn == null) {
                throw XaErrors.error(XAException.XAER_RMFAIL, "branch " + xid + " cannot be committed now: an earlier"
                        + " commit of it failed in the storage; try again after the server restarts");
            }
            branch.busy = true;
            if (branch.timer != null) {
                branch.timer.cancel(false);
            }
        } finally {
            lock.unlock();
        }
        StorageTransaction st = branch.txn;
        Branch committing = branch;
        // At the commit point, before the reply: recover must not list a branch whose commit was answered.
        ServedStorage.Finisher finisher = served.finishing(st, session, msgid, 0, (tid, oids) -> {
            committedInMemory(xid, committing, tid, oids);
            return answer(tid, oids);
        });
        Tid tid;
        try {
            tid = st.finish();
        } catch (RuntimeException e) {
            LOG.error("storage '{}': committing XA branch {} failed", served.name(), xid, e);
            lock.lock();
            try {
                branch.busy = false;
                branch.txn = null;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            throw XaErrors.error(XAException.XAER_RMFAIL, "committing branch " + xid + " failed in the storage: "
                    + e.getMessage());
        } finally {
            served.finished(st);
        }
        List<Oid> oids = st.writtenOids();
        committedInMemory(xid, branch, tid, oids);
        lock.lock();
        try {
            Outcome outcome = outcomes.get(xid);
            // Null only if already forgotten for the outcome limit by concurrent commits (a limit that small).
            long time = outcome == null ? clock.millis() : outcome.timeMillis();
            try {
                // No fsync of its own: Data.fs already holds the commit with its xid, which a restart finds.
                log.appendLazily(new XaLogRecord.Committed(xid, time, tid, List.copyOf(oids)));
            } catch (IOException e) {
                // The commit is in the storage with the xid: a restart records the outcome from there.
                LOG.error("storage '{}': recording the commit of XA branch {} ({}) in the XA log failed", served.name(),
                        xid, tid, e);
            }
            maybeCompact();
        } finally {
            lock.unlock();
        }
        LOG.debug("{}: XA branch {} committed as {}", session.describe(), xid, tid);
        if (finisher.replied) {
            return ZeoSession.REPLIED;
        }
        return answer(tid, oids);
    }

    /** The branch is committed as {@code tid}: it leaves the prepared ones (idempotent). */
    private void committedInMemory(WireXid xid, Branch branch, Tid tid, List<Oid> oids) {
        lock.lock();
        try {
            if (prepared.get(xid) == branch) {
                prepared.remove(xid);
                outcomes.put(xid, new Outcome(Kind.COMMITTED, clock.millis(), tid, List.copyOf(oids)));
            }
            branch.busy = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static Object answer(Tid tid, List<Oid> oids) {
        return List.of(tid, new ArrayList<Object>(oids));
    }

    /** Rolls branch {@code xid} back: logged first, then its locks are released. */
    void rollback(WireXid xid) {
        lock.lock();
        try {
            Branch branch;
            while (true) {
                Outcome o = outcomes.get(xid);
                if (o != null) {
                    switch (o.kind()) {
                        case COMMITTED -> throw XaErrors.error(XAException.XA_HEURCOM, "branch " + xid
                                + " was committed as " + o.tid());
                        case HEURISTIC -> throw XaErrors.error(XAException.XA_HEURRB, "branch " + xid
                                + " was already rolled back heuristically by the server; forget it");
                        default -> {
                            return;
                        }
                    }
                }
                branch = prepared.get(xid);
                if (branch == null) {
                    throw XaErrors.error(XAException.XAER_NOTA, "no branch " + xid + " is prepared on storage '"
                            + served.name() + "' and no outcome is remembered for it");
                }
                if (!branch.busy) {
                    break;
                }
                changed.awaitUninterruptibly();
            }
            long now = clock.millis();
            try {
                log.append(new XaLogRecord.RolledBack(xid, now));
            } catch (IOException e) {
                LOG.error("storage '{}': recording the rollback of XA branch {} failed", served.name(), xid, e);
                throw XaErrors.error(XAException.XAER_RMFAIL, "branch " + xid + " is still prepared: the server could"
                        + " not write its XA log: " + e.getMessage());
            }
            release(branch);
            prepared.remove(xid);
            outcomes.put(xid, new Outcome(Kind.ROLLED_BACK, now, null, List.of()));
            changed.signalAll();
            maybeCompact();
        } finally {
            lock.unlock();
        }
    }

    private static void release(Branch branch) {
        if (branch.timer != null) {
            branch.timer.cancel(false);
        }
        if (branch.txn != null) {
            branch.txn.abort();
        }
    }

    /** The prepared branches and the heuristically completed ones not yet forgotten. */
    List<WireXid> recover() {
        lock.lock();
        try {
            List<WireXid> xids = new ArrayList<>(prepared.keySet());
            outcomes.forEach((xid, o) -> {
                if (o.kind() == Kind.HEURISTIC) {
                    xids.add(xid);
                }
            });
            return xids;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a heuristic outcome. */
    void forget(WireXid xid) {
        lock.lock();
        try {
            Outcome o = outcomes.get(xid);
            if (o == null || o.kind() != Kind.HEURISTIC) {
                throw XaErrors.error(XAException.XAER_NOTA, "no heuristic outcome is remembered for branch " + xid
                        + (prepared.containsKey(xid) ? " (it is prepared)" : ""));
            }
            try {
                log.append(new XaLogRecord.Forgotten(xid, clock.millis()));
            } catch (IOException e) {
                throw XaErrors.error(XAException.XAER_RMFAIL, "could not write the XA log: " + e.getMessage());
            }
            outcomes.remove(xid);
            maybeCompact();
        } finally {
            lock.unlock();
        }
    }

    // ----- heuristic timeout ---------------------------------------------------------------------------------

    /** Arms the heuristic rollback of {@code branch}, if the server has a heuristic timeout. Under the lock. */
    private void schedule(Branch branch) {
        if (options.heuristicTimeout().isEmpty() || scheduler == null) {
            return;
        }
        long effective = Math.max(options.heuristicTimeout().get().toMillis(),
                branch.record.timeoutSeconds() * 1000L);
        long delay = Math.max(0, branch.record.timeMillis() + effective - clock.millis());
        try {
            branch.timer = scheduler.schedule(() -> expire(branch), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("not arming the heuristic timeout of {}: the server is stopping", branch.record.xid());
        }
    }

    private void expire(Branch branch) {
        WireXid xid = branch.record.xid();
        lock.lock();
        try {
            if (prepared.get(xid) != branch || branch.busy) {
                return;
            }
            long now = clock.millis();
            String reason = "waited longer than xa-heuristic-timeout ("
                    + Duration.ofMillis(now - branch.record.timeMillis()).toSeconds() + " s since prepare)";
            try {
                log.append(new XaLogRecord.HeuristicRollback(xid, now, reason));
            } catch (IOException e) {
                LOG.error("storage '{}': recording the heuristic rollback of XA branch {} failed; it stays prepared",
                        served.name(), xid, e);
                return;
            }
            branch.timer = null;
            release(branch);
            prepared.remove(xid);
            outcomes.put(xid, new Outcome(Kind.HEURISTIC, now, null, List.of()));
            changed.signalAll();
            LOG.warn("storage '{}': XA branch {} rolled back heuristically: it {}; its locks are released, and"
                    + " xa_recover reports it until xa_forget", served.name(), xid, reason);
        } finally {
            lock.unlock();
        }
    }

    /** How many branches are prepared now (statistics, tests). */
    int preparedCount() {
        lock.lock();
        try {
            return prepared.size();
        } finally {
            lock.unlock();
        }
    }
}
