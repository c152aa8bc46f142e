package org.jzeo.server.storage.commit;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.CommitListener;
import org.jzeo.storage.StorageTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place that assigns tids, appends transactions and publishes them: one per storage.
 *
 * <p>Guarantees: tids strictly increase in append order ({@code max(now, last+1)}, or an explicit tid that must
 * be above the last); a transaction is published only after it is durable; transactions are published in
 * append order, so a reader that sees tid T sees every transaction before T. Group commit: the finishing
 * thread that finds no sync running becomes the leader, syncs once for everything appended so far and
 * publishes that whole batch; the others wait for it (one fsync covers every transaction finishing together).
 *
 * <p>After a failed sync the storage's durable state is unknown, so the sequencer refuses every later commit.
 */
public final class CommitSequencer<A> {
    private static final Logger LOG = LoggerFactory.getLogger(CommitSequencer.class);

    private final CommitTarget<A> target;
    private final InstantSource clock;
    private final Object appendLock = new Object();
    private final Object syncMonitor = new Object();
    private final Deque<Pending<A>> unpublished = new ArrayDeque<>();
    private boolean syncing;
    private Throwable failure;
    private long syncCount;
    private long publishedCount;

    private static final class Pending<A> {
        final A appended;
        final Tid tid;
        final StorageTransaction owner;
        final List<Oid> oids;
        /** The committing thread, parked until this is published or it is its turn to lead a sync. */
        final Thread waiter = Thread.currentThread();
        boolean published;

        Pending(A appended, Tid tid, StorageTransaction owner, List<Oid> oids) {
            this.appended = appended;
            this.tid = tid;
            this.owner = owner;
            this.oids = oids;
        }
    }

    private volatile CommitListener listener;

    /** Sets the listener told of each publication, in tid order. */
    public void setListener(CommitListener listener) {
        this.listener = listener;
    }

    public CommitSequencer(CommitTarget<A> target, InstantSource clock) {
        this.target = target;
        this.clock = clock;
    }

    /**
     * Appends, syncs and publishes {@code txn}; returns its tid once it is durable and visible.
     *
     * @param owner the transaction being finished, as the commit listener will name it
     */
    public Tid commit(PreparedTransaction txn, StorageTransaction owner) {
        Pending<A> pending;
        synchronized (appendLock) {
            checkUsable();
            Tid last = target.lastAppendedTid();
            Tid tid = chooseTid(txn, last);
            A appended;
            try {
                appended = target.append(txn, tid);
            } catch (IOException e) {
                throw new StorageException("could not write transaction " + tid + ": " + e.getMessage(), e);
            }
            pending = new Pending<>(appended, tid, owner,
                    txn.records().stream().map(PreparedRecord::oid).toList());
            synchronized (syncMonitor) {
                unpublished.addLast(pending);
            }
        }
        awaitPublished(pending);
        return pending.tid;
    }

    private Tid chooseTid(PreparedTransaction txn, Tid last) {
        Tid explicit = txn.metadata().explicitTid();
        if (explicit == null) {
            return Tid.newTid(clock.instant(), last);
        }
        if (!explicit.isAfter(last)) {
            throw new StorageTransactionException("explicit tid " + explicit
                    + " does not follow the last transaction " + last + "; tids must strictly increase");
        }
        return explicit;
    }

    /**
     * Waits until {@code mine} is published, leading a sync whenever none is running. Each waiter sleeps on its
     * own and is woken when its transaction is published or when it is to lead the next sync: with many
     * committers, waking them all at each sync cost more CPU than the commits.
     */
    private void awaitPublished(Pending<A> mine) {
        boolean interrupted = false;
        while (true) {
            boolean lead = false;
            synchronized (syncMonitor) {
                if (mine.published) {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                if (failure != null) {
                    throw new StorageException("storage failed to sync; transaction " + mine.tid
                            + " may or may not be durable", failure);
                }
                if (!syncing) {
                    syncing = true;
                    lead = true;
                }
            }
            if (lead) {
                leadOneBatch();
            } else {
                LockSupport.park(this);
                // The transaction is already appended: it will be published by whoever syncs next, so the caller
                // must not see a failure for it. Keep waiting, restore the interrupt after.
                interrupted |= Thread.interrupted();
            }
        }
    }

    /** Syncs everything appended so far and publishes it, in order. Runs with {@code syncing} set. */
    private void leadOneBatch() {
        Pending<A> lastInBatch;
        synchronized (syncMonitor) {
            lastInBatch = unpublished.peekLast();
        }
        Throwable error = null;
        try {
            target.sync();
        } catch (IOException | RuntimeException e) {
            error = e;
            LOG.error("fsync failed; the storage refuses further commits until it is reopened", e);
        }
        List<Thread> toWake = new ArrayList<>();
        synchronized (syncMonitor) {
            if (error != null) {
                failure = error;
            } else {
                syncCount++;
                publishBatch(lastInBatch, toWake);
            }
            if (failure != null || !unpublished.isEmpty()) {
                // After a failure every waiter must learn of it; otherwise the oldest waiter leads the next sync.
                for (Pending<A> p : unpublished) {
                    toWake.add(p.waiter);
                    if (failure == null) {
                        break;
                    }
                }
            }
            syncing = false;
            syncMonitor.notifyAll(); // runWithAppendsStopped waits on the monitor for the tail to be published
        }
        Thread me = Thread.currentThread();
        for (Thread waiter : toWake) {
            if (waiter != me) {
                LockSupport.unpark(waiter);
            }
        }
    }

    /**
     * Publishes everything up to {@code lastInBatch}: it was appended before the sync began, so it is durable now.
     * A publish that throws leaves the readers' view unknown, so it is treated like a failed sync; without this,
     * {@code syncing} would stay set and every later committer would wait forever. Runs under the sync monitor.
     */
    private void publishBatch(Pending<A> lastInBatch, List<Thread> publishedWaiters) {
        try {
            while (!unpublished.isEmpty()) {
                Pending<A> p = unpublished.removeFirst();
                target.publish(p.appended);
                p.published = true;
                publishedWaiters.add(p.waiter);
                publishedCount++;
                notifyListener(p);
                if (p == lastInBatch) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("publishing a durable transaction failed; the storage refuses further commits until it is "
                    + "reopened", e);
        }
    }

    private void notifyListener(Pending<A> p) {
        CommitListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.committed(p.owner, p.tid, p.oids);
        } catch (RuntimeException e) {
            // The transaction is committed whatever the listener does; its failure is its own.
            LOG.error("commit listener failed for transaction {}", p.tid, e);
        }
    }

    private void checkUsable() {
        synchronized (syncMonitor) {
            if (failure != null) {
                throw new StorageException("storage refuses commits after a failed fsync: " + failure.getMessage(),
                        failure);
            }
        }
    }

    /**
     * Runs {@code action} while no transaction can be appended and every appended transaction has been
     * published: the storage's tail is stable (pack uses this for its final copy and the file swap).
     */
    public <T> T runWithAppendsStopped(java.util.function.Supplier<T> action) {
        synchronized (appendLock) {
            synchronized (syncMonitor) {
                boolean interrupted = false;
                while (!unpublished.isEmpty() && failure == null) {
                    try {
                        syncMonitor.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            checkUsable();
            return action.get();
        }
    }

    /** Number of syncs done; with group commit it can be lower than the number of commits. */
    public long syncCount() {
        synchronized (syncMonitor) {
            return syncCount;
        }
    }

    public long publishedCount() {
        synchronized (syncMonitor) {
            return publishedCount;
        }
    }
}
