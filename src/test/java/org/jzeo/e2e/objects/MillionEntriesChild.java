package org.jzeo.e2e.objects;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Map;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.PersistentSortedMap;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;

/**
 * Run by {@link MillionEntriesTest} in a JVM with a small heap: inserts {@code entries} keys into a
 * {@link PersistentSortedMap} stored in a FileStorage (embedded: {@link EmbeddedConnectionFactory}), {@code batch}
 * keys a transaction, closes the storage, opens it again and iterates the whole map. Arguments: Data.fs, entries,
 * batch. Prints {@code inserted <ms>}, {@code iterated count=.. ordered=.. ms=..}, then
 * {@code heap max=.. sumOfPoolPeaks=.. gcMs=.. file=..} (the peaks of the heap's pools added up, which overstates
 * the peak of the whole heap).
 */
public final class MillionEntriesChild {
    private MillionEntriesChild() {
    }

    static String key(long i) {
        return String.format("key%08d", i);
    }

    private static EmbeddedConnectionFactory open(Path data) {
        return new EmbeddedConnectionFactory(FileStorage.open(data, FileStorageOptions.defaults(),
                ReferenceScanner.finder()), true);
    }

    @SuppressWarnings("unchecked")
    private static PersistentSortedMap<String, Long> map(ObjectConnection c) {
        return (PersistentSortedMap<String, Long>) c.root().get("map");
    }

    public static void main(String[] args) {
        try {
            Path data = Path.of(args[0]);
            int entries = Integer.parseInt(args[1]);
            int batch = Integer.parseInt(args[2]);
            long started = System.nanoTime();
            try (EmbeddedConnectionFactory factory = open(data)) {
                ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of());
                db.run(c -> c.root().put("map", new PersistentSortedMap<String, Long>()));
                for (int from = 0; from < entries; from += batch) {
                    int start = from;
                    int end = Math.min(entries, from + batch);
                    db.run(c -> {
                        PersistentSortedMap<String, Long> map = map(c);
                        for (long i = start; i < end; i++) {
                            map.put(key(i), i);
                        }
                    });
                    if (end % 100_000 == 0) {
                        System.out.println("progress " + end + " " + (System.nanoTime() - started) / 1_000_000);
                    }
                }
            }
            long inserted = (System.nanoTime() - started) / 1_000_000;
            System.out.println("inserted " + inserted);

            started = System.nanoTime();
            long count = 0;
            boolean ordered = true;
            String first = null;
            String last = null;
            long size;
            try (EmbeddedConnectionFactory factory = open(data)) { // read back from the file
                ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of());
                try (ObjectConnection c = db.open()) {
                    c.begin();
                    PersistentSortedMap<String, Long> map = map(c);
                    size = map.longSize();
                    for (Map.Entry<String, Long> e : map.entrySet()) {
                        String expected = key(count);
                        ordered &= e.getKey().equals(expected) && e.getValue() == count;
                        if (first == null) {
                            first = e.getKey();
                        }
                        last = e.getKey();
                        count++;
                    }
                    c.abort();
                }
            }
            long iterated = (System.nanoTime() - started) / 1_000_000;
            System.out.println("iterated count=" + count + " size=" + size + " ordered=" + ordered + " first="
                    + first + " last=" + last + " ms=" + iterated);
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            long gcMs = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcMs += gc.getCollectionTime();
            }
            System.out.println("heap max=" + Runtime.getRuntime().maxMemory() + " sumOfPoolPeaks=" + peak
                    + " gcMs=" + gcMs + " file=" + java.nio.file.Files.size(data));
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            System.out.println("failed " + e);
            System.exit(2);
        }
    }
}
