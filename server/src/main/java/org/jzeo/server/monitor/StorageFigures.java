package org.jzeo.server.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Tid;
import org.jzeo.server.core.ServedStorage;
import org.jzeo.server.core.StorageServer;
import org.jzeo.server.core.StorageStats;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.storage.Storage;

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
    public static List<StorageFigures> of(StorageServer server) {
        Map<String, Object> status = server.status();
        List<StorageFigures> all = new ArrayList<>();
        for (ServedStorage s : server.storages()) {
            Object own = status.get(s.name());
            Object started = own instanceof Map<?, ?> m ? m.get("start") : null;
            all.add(of(s, started == null ? "" : started.toString()));
        }
        all.sort(Comparator.comparing(StorageFigures::name));
        return all;
    }

    static StorageFigures of(ServedStorage served, String started) {
        StorageStats st = served.stats();
        Storage storage = served.storage();
        return new StorageFigures(served.name(), started, st.connections(), st.loads(), st.stores(), st.commits(),
                st.aborts(), st.conflicts(), st.conflictsResolved(), lockWaits(storage), st.activeTransactions(),
                st.waiting(), storage.lastTransaction(), storage.length(), storage.size(),
                st.loadLatency().snapshot(), st.commitLatency().snapshot());
    }

    /** The engines' own count of lock waits (they hold the object locks); -1 for an engine without one. */
    private static long lockWaits(Storage storage) {
        if (storage instanceof FileStorage f) {
            return f.lockWaits();
        }
        if (storage instanceof MemoryStorage m) {
            return m.lockWaits();
        }
        return -1;
    }

    /** The last transaction's time as epoch seconds; 0 for an empty storage. */
    public double lastTransactionEpochSeconds() {
        return lastTransaction.equals(Tid.ZERO) ? 0 : lastTransaction.toEpochSeconds();
    }
}
