package org.jzeo.server.metrics;

import java.util.List;

/** What the server publishes about itself: the metrics of each storage it serves. */
@FunctionalInterface
public interface ServerMetrics {

    /** The metrics of every served storage, in the server's order. */
    List<StorageMetrics> storages();
}
