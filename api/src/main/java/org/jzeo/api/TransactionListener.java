package org.jzeo.api;

import java.util.Collection;

/**
 * What a layer above a {@link StorageConnection} (the object layer) hears of the connection's transactions. All
 * calls come on the thread using the connection, never concurrently with the connection's other methods.
 */
public interface TransactionListener {

    /** How a transaction ended on this connection. */
    enum Completion {
        /** Committed; the tid is known. */
        COMMITTED,
        /** Aborted or rolled back: nothing was written. */
        ABORTED,
        /**
         * Handed to a transaction manager (XA {@code end}): the outcome is decided elsewhere, later, possibly by
         * another connection. A listener must treat what it wrote as unknown until it reads it again.
         */
        DELEGATED
    }

    /**
     * Other transactions changed these objects since the connection's previous snapshot; called when the
     * connection moves to a newer snapshot, before it serves any read there.
     *
     * @param oids the changed objects, or {@code null} when anything may have changed (the client's cache was
     *             dropped, for instance after a long disconnection)
     */
    default void invalidated(Collection<Oid> oids) {
    }

    /**
     * The transaction's work is over and about to be committed (before the vote of a local commit, at XA
     * {@code end} with success, at the resource adapter's local commit): write pending changes now. An exception
     * fails the commit.
     */
    default void beforeCompletion() {
    }

    /**
     * The transaction ended on this connection.
     *
     * @param tid the commit's tid when {@code completion} is {@link Completion#COMMITTED}, else null
     */
    default void afterCompletion(Completion completion, Tid tid) {
    }
}
