package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of client-cache spec §4, on a temporary DiskCache. */
class DiskCacheSemanticsTest {
    private static final Oid A = Oid.of(1);
    private static final Oid B = Oid.of(2);
    private static final Tid T10 = Tid.of(10);
    private static final Tid T20 = Tid.of(20);
    private static final Tid T30 = Tid.of(30);

    private final DiskCache cache = DiskCache.temporary(1 << 20);

    @AfterEach
    void close() {
        cache.close();
    }

    private static byte[] data(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String text(LoadResult r) {
        return new String(r.data(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void currentEntryServesSnapshotsAfterItsStart() {
        cache.store(A, T10, null, data("a10"));

        assertThat(cache.loadBefore(A, T10)).isNull();
        LoadResult r = cache.loadBefore(A, Tid.of(11));
        assertThat(text(r)).isEqualTo("a10");
        assertThat(r.start()).isEqualTo(T10);
        assertThat(r.end()).isNull();
        assertThat(cache.loadBefore(A, Tid.MAX)).isNotNull();
        assertThat(cache.loadBefore(B, Tid.MAX)).isNull();
    }

    @Test
    void mayContainAnswersAsLoadBeforeWouldWithoutCountingALoad() {
        cache.store(A, T10, T20, data("a10"));
        CacheStats before = cache.stats();

        assertThat(cache.mayContain(A, T10)).isFalse();
        assertThat(cache.mayContain(A, Tid.of(11))).isTrue();
        assertThat(cache.mayContain(A, T20)).isTrue();
        assertThat(cache.mayContain(A, Tid.of(21))).isFalse();
        assertThat(cache.mayContain(B, Tid.MAX)).isFalse();

        assertThat(cache.stats().hits()).isEqualTo(before.hits());
        assertThat(cache.stats().misses()).isEqualTo(before.misses());
    }

    @Test
    void nonCurrentEntryServesOnlyItsRange() {
        cache.store(A, T10, T20, data("a10"));

        assertThat(cache.loadBefore(A, T10)).isNull();
        assertThat(text(cache.loadBefore(A, Tid.of(11)))).isEqualTo("a10");
        LoadResult atEnd = cache.loadBefore(A, T20);
        assertThat(text(atEnd)).isEqualTo("a10");
        assertThat(atEnd.end()).isEqualTo(T20);
        assertThat(cache.loadBefore(A, Tid.of(21))).isNull();
    }

    @Test
    void nonCurrentAndCurrentTogether() {
        cache.store(A, T10, T20, data("a10"));
        cache.store(A, T20, null, data("a20"));

        assertThat(text(cache.loadBefore(A, Tid.of(15)))).isEqualTo("a10");
        assertThat(text(cache.loadBefore(A, T20))).isEqualTo("a10");
        assertThat(text(cache.loadBefore(A, Tid.of(21)))).isEqualTo("a20");
        assertThat(cache.entryCount()).isEqualTo(2);
    }

    @Test
    void storingAnEntryAlreadyPresentIsANoOp() {
        cache.store(A, T10, null, data("first"));
        cache.store(A, T10, null, data("second"));
        cache.store(B, T10, T20, data("first"));
        cache.store(B, T10, T20, data("second"));

        assertThat(text(cache.loadBefore(A, T20))).isEqualTo("first");
        assertThat(text(cache.loadBefore(B, T20))).isEqualTo("first");
        assertThat(cache.entryCount()).isEqualTo(2);
        assertThat(cache.stats().stores()).isEqualTo(2);
    }

    @Test
    void theNewerCurrentStartWins() {
        cache.store(A, T20, null, data("a20"));
        cache.store(A, T10, null, data("a10"));
        assertThat(text(cache.loadBefore(A, Tid.MAX))).isEqualTo("a20");

        cache.store(A, T30, null, data("a30"));
        assertThat(text(cache.loadBefore(A, Tid.MAX))).isEqualTo("a30");
        assertThat(cache.loadBefore(A, Tid.of(25))).isNull();
        assertThat(cache.entryCount()).isEqualTo(1);
    }

    @Test
    void aCurrentStoreOlderThanAKnownEndIsIgnored() {
        cache.store(A, T20, T30, data("a20"));
        cache.store(A, T10, null, data("a10"));

        assertThat(cache.loadBefore(A, Tid.of(15))).isNull();
        assertThat(cache.entryCount()).isEqualTo(1);
    }

    @Test
    void invalidateEndsTheCurrentRevision() {
        cache.store(A, T10, null, data("a10"));
        cache.invalidate(A, T20);

        assertThat(cache.loadBefore(A, Tid.MAX)).isNull();
        LoadResult r = cache.loadBefore(A, T20);
        assertThat(text(r)).isEqualTo("a10");
        assertThat(r.end()).isEqualTo(T20);
        assertThat(cache.stats().invalidations()).isEqualTo(1);

        cache.store(A, T20, null, data("a20"));
        assertThat(text(cache.loadBefore(A, Tid.MAX))).isEqualTo("a20");
    }

    @Test
    void invalidateByTheStartTidOrWithoutEntryIsIgnored() {
        cache.store(A, T10, null, data("a10"));
        cache.invalidate(A, T10);
        cache.invalidate(B, T20);

        assertThat(cache.loadBefore(A, Tid.MAX).end()).isNull();
        assertThat(cache.stats().invalidations()).isZero();
    }

    @Test
    void dropForgetsEveryRevisionOfTheOid() {
        cache.store(A, T10, T20, data("a10"));
        cache.store(A, T20, null, data("a20"));
        cache.store(B, T10, null, data("b10"));
        cache.drop(A);

        assertThat(cache.loadBefore(A, Tid.of(15))).isNull();
        assertThat(cache.loadBefore(A, Tid.MAX)).isNull();
        assertThat(cache.loadBefore(B, Tid.MAX)).isNotNull();
        assertThat(cache.entryCount()).isEqualTo(1);
    }

    @Test
    void clearForgetsEverythingButTheLastTid() {
        cache.store(A, T10, null, data("a10"));
        cache.setLastTid(T20);
        cache.clear();

        assertThat(cache.entryCount()).isZero();
        assertThat(cache.loadBefore(A, Tid.MAX)).isNull();
        assertThat(cache.lastTid()).isEqualTo(T20);
        cache.store(A, T10, null, data("again"));
        assertThat(text(cache.loadBefore(A, Tid.MAX))).isEqualTo("again");
    }

    @Test
    void lastTidNeverGoesBack() {
        assertThat(cache.lastTid()).isEqualTo(Tid.ZERO);
        cache.setLastTid(T20);
        cache.setLastTid(T20);
        cache.setLastTid(Tid.ZERO);
        assertThat(cache.lastTid()).isEqualTo(T20);
        assertThatThrownBy(() -> cache.setLastTid(T10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(T10.toString());
        cache.setLastTid(T30);
        assertThat(cache.lastTid()).isEqualTo(T30);
    }

    @Test
    void recordsOverHalfTheCacheAreNotCached() {
        cache.store(A, T10, null, new byte[(1 << 19)]);
        cache.store(B, T10, null, new byte[(1 << 18)]);

        assertThat(cache.loadBefore(A, Tid.MAX)).isNull();
        assertThat(cache.loadBefore(B, Tid.MAX)).isNotNull();
    }

    @Test
    void emptyDataIsCached() {
        cache.store(A, T10, null, new byte[0]);
        assertThat(cache.loadBefore(A, Tid.MAX).data()).isEmpty();
    }

    @Test
    void evictionKeepsTheCacheWithinItsSize() {
        for (int i = 0; i < 10_000; i++) {
            cache.store(Oid.of(i), T10, null, new byte[300]);
        }
        CacheStats s = cache.stats();
        assertThat(s.bytesUsed()).isLessThanOrEqualTo(s.capacityBytes());
        assertThat(s.evictions()).isPositive();
        assertThat(cache.entryCount()).isLessThan(10_000).isGreaterThan(2000);
    }

    @Test
    void statsCountHitsAndMisses() {
        cache.store(A, T10, null, data("a"));
        cache.loadBefore(A, Tid.MAX);
        cache.loadBefore(B, Tid.MAX);
        CacheStats s = cache.stats();
        assertThat(s.hits()).isEqualTo(1);
        assertThat(s.misses()).isEqualTo(1);
        assertThat(s.hitRatio()).isEqualTo(0.5);
    }

    @Test
    void aStoreWithEndNotAfterStartIsRefused() {
        assertThatThrownBy(() -> cache.store(A, T20, T10, data("x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedCacheRefusesWorkAndTheTemporaryFileIsGone() {
        cache.close();
        assertThat(cache.file()).doesNotExist();
        assertThatThrownBy(() -> cache.loadBefore(A, Tid.MAX)).isInstanceOf(IllegalStateException.class);
    }
}
