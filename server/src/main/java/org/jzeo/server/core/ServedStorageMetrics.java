package org.jzeo.server.core;

import org.jzeo.api.Tid;
import org.jzeo.server.metrics.LatencyHistogram;
import org.jzeo.server.metrics.StorageMetrics;
import org.jzeo.server.storage.LockWaitSource;

/** The metrics of one served storage, read live from its {@link StorageStats} and its engine. */
final class ServedStorageMetrics implements StorageMetrics {
    private final ServedStorage served;

    ServedStorageMetrics(ServedStorage served) {
        this.served = served;
    }

    @Override
    public String name() {
        return served.name();
    }

    @Override
    public String started() {
        return served.startedAt();
    }

    @Override
    public long connections() {
        return served.stats().connections();
    }

    @Override
    public long loads() {
        return served.stats().loads();
    }

    @Override
    public long stores() {
        return served.stats().stores();
    }

    @Override
    public long commits() {
        return served.stats().commits();
    }

    @Override
    public long aborts() {
        return served.stats().aborts();
    }

    @Override
    public long conflicts() {
        return served.stats().conflicts();
    }

    @Override
    public long conflictsResolved() {
        return served.stats().conflictsResolved();
    }

    /** The engine's own count (it holds the object locks); -1 for an engine that keeps none. */
    @Override
    public long lockWaits() {
        return served.storage() instanceof LockWaitSource counting ? counting.lockWaits() : -1;
    }

    @Override
    public long activeTransactions() {
        return served.stats().activeTransactions();
    }

    @Override
    public long waiting() {
        return served.stats().waiting();
    }

    @Override
    public Tid lastTransaction() {
        return served.storage().lastTransaction();
    }

    @Override
    public long objects() {
        return served.storage().length();
    }

    @Override
    public long sizeBytes() {
        return served.storage().size();
    }

    @Override
    public LatencyHistogram.Snapshot loadLatency() {
        return served.stats().loadLatency().snapshot();
    }

    @Override
    public LatencyHistogram.Snapshot commitLatency() {
        return served.stats().commitLatency().snapshot();
    }
}
