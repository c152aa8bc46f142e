package org.jzeo.server.core;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.MessageId;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.server.storage.PackProgress;
import org.jzeo.server.storage.PackProgressSource;
import org.jzeo.server.xa.XaService;
import org.jzeo.server.xa.XaOptions;

/**
 * One storage as the server shares it: its sessions, invalidation queue, statistics and the ordering rule
 * between reads and invalidations (zeo-protocol §7).
 *
 * <p>Ordering: a read computes its answer and queues the reply under the shared side of {@link #order}; a commit's
 * invalidations are queued to the other sessions under the exclusive side, from the storage's commit listener,
 * which runs once per commit in tid order. So a reply computed before commit T is always queued before T's
 * invalidation on that connection, invalidations go out in tid order, and they are queued before the finish of
 * any later commit returns.
 */
public final class ServedStorage {
    /** server_status's key for a running pack's progress (a jzeo extension). */
    public static final String PACK_PROGRESS = "pack-progress";

    private final String name;
    private final Storage storage;
    private final boolean readOnly;
    private final boolean clientConflictResolution;
    private final Duration transactionTimeout;
    private final InvalidationQueue invalidations;
    private final StorageStats stats = new StorageStats();
    private final Set<ZeoSession> sessions = new CopyOnWriteArraySet<>();
    private final Map<StorageTransaction, Finisher> finishing = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock order = new ReentrantReadWriteLock();
    /** Used under the exclusive side of {@link #order} only: a codec is not thread-safe. */
    private final org.jzeo.protocol.MessageCodec callbackCodec = new org.jzeo.protocol.MessageCodec();
    private final String startedAt;
    private final InstantSource clock;
    /** When each voted session took its locks: server_status's lock_time is the oldest. */
    private final Map<ZeoSession, Double> lockedSince = new ConcurrentHashMap<>();
    /** The newest tid whose invalidations have been queued to every session: what a reply may reveal. */
    private volatile Tid announced;
    private final XaService xa;
    private final ReadPlacement readPlacement;

    public ServedStorage(String name, Storage storage, boolean readOnly, boolean clientConflictResolution,
                         Duration transactionTimeout, int invalidationQueueSize, Duration invalidationAge,
                         InstantSource clock) {
        this(name, storage, readOnly, clientConflictResolution, transactionTimeout, invalidationQueueSize,
                invalidationAge, clock, XaOptions.defaults());
    }

    /** As above, with the XA settings ({@code xa-heuristic-timeout}, {@code xa-outcome-retention}). */
    public ServedStorage(String name, Storage storage, boolean readOnly, boolean clientConflictResolution,
                         Duration transactionTimeout, int invalidationQueueSize, Duration invalidationAge,
                         InstantSource clock, XaOptions xaOptions) {
        this.name = name;
        this.storage = storage;
        this.readOnly = readOnly || storage.isReadOnly();
        this.clientConflictResolution = clientConflictResolution;
        this.transactionTimeout = transactionTimeout;
        this.invalidations = new InvalidationQueue(storage, invalidationQueueSize, invalidationAge, clock);
        this.startedAt = ctime(clock.instant());
        this.clock = clock;
        this.announced = storage.lastTransaction();
        storage.setCommitListener(this::committed);
        this.xa = XaService.of(name, storage, xaOptions, clock);
        this.readPlacement = new ReadPlacement(name);
    }

    /** The XA branches of this storage: a prepared log beside it, or its database ({@link XaService#of}). */
    XaService xa() {
        return xa;
    }

    private static String ctime(java.time.Instant instant) {
        return java.time.format.DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", java.util.Locale.ROOT)
                .format(instant.atZone(java.time.ZoneId.systemDefault()));
    }

    public String name() {
        return name;
    }

