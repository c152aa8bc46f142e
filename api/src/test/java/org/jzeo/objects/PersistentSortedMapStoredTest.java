package org.jzeo.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeMap;
import org.jzeo.api.ConflictException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tree stored through real object sessions over an in-memory {@link FakeStorage}: one record per bucket and
 * node, loaded on demand; a change rewrites one bucket and the counter; concurrent transactions changing distinct
 * keys of one bucket both commit through the bucket's and the counter's conflict resolution, and the rest conflict.
 */
class PersistentSortedMapStoredTest {
    private static final int BUCKET = 4;
    private static final int NODE = 4;

    private FakeStorage storage;
    private TreeMap<Integer, String> model;

    @BeforeEach
    void storeATree() {
        storage = new FakeStorage();
        model = new TreeMap<>();
        FakeStorage.Session s = storage.open();
        PersistentSortedMap<Integer, String> map = new PersistentSortedMap<>(BUCKET, NODE);
        for (int i = 0; i < 200; i++) {
            map.put(i * 10, "v" + i);
            model.put(i * 10, "v" + i);
        }
        s.root().put("map", map);
        s.commit();
        assertThat(map.height()).isGreaterThanOrEqualTo(3);
        assertThat(storage.classesOf(s.written)).as("one record per bucket and node")
                .containsOnlyOnce(PersistentMap.class, PersistentSortedMap.class, Counter.class)
                .filteredOn(c -> c == BTreeBucket.class).hasSizeGreaterThanOrEqualTo(200 / BUCKET);
    }

    @SuppressWarnings("unchecked")
    private static PersistentSortedMap<Integer, String> map(FakeStorage.Session s) {
        return (PersistentSortedMap<Integer, String>) s.root().get("map");
    }

