package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random commits, loads, drops, clears and reopens against a small cache (eviction constantly active), driven the
 * way the ZEO client drives it. Every hit must equal the database's answer; misses are allowed.
 */
class DiskCacheModelTest {
    private static final long SIZE = 64 * 1024;
    private static final int OIDS = 60;

    @TempDir
    Path dir;

    /** The database: every revision of every oid, by start tid. */
    private final Map<Long, TreeMap<Long, byte[]>> history = new HashMap<>();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyHitIsTheDatabasesAnswer(long seed) {
        Random random = new Random(seed);
        Path file = dir.resolve("model.jzc");
        long clock = 0;
        long hits = 0;
        long evictions = 0;
        DiskCache cache = DiskCache.persistent(file, SIZE, () -> "boot");
        try {
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(100);
                long oid = random.nextInt(OIDS);
                if (op < 25) {
                    // A commit seen by this client: invalidate, maybe its own store, then the last tid.
                    long tid = ++clock;
                    byte[] data = new byte[random.nextInt(3000)];
                    random.nextBytes(data);
                    history.computeIfAbsent(oid, k -> new TreeMap<>()).put(tid, data);
                    cache.invalidate(Oid.of(oid), Tid.of(tid));
                    if (random.nextBoolean()) {
                        cache.store(Oid.of(oid), Tid.of(tid), null, data);
                    }
                    cache.setLastTid(Tid.of(tid));
                } else if (op < 93) {
                    long before = 1 + (long) (random.nextDouble() * (clock + 1));
                    if (random.nextInt(3) == 0) {
                        before = clock + 1;
                    }
                    LoadResult expected = truth(oid, before);
                    LoadResult got = cache.loadBefore(Oid.of(oid), Tid.of(before));
                    if (got != null) {
                        hits++;
                        assertThat(expected).as("oid %d before %d: the cache has data the database lacks", oid,
                                before).isNotNull();
                        assertThat(got.start()).as("start of oid %d before %d", oid, before)
                                .isEqualTo(expected.start());
                        assertThat(got.end()).as("end of oid %d before %d", oid, before).isEqualTo(expected.end());
                        assertThat(got.data()).as("data of oid %d before %d", oid, before)
                                .isEqualTo(expected.data());
                    } else if (expected != null) {
                        cache.store(Oid.of(oid), expected.start(), expected.end(), expected.data());
                    }
                } else if (op < 97) {
                    cache.drop(Oid.of(oid));
                } else if (op < 98) {
                    cache.clear();
                } else {
                    evictions += cache.stats().evictions();
                    cache.close();
                    cache = DiskCache.persistent(file, SIZE, () -> "boot");
                    assertThat(cache.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
                    assertThat(cache.lastTid()).isEqualTo(Tid.of(clock));
                }
                CacheStats s = cache.stats();
                assertThat(s.bytesUsed()).isLessThanOrEqualTo(s.capacityBytes());
            }
            assertThat(hits).as("the cache must be useful at all").isGreaterThan(1000);
            evictions += cache.stats().evictions();
            assertThat(evictions).as("eviction must have been active").isGreaterThan(100);
        } finally {
            cache.close();
        }
    }

    private LoadResult truth(long oid, long before) {
        TreeMap<Long, byte[]> revisions = history.get(oid);
        if (revisions == null) {
            return null;
        }
        Map.Entry<Long, byte[]> r = revisions.lowerEntry(before);
        if (r == null) {
            return null;
        }
        Long next = revisions.higherKey(r.getKey());
        return new LoadResult(r.getValue(), Tid.of(r.getKey()), next == null ? null : Tid.of(next));
    }
}
