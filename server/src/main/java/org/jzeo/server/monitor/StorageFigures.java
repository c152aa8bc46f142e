package org.jzeo.server.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jzeo.api.Tid;
import org.jzeo.server.metrics.LatencyHistogram;
import org.jzeo.server.metrics.ServerMetrics;
import org.jzeo.server.metrics.StorageMetrics;

/**
 * The figures of one served storage at one moment, as both monitor formats report them. Each counter is read
 * once, so the text report and {@code /metrics} built from the same snapshot agree.
 *
 * @param name               the storage name
 * @param started            when the server started serving it (ZEO's ctime text, as server_status sends it)
 * @param connections        clients registered now
 * @param loads              loadBefore and loadSerial calls
 * @param stores             storea calls
 * @param commits            finished transactions
 * @param aborts             aborted transactions (tpc_abort, failed votes, disconnects)
 * @param conflicts          conflict errors reported to clients
 * @param conflictsResolved  conflicts resolved on the server (always 0: jzeo cannot run Python resolution)
 * @param lockWaits          object-lock acquisitions that had to wait for another transaction; -1 when the
 *                           storage does not count them
 * @param activeTransactions transactions between tpc_begin and their end now
 * @param waiting            votes in progress now (waiting for object locks or checking)
 * @param lastTransaction    the storage's last committed tid ({@link Tid#ZERO} when empty)
 * @param objects            number of objects
 * @param sizeBytes          storage size in bytes
 * @param loadLatency        server time of loads
 * @param commitLatency      server time of commits (vote + finish)
 */
public record StorageFigures(String name, String started, long connections, long loads, long stores, long commits,
                             long aborts, long conflicts, long conflictsResolved, long lockWaits,
                             long activeTransactions, long waiting, Tid lastTransaction, long objects,
                             long sizeBytes, LatencyHistogram.Snapshot loadLatency,
                             LatencyHistogram.Snapshot commitLatency) {

    /** Every storage of {@code server}, sorted by name (as ZEO's monitor lists them). */
    public static List<StorageFigures> of(ServerMetrics server) {
        List<StorageFigures> all = new ArrayList<>();
        for (StorageMetrics s : server.storages()) {
            all.add(of(s));
        }
        all.sort(Comparator.comparing(StorageFigures::name));
        return all;
    }

    /** The figures of one storage now, each read once. */
    static StorageFigures of(StorageMetrics m) {
        return new StorageFigures(m.name(), m.started(), m.connections(), m.loads(), m.stores(), m.commits(),
                m.aborts(), m.conflicts(), m.conflictsResolved(), m.lockWaits(), m.activeTransactions(),
                m.waiting(), m.lastTransaction(), m.objects(), m.sizeBytes(), m.loadLatency(), m.commitLatency());
    }

    /** The last transaction's time as epoch seconds; 0 for an empty storage. */
    public double lastTransactionEpochSeconds() {
        return lastTransaction.equals(Tid.ZERO) ? 0 : lastTransaction.toEpochSeconds();
    }
}
