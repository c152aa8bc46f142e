package org.jzeo.server.storage.commit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;

/**
 * Per-object commit locks, taken at vote and released at finish or abort.
 *
 * <p>Invariants: an oid is held by at most one owner; an owner takes its oids in ascending oid order, so two
 * owners can never wait for each other in a cycle; a wait is bounded, and when the bound passes the owner gets
 * back none of the oids it asked for and a retryable {@link ConflictException} naming the oid it waited on.
 * Transactions on disjoint objects therefore never wait for each other.
 */
public final class ObjectLocks {
    private final Map<Oid, Object> holders = new HashMap<>();
    private final Duration maxWait;
    private long waits;

    public ObjectLocks(Duration maxWait) {
        this.maxWait = maxWait;
    }

    /**
     * Takes every oid for {@code owner}, in ascending order.
     *
     * @throws ConflictException when an oid stays held by another owner for longer than the bound
     */
    public void lockAll(Object owner, SortedSet<Oid> oids) {
        lockAll(owner, oids, () -> false);
    }

    /**
     * As {@link #lockAll(Object, SortedSet)}, giving up as soon as {@code cancelled} turns true (checked whenever
     * a waiter wakes; {@link #wakeWaiters()} wakes them).
     */
    public void lockAll(Object owner, SortedSet<Oid> oids, java.util.function.BooleanSupplier cancelled) {
        List<Oid> taken = new ArrayList<>(oids.size());
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (this) {
            for (Oid oid : oids) {
                Object holder = holders.get(oid);
                if (holder != null && holder != owner) {
                    waits++;
                }
                while (holder != null && holder != owner) {
                    if (cancelled.getAsBoolean()) {
                        release(taken);
                        throw new ConflictException("gave up waiting for the lock of oid " + oid
                                + ": the transaction was cancelled", oid, null, null);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        release(taken);
                        throw new LockTimeoutException("could not lock oid " + oid + " within " + maxWait.toMillis()
                                + " ms: another transaction holds it", oid);
                    }
                    try {
                        wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        release(taken);
                        Thread.currentThread().interrupt();
                        throw new ConflictException("interrupted while waiting for the lock of oid " + oid, oid,
                                null, null);
                    }
                    holder = holders.get(oid);
                }
                if (holder == null) {
                    holders.put(oid, owner);
                    taken.add(oid);
                }
            }
        }
    }

    /** Releases every oid {@code owner} holds among {@code oids}. */
    public synchronized void unlockAll(Object owner, Iterable<Oid> oids) {
        boolean any = false;
        for (Oid oid : oids) {
            if (holders.get(oid) == owner) {
                holders.remove(oid);
                any = true;
            }
        }
        if (any) {
            notifyAll();
        }
    }

    private void release(List<Oid> taken) {
        for (Oid oid : taken) {
            holders.remove(oid);
        }
        if (!taken.isEmpty()) {
            notifyAll();
        }
    }

    /** Wakes every waiter so that it checks whether it was cancelled. */
    public synchronized void wakeWaiters() {
        notifyAll();
    }

    /** Whether anyone holds {@code oid} now (for tests and statistics). */
    public synchronized boolean isLocked(Oid oid) {
        return holders.containsKey(oid);
    }

    /** How many lock acquisitions had to wait since start. */
    public synchronized long waitCount() {
        return waits;
    }
}
