package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;

/**
 * Prints single-threaded hits per second for 300-byte records with the file in the OS page cache. Informative only:
 * timings are never asserted (other builds share the machine).
 */
class DiskCacheThroughputTest {
    private static final int RECORDS = 20_000;

    @Test
    void printsHitsPerSecond() {
        try (DiskCache cache = DiskCache.temporary(DiskCache.DEFAULT_SIZE)) {
            byte[] data = new byte[300];
            for (int i = 0; i < RECORDS; i++) {
                cache.store(Oid.of(i), Tid.of(10), null, data);
            }
            long hits = 0;
            long sink = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                int n = 0;
                while (System.nanoTime() - t0 < 1_000_000_000L) {
                    for (int i = 0; i < 1000; i++) {
                        sink += cache.loadBefore(Oid.of((n + i) % RECORDS), Tid.MAX).data().length;
                    }
                    n += 1000;
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("DiskCache hits: %.0f per second (300-byte records, round %d)%n", n / seconds,
                        round + 1);
                hits += n;
            }
            assertThat(sink).isEqualTo(hits * 300);
            assertThat(cache.stats().hits()).isEqualTo(hits);
        }
    }
}
