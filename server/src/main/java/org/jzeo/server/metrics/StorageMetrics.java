package org.jzeo.server.metrics;

import org.jzeo.api.Tid;

/**
 * What the server publishes about one served storage, for readers such as the monitor listeners. Every method
 * reads the live figure, is cheap and may be called from any thread; a reader that needs the figures to agree
 * with each other reads each one once.
 */
public interface StorageMetrics {

    /** The storage name. */
    String name();

    /** When the server started serving the storage, as ZEO's ctime text (what server_status sends as "start"). */
    String started();

    /** Clients registered with the storage now. */
    long connections();

    /** loadBefore and loadSerial calls. */
    long loads();

    /** storea calls. */
    long stores();

    /** Finished transactions. */
    long commits();

    /** Aborted transactions (tpc_abort, failed votes, disconnects). */
    long aborts();

    /** Conflict errors reported to clients. */
    long conflicts();

    /** Conflicts resolved on the server. */
    long conflictsResolved();

    /** Object-lock acquisitions that had to wait for another transaction; -1 when the engine does not count them. */
    long lockWaits();

    /** Transactions between tpc_begin and their end now. */
    long activeTransactions();

    /** Votes in progress now (waiting for object locks or checking). */
    long waiting();

    /** The storage's last committed tid ({@link Tid#ZERO} when empty). */
    Tid lastTransaction();

    /** Number of objects in the storage. */
    long objects();

    /** Size of the storage in bytes. */
    long sizeBytes();

    /** Server time of loads. */
    LatencyHistogram.Snapshot loadLatency();

    /** Server time of commits (vote plus finish). */
    LatencyHistogram.Snapshot commitLatency();
}
