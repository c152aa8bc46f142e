package org.jzeo.server.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jzeo.server.metrics.LatencyHistogram;

/** Counters of one served storage, as ZEO's {@code server_status} and the monitor report them. Thread-safe. */
public final class StorageStats {
    final LongAdder loads = new LongAdder();
    final LongAdder stores = new LongAdder();
    final LongAdder commits = new LongAdder();
    final LongAdder aborts = new LongAdder();
    final LongAdder conflicts = new LongAdder();
    final LongAdder conflictsResolved = new LongAdder();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger activeTransactions = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();
    final LatencyHistogram loadLatency = new LatencyHistogram();
    final LatencyHistogram commitLatency = new LatencyHistogram();

    public long loads() {
        return loads.sum();
    }

    public long stores() {
        return stores.sum();
    }

    public long commits() {
        return commits.sum();
    }

    public long aborts() {
        return aborts.sum();
    }

    public long conflicts() {
        return conflicts.sum();
    }

    public long conflictsResolved() {
        return conflictsResolved.sum();
    }

    public int connections() {
        return connections.get();
    }

    public int activeTransactions() {
        return activeTransactions.get();
    }

    /** Voters waiting for object locks now. */
    public int waiting() {
        return waiting.get();
    }

    /** Server time of each loadBefore/loadSerial, errors (POSKeyError) included. */
    public LatencyHistogram loadLatency() {
        return loadLatency;
    }

    /** Server time of each committed transaction: its vote round(s) plus its tpc_finish. */
    public LatencyHistogram commitLatency() {
        return commitLatency;
    }
}
