package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OidIndexTest {

    @Test
    void behavesLikeASortedMapForRandomOperations() {
        Random random = new Random(42);
        OidIndex index = new OidIndex();
        TreeMap<Long, Long> model = new TreeMap<>(Long::compareUnsigned);
        for (int i = 0; i < 50_000; i++) {
            long oid = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(5000);
            long pos = random.nextLong() & Long.MAX_VALUE;
            index.put(oid, pos);
            model.put(oid, pos);
        }
        assertThat(index.size()).isEqualTo(model.size());
        model.forEach((oid, pos) -> assertThat(index.get(oid)).isEqualTo(pos));
        assertThat(index.get(5001)).isEqualTo(OidIndex.ABSENT);
        List<long[]> visited = new ArrayList<>();
        index.forEach((oid, pos) -> visited.add(new long[] {oid, pos}));
        assertThat(visited).extracting(e -> e[0]).containsExactlyElementsOf(model.keySet());
        assertThat(index.maxOid()).isEqualTo(model.lastKey());
        for (int i = 0; i < 2000; i++) {
            long from = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(6000);
            Long expected = model.ceilingKey(from);
            OidIndex.Entry entry = index.ceiling(from);
            if (expected == null) {
                assertThat(entry).as("ceiling(%x)", from).isNull();
            } else {
                assertThat(entry.oid()).as("ceiling(%x)", from).isEqualTo(expected);
                assertThat(entry.position()).isEqualTo(model.get(expected));
            }
        }
    }

    @Test
    void putAllAppliesEveryEntry() {
        OidIndex index = new OidIndex();
        index.putAll(new long[] {3, 1, 2, 1}, new long[] {30, 10, 20, 11}, 4);
        assertThat(index.size()).isEqualTo(3);
        assertThat(index.get(1)).isEqualTo(11);
        assertThat(index.ceiling(0).oid()).isEqualTo(1);
    }

    @Test
    void emptyIndex() {
        OidIndex index = new OidIndex();
        assertThat(index.isEmpty()).isTrue();
        assertThat(index.ceiling(0)).isNull();
        assertThat(index.get(0)).isEqualTo(OidIndex.ABSENT);
    }

    @Test
    void aMillionDenseOidsStayCompact() {
        OidIndex index = new OidIndex();
        for (long oid = 0; oid < 1_000_000; oid++) {
            index.put(oid, oid * 100);
        }
        assertThat(index.size()).isEqualTo(1_000_000);
        assertThat(index.get(999_999)).isEqualTo(99_999_900);
        // About 9 bytes an entry plus bucket overhead; a HashMap<Long, Long> would need over 60 MB.
        assertThat(index.memoryBytes()).as("bytes held by 1M entries").isBetween(9_000_000L, 12_000_000L);
    }
}
