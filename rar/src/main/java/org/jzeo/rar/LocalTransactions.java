package org.jzeo.rar;

import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local (one-phase) transactions of one managed connection. Either the application demarcates one through a
 * handle ({@code begin/commit/abort}), or the container does through {@link jakarta.resource.spi.LocalTransaction}.
 * This class remembers which of them began the transaction in progress, because each may end only its own: a
 * handle must not commit what the container demarcates.
 *
 * <p>XA branches are not tracked here: the physical connection itself refuses begin/commit/abort while it is
 * enlisted between {@code start} and {@code end}.
 *
 * <p>Every start and end is reported to the container's listeners (LOCAL_TRANSACTION_* events), so that a
 * container tracking local transactions sees the same state as this class.
 */
final class LocalTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTransactions.class);

    /** Who began the local transaction in progress. */
    private enum Owner { NONE, APPLICATION, CONTAINER }

    private final StorageConnection physical;
    private final ConnectionEvents events;
    private Owner owner = Owner.NONE;

    LocalTransactions(StorageConnection physical, ConnectionEvents events) {
        this.physical = physical;
        this.events = events;
    }

    /** True while the container demarcates a local transaction on this connection. */
    synchronized boolean inContainerTransaction() {
        return owner == Owner.CONTAINER;
    }

    // ---------------------------------------------------------------- the application, through a handle

    synchronized void beginByApplication(Object handle) {
        refuseInContainerTransaction("begin");
        physical.begin(); // refuses while enlisted in an XA branch or when a transaction is active
        owner = Owner.APPLICATION;
        events.localTransactionStarted(handle);
    }

    synchronized Tid commitByApplication(Object handle) {
        refuseInContainerTransaction("commit");
        try {
            Tid tid = physical.commit();
            ended(Owner.APPLICATION, true, handle);
            return tid;
        } catch (RuntimeException e) {
            if (!physical.inTransaction()) { // a failed commit ends the transaction: it was rolled back
                ended(Owner.APPLICATION, false, handle);
            }
            throw e;
        }
    }

    synchronized void abortByApplication(Object handle) {
        refuseInContainerTransaction("abort");
        physical.abort(); // refuses while enlisted in an XA branch
        ended(Owner.APPLICATION, false, handle);
    }

    /** The last handle closed: like a closed StorageConnection, the application's open transaction is aborted. */
    synchronized void lastHandleClosed(Object handle) {
        if (owner == Owner.APPLICATION) {
            LOG.debug("aborting the application's local transaction: its last connection handle was closed");
            abortByApplication(handle);
        }
    }

    private void refuseInContainerTransaction(String what) {
        if (owner == Owner.CONTAINER) {
            throw new IllegalStateException("cannot " + what + ": this connection takes part in a container-managed"
                    + " (local) transaction, which the container commits or rolls back");
        }
    }

    // ---------------------------------------------------------------- the container, through LocalTransaction

    synchronized void beginByContainer() {
        if (owner != Owner.NONE || physical.inTransaction()) {
            throw new IllegalStateException("cannot begin a container local transaction: a transaction ("
                    + (owner == Owner.NONE ? "XA branch" : owner.name().toLowerCase(java.util.Locale.ROOT))
                    + ") is already active on this connection");
        }
        physical.begin();
        owner = Owner.CONTAINER;
        events.localTransactionStarted(null);
    }

    synchronized void commitByContainer() {
        requireContainerTransaction("commit");
        boolean committed = false;
        try {
            physical.commit();
            committed = true;
        } finally {
            ended(Owner.CONTAINER, committed, null); // a failed commit has ended (rolled back) the transaction
        }
    }

    synchronized void rollbackByContainer() {
        requireContainerTransaction("roll back");
        physical.abort();
        ended(Owner.CONTAINER, false, null);
    }

    private void requireContainerTransaction(String what) {
        if (owner != Owner.CONTAINER) {
            throw new IllegalStateException("cannot " + what + ": no container local transaction is active on this"
                    + " connection");
        }
    }

    // ---------------------------------------------------------------- both

    /**
     * The container takes the connection back (cleanup): drop whatever local transaction is left, quietly, since
     * the container itself asked for it.
     */
    synchronized void reset() {
        if (owner != Owner.NONE) {
            try {
                physical.abort();
            } catch (RuntimeException e) {
                LOG.warn("could not abort the local transaction of a connection being cleaned up", e);
            }
            owner = Owner.NONE;
        }
    }

    private void ended(Owner expected, boolean committed, Object handle) {
        if (owner != expected) {
            return; // not this party's transaction (e.g. an application commit without begin): no event
        }
        owner = Owner.NONE;
        if (committed) {
            events.localTransactionCommitted(handle);
        } else {
            events.localTransactionRolledBack(handle);
        }
    }
}