    @Test
    void afterTheCommitTheLinksToNewBucketsNoLongerHoldTheirTargets() throws Exception {
        // A bucket that splits links to its new right sibling by a Lazy, which held the new bucket strongly until
        // next used: an insert-only workload kept every bucket in memory, past the cache size.
        java.lang.reflect.Field unsaved = Lazy.class.getDeclaredField("unsaved");
        unsaved.setAccessible(true);
        FakeStorage.Session first = storage.open();
        first.root().put("other", new PersistentSortedMap<Integer, String>(BUCKET, NODE));
        first.commit();
        int checked = 0;
        for (int t = 0; t < 20; t++) { // each transaction splits buckets made by earlier ones
            FakeStorage.Session s = storage.open();
            @SuppressWarnings("unchecked")
            PersistentSortedMap<Integer, String> map = (PersistentSortedMap<Integer, String>) s.root().get("other");
            for (int i = t * 5; i < t * 5 + 5; i++) {
                map.put(i, "v" + i);
            }
            s.commit();
            Persistent p = map.root();
            while (p instanceof BTreeNode node) {
                p = node.child(0);
            }
            for (BTreeBucket b = (BTreeBucket) p; b.nextLink() != null; b = b.nextLink().get()) {
                assertThat(unsaved.get(b.nextLink())).as("a link after transaction %d", t).isNull();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void bucketsAndNodesAreLoadedOnDemand() {
        FakeStorage.Session s = storage.open();
        PersistentSortedMap<Integer, String> map = map(s);
        assertThat(storage.classesOf(s.reads)).as("the root, the map and its counter; no node or bucket yet")
                .containsExactlyInAnyOrder(PersistentMap.class, PersistentSortedMap.class, Counter.class);
        assertThat(map.size()).isEqualTo(200);
        assertThat(s.reads).hasSize(3);
        int height = map.height();
        s.reads.clear();
        assertThat(map.get(1230)).isEqualTo("v123");
        assertThat(s.reads).as("one path from the top").hasSizeLessThanOrEqualTo(height);
        assertThat(map.subMap(500, 600)).isEqualTo(model.subMap(500, 600));
        assertThat(map).isEqualTo(model);
        PersistentSortedMapTest.checkTree(map, BUCKET, NODE);
    }

    @Test
    void aChangeRewritesItsBucketAndTheCounterNotTheMap() {
        FakeStorage.Session s = storage.open();
        PersistentSortedMap<Integer, String> map = map(s);
        int key = keyWithRoomInItsBucket(map);
        map.put(key, "new");
        s.commit();
        assertThat(storage.classesOf(s.written)).containsExactlyInAnyOrder(BTreeBucket.class, Counter.class);

        FakeStorage.Session t = storage.open();
        map(t).put(1230, "changed"); // a value change: the bucket alone
        t.commit();
        assertThat(storage.classesOf(t.written)).containsExactly(BTreeBucket.class);
    }

    @Test
    void concurrentChangesOfDistinctKeysInOneBucketBothCommit() {
        FakeStorage.Session a = storage.open();
        FakeStorage.Session b = storage.open();
        int key = keyWithRoomInItsBucket(map(a));
        // The stored keys are multiples of 10 and the bucket holds at most BUCKET - 2, so neither side splits it:
        // a inserts key (x3), b removes x0 and inserts x1 and x2 (the merge holds at most BUCKET entries).
        int existing = key - key % 10;
        map(a).put(key, "from a");
        map(b).remove(existing);
        map(b).put(existing + 1, "from b");
        map(b).put(existing + 2, "from b");
        a.commit();
        b.commit();
        assertThat(storage.classesOf(b.written)).containsExactlyInAnyOrder(BTreeBucket.class, Counter.class);
        model.put(key, "from a");
        model.remove(existing);
        model.put(existing + 1, "from b");
        model.put(existing + 2, "from b");

        FakeStorage.Session c = storage.open();
        PersistentSortedMap<Integer, String> merged = map(c);
        assertThat(merged).isEqualTo(model);
        assertThat(merged.size()).as("the counters' changes added up").isEqualTo(model.size());
        PersistentSortedMapTest.checkTree(merged, BUCKET, NODE);
    }

    @Test
    void concurrentChangesOfTheSameKeyConflict() {
        FakeStorage.Session a = storage.open();
        FakeStorage.Session b = storage.open();
        map(a).put(5, "a");
        map(b).put(5, "b");
        a.commit();
        assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);

        FakeStorage.Session c = storage.open();
        assertThat(map(c).get(5)).isEqualTo("a");
        assertThat(map(c).size()).isEqualTo(201);
    }

    @Test
    void aConcurrentSplitConflicts() {
        FakeStorage.Session a = storage.open();
        FakeStorage.Session b = storage.open();
        int key = keyWithRoomInItsBucket(map(a));
        int base = key - key % 10;
        // a fills the bucket past its size (a split); b changes another key of it.
        for (int i = 1; i <= BUCKET; i++) {
            map(a).put(base + i, "a" + i);
        }
        map(b).put(base, "b");
        a.commit();
        assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        PersistentSortedMapTest.checkTree(map(storage.open()), BUCKET, NODE);
    }

    @Test
    void removalsThatUnlinkBucketsAreStoredAndAFreshSessionSeesASoundTree() {
        java.util.Random random = new java.util.Random(11);
        for (int round = 0; round < 6; round++) {
            FakeStorage.Session s = storage.open();
            PersistentSortedMap<Integer, String> map = map(s);
            for (int i = 0; i < 30; i++) {
                Integer key = 10 * random.nextInt(200);
                assertThat(map.remove(key)).isEqualTo(model.remove(key));
            }
            map.headMap(100 * round).clear();
            model.headMap(100 * round).clear();
            s.commit();
            FakeStorage.Session fresh = storage.open();
            assertThat(map(fresh)).isEqualTo(model);
            assertThat(map(fresh).size()).isEqualTo(model.size());
            PersistentSortedMapTest.checkTree(map(fresh), BUCKET, NODE);
        }
        FakeStorage.Session s = storage.open();
        map(s).clear();
        s.commit();
        FakeStorage.Session fresh = storage.open();
        assertThat(map(fresh)).isEmpty();
        assertThat(map(fresh).size()).isZero();
    }

    /** A new key (ending in 3) whose bucket holds at most {@code BUCKET - 2} entries. */
    private static int keyWithRoomInItsBucket(PersistentSortedMap<Integer, String> map) {
        for (int k = 3; ; k += 10) {
            Persistent p = map.root();
            while (p instanceof BTreeNode node) {
                p = node.child(node.childIndex(k));
            }
            if (((BTreeBucket) p).size() < BUCKET - 1) {
                return k;
            }
        }
    }
}
