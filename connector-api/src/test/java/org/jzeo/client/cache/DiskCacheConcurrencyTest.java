package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.Test;

/** Readers, a writer and interrupts at the same time. */
class DiskCacheConcurrencyTest {

    /** Data of revision {@code tid} of {@code oid}: recognisable, so a reader can check what it got. */
    private static byte[] data(long oid, long tid) {
        byte[] b = new byte[200 + (int) (oid % 50)];
        java.util.Arrays.fill(b, (byte) (oid * 31 + tid));
        return b;
    }

    @Test
    void readersSeeOnlyWhatWasStoredWhileAWriterEvictsAndInterruptsHappen() throws Exception {
        try (DiskCache cache = DiskCache.temporary(128 * 1024)) {
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread reader = new Thread(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        long oid = n++ % 1000;
                        LoadResult r = cache.loadBefore(Oid.of(oid), Tid.MAX);
                        if (r != null && !java.util.Arrays.equals(r.data(), data(oid, r.start().value()))) {
                            problems.add("wrong data for oid " + oid + " start " + r.start());
                        }
                        Thread.interrupted(); // the next interrupt must find the cache still working
                    }
                });
                readers.add(reader);
                reader.start();
            }
            for (long tid = 1; tid <= 30; tid++) {
                for (long oid = 0; oid < 1000; oid++) {
                    cache.invalidate(Oid.of(oid), Tid.of(tid));
                    cache.store(Oid.of(oid), Tid.of(tid), null, data(oid, tid));
                }
                cache.setLastTid(Tid.of(tid));
                readers.get((int) (tid % readers.size())).interrupt();
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join();
            }
            assertThat(problems).isEmpty();
            cache.store(Oid.of(5000), Tid.of(40), null, data(5000, 40));
            assertThat(cache.loadBefore(Oid.of(5000), Tid.MAX).data()).isEqualTo(data(5000, 40));
            assertThat(cache.stats().hits()).isPositive();
        }
    }
}
