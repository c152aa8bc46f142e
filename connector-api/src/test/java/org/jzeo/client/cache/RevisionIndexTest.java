package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link RevisionIndex#newestEnd}, which the index keeps up to date instead of scanning the old revisions. */
class RevisionIndexTest {
    private static CacheEntry entry(long oid, long start, long end) {
        return new CacheEntry(new RevisionKey(oid, start), end, 0, 64, 10);
    }

    @Test
    void newestEndFollowsAddsEndsAndRemovals() {
        RevisionIndex index = new RevisionIndex();
        assertThat(index.newestEnd(1)).isZero();
        CacheEntry current = entry(1, 10, 0);
        index.add(current);
        assertThat(index.newestEnd(1)).isZero(); // a current entry has no end

        index.endCurrent(current, 20);
        assertThat(index.newestEnd(1)).isEqualTo(20);
        CacheEntry older = entry(1, 5, 10);
        index.add(older);
        assertThat(index.newestEnd(1)).isEqualTo(20);
        CacheEntry newer = entry(1, 20, 30);
        index.add(newer);
        assertThat(index.newestEnd(1)).isEqualTo(30);
        assertThat(index.newestEnd(2)).isZero();

        index.remove(older); // not the newest: unchanged
        assertThat(index.newestEnd(1)).isEqualTo(30);
        index.remove(newer); // the newest: the next one down
        assertThat(index.newestEnd(1)).isEqualTo(20);
        index.remove(current);
        assertThat(index.newestEnd(1)).isZero();
        assertThat(index.size()).isZero();
    }

    @Test
    void endsCompareUnsigned() {
        RevisionIndex index = new RevisionIndex();
        index.add(entry(1, 1, 2));
        index.add(entry(1, 0x7000_0000_0000_0000L, 0x9000_0000_0000_0000L)); // negative as a signed long
        assertThat(index.newestEnd(1)).isEqualTo(0x9000_0000_0000_0000L);
        index.add(entry(1, 2, 3));
        assertThat(index.newestEnd(1)).isEqualTo(0x9000_0000_0000_0000L);
    }
}
