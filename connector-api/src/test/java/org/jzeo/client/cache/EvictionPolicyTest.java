package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two policies on small hand-made sequences. */
class EvictionPolicyTest {
    private static RevisionKey key(long oid) {
        return new RevisionKey(oid, 1);
    }

    @Test
    void fifoEvictsInInsertionOrderWhateverWasRead() {
        EvictionPolicy fifo = EvictionPolicy.fifo(300);
        List<RevisionKey> evicted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fifo.add(key(i), 100, evicted::add);
        }
        fifo.hit(key(0));
        fifo.add(key(3), 100, evicted::add);
        assertThat(evicted).containsExactly(key(0));
        assertThat(fifo.usedBytes()).isEqualTo(300);
    }

    @Test
    void s3FifoKeepsReadEntriesThroughAScan() {
        EvictionPolicy s3 = EvictionPolicy.s3Fifo(10_000);
        List<RevisionKey> evicted = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            s3.add(key(i), 100, evicted::add);
            s3.hit(key(i));
        }
        for (int i = 1000; i < 3000; i++) {
            s3.add(key(i), 100, evicted::add);
        }
        assertThat(evicted).doesNotContainAnyElementsOf(keys(0, 50));
        assertThat(s3.usedBytes()).isLessThanOrEqualTo(10_000);
    }

    @Test
    void anEntryJustAddedIsNotEvictedWhenEveryOlderOneWasRead() {
        S3FifoPolicy s3 = new S3FifoPolicy(10_000);
        List<RevisionKey> evicted = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            s3.add(key(i), 100, evicted::add);
            s3.hit(key(i)); // a reader keeps up with the writer: everything stored so far has been read
        }
        assertThat(evicted).as("the cache is just full").isEmpty();

        s3.add(key(1000), 100, evicted::add);

        assertThat(evicted).as("victims of the add that overflows").hasSize(1).doesNotContain(key(1000));
        assertThat(s3.usedBytes()).isEqualTo(10_000);
    }

    @Test
    void aGhostComesBackStraightToMain() {
        S3FifoPolicy s3 = new S3FifoPolicy(1000);
        List<RevisionKey> evicted = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            s3.add(key(i), 100, evicted::add);
        }
        s3.add(key(10), 100, evicted::add);
        assertThat(evicted).containsExactly(key(0));
        // Re-added: a ghost goes to main, so the next victims come from the small FIFO, not key 0.
        s3.add(key(0), 100, evicted::add);
        s3.add(key(11), 100, evicted::add);
        s3.add(key(12), 100, evicted::add);
        assertThat(evicted).containsExactly(key(0), key(1), key(2), key(3));
    }

    @Test
    void evictOneAndRemoveKeepTheAccounts() {
        for (EvictionPolicy p : List.of(EvictionPolicy.s3Fifo(1000), EvictionPolicy.fifo(1000))) {
            p.add(key(1), 100, k -> { });
            p.add(key(2), 200, k -> { });
            p.remove(key(1));
            assertThat(p.usedBytes()).as(p.name()).isEqualTo(200);
            assertThat(p.evictOne()).isEqualTo(key(2));
            assertThat(p.evictOne()).isNull();
            assertThat(p.size()).isZero();
        }
    }

    private static List<RevisionKey> keys(int from, int to) {
        List<RevisionKey> keys = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add(key(i));
        }
        return keys;
    }
}
