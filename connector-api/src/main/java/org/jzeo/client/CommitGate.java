package org.jzeo.client;

import java.util.concurrent.Semaphore;
import org.jzeo.api.DisconnectedException;

/**
 * One transaction at a time on the wire: ZEO allows a single transaction per connection, so the client's
 * transactions take turns from vote to finish or abort (building a transaction before vote needs no turn).
 */
final class CommitGate {
    private final Semaphore turn = new Semaphore(1, true);
    /** Who entered last: only to refuse a thread waiting for itself, since XA may leave from another thread. */
    private volatile Thread holder;

    void enter() {
        if (holder == Thread.currentThread()) {
            throw new org.jzeo.api.StorageTransactionException("this thread already has a transaction voted on this"
                    + " client: finish or abort it first (ZEO commits one transaction at a time per connection)");
        }
        try {
            turn.acquire();
            holder = Thread.currentThread();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DisconnectedException("interrupted while waiting for this client's previous commit", e);
        }
    }

    void leave() {
        holder = null;
        turn.release();
    }
}