    public Storage storage() {
        return storage;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    boolean clientConflictResolution() {
        return clientConflictResolution;
    }

    Duration transactionTimeout() {
        return transactionTimeout;
    }

    InvalidationQueue invalidations() {
        return invalidations;
    }

    public StorageStats stats() {
        return stats;
    }

    /** When this storage started being served, as ZEO's ctime text (server_status's "start"). */
    String startedAt() {
        return startedAt;
    }

    /**
     * The newest tid whose invalidations have been queued. A commit is visible in the storage a moment before
     * this moves (the commit listener runs after publication), so reads run in {@link #readInOrder} must not
     * reveal anything newer: a client would otherwise see tid T before T's invalidation.
     */
    Tid announcedTid() {
        return announced;
    }

    /** Runs a read and the queueing of its reply so that no invalidation is queued in between. */
    void readInOrder(Runnable read) {
        order.readLock().lock();
        try {
            read.run();
        } finally {
            order.readLock().unlock();
        }
    }

    /** One load (loadBefore, loadSerial) from the storage, counted and timed for the statistics. */
    <T> T load(java.util.function.Function<Storage, T> read) {
        stats.loads.increment();
        long start = System.nanoTime();
        try {
            return read.apply(storage);
        } finally {
            stats.loadLatency.recordSince(start);
        }
    }

    /** Where this storage's one-record reads run now. */
    ReadPlacement readPlacement() {
        return readPlacement;
    }

    void add(ZeoSession session) {
        order.readLock().lock();
        try {
            sessions.add(session);
            stats.connections.incrementAndGet();
        } finally {
            order.readLock().unlock();
        }
    }

    void remove(ZeoSession session) {
        if (sessions.remove(session)) {
            stats.connections.decrementAndGet();
        }
    }

    /** {@code session}'s vote succeeded: it holds its locks until finish or abort. */
    void locked(ZeoSession session) {
        lockedSince.put(session, clock.millis() / 1000.0);
    }

    void unlocked(ZeoSession session) {
        lockedSince.remove(session);
    }

    /** The committer of a finishing transaction and its tpc_finish call, answered at the commit point. */
    static final class Finisher {
        final ZeoSession session;
        final MessageId msgid;
        /** Time spent voting, and when finish began: the commit's latency is known at the commit point. */
        final long voteNanos;
        final long finishStart = System.nanoTime();
        /** The reply's value from the commit's tid and oids: the tid for tpc_finish, [tid, oids] for xa_commit. */
        final java.util.function.BiFunction<Tid, List<Oid>, Object> result;
        /** The committer's own end of the transaction (locks, counters), done before anyone can see the reply. */
        private Runnable beforeReply = () -> { };
        volatile boolean replied;

        /** Runs {@code settle} at the commit point, before the reply is queued (and no later than that). */
        Finisher settlingFirst(Runnable settle) {
            this.beforeReply = settle;
            return this;
        }

        Finisher(ZeoSession session, MessageId msgid, long voteNanos,
                 java.util.function.BiFunction<Tid, List<Oid>, Object> result) {
            this.session = session;
            this.msgid = msgid;
            this.voteNanos = voteNanos;
            this.result = result;
        }
    }

    /**
     * Marks {@code txn} as {@code session}'s, so that its invalidation skips the committer and the committer's
     * {@code info} and tpc_finish reply ({@code msgid}) are queued at the commit point.
     */
    Finisher finishing(StorageTransaction txn, ZeoSession session, MessageId msgid, long voteNanos) {
        return finishing(txn, session, msgid, voteNanos, (tid, oids) -> tid);
    }

    /** As above, replying {@code result(tid, oids)} instead of the tid. */
    Finisher finishing(StorageTransaction txn, ZeoSession session, MessageId msgid, long voteNanos,
                       java.util.function.BiFunction<Tid, List<Oid>, Object> result) {
        Finisher finisher = new Finisher(session, msgid, voteNanos, result);
        finishing.put(txn, finisher);
        return finisher;
    }

    void finished(StorageTransaction txn) {
        finishing.remove(txn);
    }

    private void committed(StorageTransaction txn, Tid tid, List<Oid> oids) {
        Finisher committer = txn == null ? null : finishing.get(txn);
        order.writeLock().lock();
        try {
            invalidations.add(tid, oids);
            // Encoded once for every session: with many clients this is most of a commit's CPU otherwise.
            byte[] callback = callbackCodec.encodeCallback("invalidateTransaction",
                    List.of(tid, new ArrayList<Object>(oids)));
            for (ZeoSession session : sessions) {
                if (committer == null || session != committer.session) {
                    session.invalidate(callback);
                }
            }
            // Counted before the committer is answered, so that whoever sees the reply sees the count.
            stats.commits.increment();
            if (committer != null) {
                stats.commitLatency.record(committer.voteNanos + (System.nanoTime() - committer.finishStart));
            }
            if (committer != null && committer.msgid != null) {
                // info and the tid go out at the commit point, like the invalidations: the invalidation of any
                // later commit is queued after them on the committer's connection (spec §7.3, §7.5).
                committer.beforeReply.run();
                committer.session.callback("info", List.of(info()));
                committer.session.peer().reply(committer.msgid, committer.result.apply(tid, oids));
                committer.replied = true;
            }
            announced = tid;
        } finally {
            order.writeLock().unlock();
        }
    }

    /** {@code info} for the committer and after a pack: what the client shows as len() and getSize(). */
    Map<String, Object> info() {
        Map<String, Object> info = new java.util.LinkedHashMap<>();
        info.put("length", storage.length());
        info.put("size", storage.size());
        return info;
    }

    /** Sends {@code info} to every session (after a pack). */
    void broadcastInfo() {
        List<Object> args = List.of(info());
        for (ZeoSession session : sessions) {
            session.callback("info", args);
        }
    }

    /** ZEO's server_status map, keys in Python's order. */
    Map<String, Object> status(boolean timeoutThreadAlive) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("connections", (long) stats.connections());
        s.put("loads", stats.loads());
        s.put("stores", stats.stores());
        s.put("commits", stats.commits());
        s.put("aborts", stats.aborts());
        s.put("active_txns", (long) stats.activeTransactions());
        s.put("lock_time", lockedSince.values().stream().min(Double::compare).orElse(null));
        s.put("conflicts", stats.conflicts());
        s.put("conflicts_resolved", stats.conflictsResolved());
        s.put("start", startedAt);
        s.put("waiting", (long) stats.waiting());
        s.put("timeout-thread-is-alive", transactionTimeout == null ? "stub" : (Object) timeoutThreadAlive);
        s.put("last-transaction", storage.lastTransaction().toString());
        if (storage instanceof PackProgressSource packs) {
            // jzeo's key, only while a pack runs: clients ignore keys they do not know, and the figures ZEO's
            // clients and tests expect stay exactly ZEO's the rest of the time.
            packs.packProgress().ifPresent(p -> s.put(PACK_PROGRESS, packProgress(p)));
        }
        return s;
    }

    private static Map<String, Object> packProgress(PackProgress p) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("phase", p.phase().label());
        m.put("done", p.done());
        m.put("total", p.total());
        m.put("unit", p.phase().unit());
        m.put("started", p.started().toEpochMilli() / 1000.0);
        return m;
    }

    /** Closes every session of this storage (shutdown). */
    void closeAll(String reason) {
        for (ZeoSession session : sessions) {
            session.closeConnection(reason);
        }
    }
}
