package org.jzeo.server.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

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
}
