package org.jzeo.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The B+-tree against a {@link TreeMap} model, on plain instances (no storage). */
class PersistentSortedMapTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20261206})
    void randomOperationsMatchATreeMap(long seed) {
        Random random = new Random(seed);
        int bucketSize = 4;
        int nodeSize = 4;
        PersistentSortedMap<Integer, String> map = new PersistentSortedMap<>(bucketSize, nodeSize);
        TreeMap<Integer, String> model = new TreeMap<>();
        int keySpace = 3000;
        int maxHeight = 0;
        for (int step = 0; step < 12_000; step++) {
            Integer key = random.nextInt(keySpace);
            int op = random.nextInt(100);
            // Grow for the first half, then shrink: the tree gets several levels, then loses buckets and nodes.
            int putShare = step < 6_000 ? 65 : 30;
            if (op < putShare) {
                String value = "v" + step;
                assertThat(map.put(key, value)).as("put %s", key).isEqualTo(model.put(key, value));
            } else if (op < 90) {
                assertThat(map.remove(key)).as("remove %s", key).isEqualTo(model.remove(key));
            } else if (op < 95) {
                assertThat(map.get(key)).isEqualTo(model.get(key));
                assertThat(map.containsKey(key)).isEqualTo(model.containsKey(key));
            } else {
                checkNavigation(map, model, key);
            }
            assertThat(map.size()).isEqualTo(model.size());
            if (step % 500 == 0) {
                checkSame(map, model);
                checkRanges(map, model, random, keySpace);
                checkTree(map, bucketSize, nodeSize);
            }
            maxHeight = Math.max(maxHeight, map.height());
        }
        checkSame(map, model);
        checkTree(map, bucketSize, nodeSize);
        assertThat(maxHeight).as("the tree had several levels of nodes").isGreaterThanOrEqualTo(4);

        // Empty it entirely by removals: every bucket and node goes, the map is empty again.
        for (Integer key : new ArrayList<>(model.keySet())) {
            assertThat(map.remove(key)).isEqualTo(model.remove(key));
        }
        assertThat(map).isEmpty();
        assertThat(map.height()).isZero();
        assertThat(map.entrySet()).isEmpty();
        assertThatThrownBy(map::firstKey).isInstanceOf(NoSuchElementException.class);
        map.put(7, "again");
        assertThat(map).containsExactly(Map.entry(7, "again"));
    }

    @Test
    void rangeViewsReadAndWriteThroughAndIteratorRemovalKeepsTheTreeSound() {
        Random random = new Random(7);
        PersistentSortedMap<Integer, String> map = new PersistentSortedMap<>(3, 3);
        TreeMap<Integer, String> model = new TreeMap<>();
        for (int i = 0; i < 2000; i++) {
            int key = random.nextInt(5000);
            map.put(key, "v" + i);
            model.put(key, "v" + i);
        }
        // Remove every third entry of a range through the view's iterator: buckets empty and are unlinked mid-walk.
        Iterator<Map.Entry<Integer, String>> it = map.subMap(1000, 4000).entrySet().iterator();
        Iterator<Map.Entry<Integer, String>> expected = model.subMap(1000, 4000).entrySet().iterator();
        int n = 0;
        while (expected.hasNext()) {
            assertThat(it.hasNext()).isTrue();
            Map.Entry<Integer, String> e = it.next();
            assertThat(e).isEqualTo(expected.next());
            if (n++ % 3 != 1) {
                it.remove();
                expected.remove();
            }
        }
        assertThat(it.hasNext()).isFalse();
        checkSame(map, model);
        checkTree(map, 3, 3);

        // Writes through views and entries.
        SortedMap<Integer, String> tail = map.tailMap(2500);
        tail.put(4999, "last");
        model.put(4999, "last");
        assertThatThrownBy(() -> tail.put(10, "low")).isInstanceOf(IllegalArgumentException.class);
        Map.Entry<Integer, String> firstOfTail = tail.entrySet().iterator().next();
        firstOfTail.setValue("changed");
        model.put(model.ceilingKey(2500), "changed");
        map.headMap(1000).clear();
        model.headMap(1000).clear();
        map.keySet().removeIf(k -> k % 5 == 0);
        model.keySet().removeIf(k -> k % 5 == 0);
        checkSame(map, model);
        checkTree(map, 3, 3);
        assertThat(map.subMap(2000, 3000).subMap(2100, 2200)).isEqualTo(model.subMap(2100, 2200));
        assertThatThrownBy(() -> map.subMap(2000, 3000).subMap(1000, 2200))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.subMap(3000, 2000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.subMap(3000, 3000).firstKey()).isInstanceOf(NoSuchElementException.class);
        assertThat(map.subMap(3000, 3000)).isEmpty();

        map.clear();
        assertThat(map).isEmpty();
        assertThat(map.size()).isZero();
        assertThat(map.height()).isZero();
    }

    @Test
    void defaultSizesAreOOBTreesAndATreeOfThousandsHasThreeLevels() {
        PersistentSortedMap<String, Integer> map = new PersistentSortedMap<>();
        for (int i = 0; i < 20_000; i++) {
            map.put(String.format("key-%06d", i * 7919 % 20_000), i);
        }
        assertThat(map.size()).isEqualTo(20_000);
        assertThat(map.firstKey()).isEqualTo("key-000000");
        assertThat(map.lastKey()).isEqualTo("key-019999");
        assertThat(map.height()).isEqualTo(3);
        checkTree(map, PersistentSortedMap.DEFAULT_BUCKET_SIZE, PersistentSortedMap.DEFAULT_NODE_SIZE);
        List<String> keys = new ArrayList<>(map.keySet());
        assertThat(keys).isSorted().hasSize(20_000);
    }

    @Test
    void persistentValuesAreHeldByReferenceAndKeysMustBeValues() {
        PersistentSortedMap<String, Object> map = new PersistentSortedMap<>(2, 3);
        Counter counter = new Counter(5);
        map.put("a", counter);
        map.put("b", "plain");
        map.put("c", null);
        assertThat(map.get("a")).isSameAs(counter);
        assertThat(map.containsKey("c")).isTrue();
        assertThat(map.get("c")).isNull();
        BTreeBucket bucket = (BTreeBucket) ((BTreeNode) map.root()).child(0);
        assertThat(bucket.heldAt(0)).as("held lazily").isInstanceOf(Lazy.class);
        assertThat(map.values()).containsExactly(counter, "plain", null);

        @SuppressWarnings({"rawtypes", "unchecked"})
        Map<Object, Object> raw = (Map) map;
        assertThatThrownBy(() -> raw.put(new Ranked(), "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be values");
        assertThatThrownBy(() -> raw.put(new Counter(), "x")).isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> raw.put(new Object(), "x")).isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> map.put(null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.get(null)).isInstanceOf(NullPointerException.class);
    }

    /** A persistent class that is Comparable: still not a valid key. */
    static final class Ranked extends Persistent implements Comparable<Ranked> {
        @Override
        public int compareTo(Ranked o) {
            return 0;
        }
    }

    @Test
    void changesOutsideTheIteratorAreDetected() {
        PersistentSortedMap<Integer, Integer> map = new PersistentSortedMap<>(3, 3);
        for (int i = 0; i < 20; i++) {
            map.put(i, i);
        }
        Iterator<Integer> it = map.keySet().iterator();
        it.next();
        map.put(100, 100);
        assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
        Iterator<Integer> again = map.keySet().iterator();
        again.next();
        map.put(5, -5); // replacing a value is not a structural change
        assertThat(again.next()).isEqualTo(1);
        assertThatThrownBy(() -> map.keySet().iterator().remove()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onlyTheBucketsPathIsChangedByAnInsertAndTheMapOnlyWhenTheRootSplits() {
        PersistentSortedMap<Integer, String> map = new PersistentSortedMap<>(4, 4);
        for (int i = 0; i < 100; i++) {
            map.put(i * 10, "v");
        }
        List<Persistent> records = records(map);
        records.forEach(r -> r.jzeoChanged = false);
        map.jzeoChanged = false;
        map.put(55, "new"); // lands in a bucket with room
        List<Persistent> changed = records(map).stream().filter(r -> r.jzeoChanged).toList();
        assertThat(changed).hasSize(1).first().isInstanceOf(BTreeBucket.class);
        assertThat(map.jzeoChanged).as("the map record is untouched").isFalse();
    }

    // ------------------------------------------------------------------ checks

    private static void checkSame(PersistentSortedMap<Integer, String> map, TreeMap<Integer, String> model) {
        assertThat(map.size()).isEqualTo(model.size());
        assertThat(new ArrayList<>(map.entrySet())).isEqualTo(new ArrayList<>(model.entrySet()));
        assertThat(map).isEqualTo(model);
        assertThat(model).isEqualTo(map);
        assertThat(map.hashCode()).isEqualTo(model.hashCode());
        if (!model.isEmpty()) {
            assertThat(map.firstKey()).isEqualTo(model.firstKey());
            assertThat(map.lastKey()).isEqualTo(model.lastKey());
        }
    }

    private static void checkNavigation(PersistentSortedMap<Integer, String> map, TreeMap<Integer, String> model,
                                        Integer key) {
        assertThat(map.ceilingKey(key)).isEqualTo(model.ceilingKey(key));
        assertThat(map.higherKey(key)).isEqualTo(model.higherKey(key));
        assertThat(map.floorKey(key)).isEqualTo(model.floorKey(key));
        assertThat(map.lowerKey(key)).isEqualTo(model.lowerKey(key));
    }

    private static void checkRanges(PersistentSortedMap<Integer, String> map, TreeMap<Integer, String> model,
                                    Random random, int keySpace) {
        for (int i = 0; i < 5; i++) {
            int a = random.nextInt(keySpace + 20) - 10;
            int b = random.nextInt(keySpace + 20) - 10;
            int from = Math.min(a, b);
            int to = Math.max(a, b);
            checkView(map.subMap(from, to), model.subMap(from, true, to, false));
            checkView(map.headMap(to), model.headMap(to, false));
            checkView(map.tailMap(from), model.tailMap(from, true));
            int mid = (from + to) / 2;
            checkView(map.subMap(from, to).headMap(mid), model.subMap(from, true, mid, false));
            checkView(map.subMap(from, to).tailMap(mid), model.subMap(mid, true, to, false));
        }
    }

    private static void checkView(SortedMap<Integer, String> view, NavigableMap<Integer, String> expected) {
        assertThat(new ArrayList<>(view.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
        assertThat(view.size()).isEqualTo(expected.size());
        assertThat(view.isEmpty()).isEqualTo(expected.isEmpty());
        if (expected.isEmpty()) {
            assertThatThrownBy(view::firstKey).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(view::lastKey).isInstanceOf(NoSuchElementException.class);
        } else {
            assertThat(view.firstKey()).isEqualTo(expected.firstKey());
            assertThat(view.lastKey()).isEqualTo(expected.lastKey());
            Integer probe = expected.firstKey();
            assertThat(view.containsKey(probe)).isTrue();
            assertThat(view.get(probe)).isEqualTo(expected.get(probe));
        }
    }

    /**
     * The tree's invariants: every key within its parent's separators, buckets and nodes within their sizes, no
     * empty bucket or node, every level equally deep, and the bucket links visiting the leaves in order.
     */
    static void checkTree(PersistentSortedMap<?, ?> map, int bucketSize, int nodeSize) {
        Persistent root = map.root();
        if (root == null) {
            return;
        }
        List<BTreeBucket> leaves = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        walk(root, null, null, bucketSize, nodeSize, leaves, depths, 1, root);
        assertThat(depths).as("every bucket equally deep").containsOnly(depths.get(0));
        List<BTreeBucket> chain = new ArrayList<>();
        for (BTreeBucket b = leaves.get(0); b != null; b = b.next()) {
            chain.add(b);
            assertThat(chain.size()).as("no cycle in the links").isLessThanOrEqualTo(leaves.size());
        }
        assertThat(chain).as("the links visit the leaves in order").containsExactlyElementsOf(leaves);
    }

    private static void walk(Persistent p, Object lo, Object hi, int bucketSize, int nodeSize,
                             List<BTreeBucket> leaves, List<Integer> depths, int depth, Persistent root) {
        if (p instanceof BTreeBucket b) {
            assertThat(b.size()).isLessThanOrEqualTo(bucketSize);
            assertThat(b.size()).as("no empty bucket").isPositive();
            for (int i = 0; i < b.size(); i++) {
                Object k = b.keyAt(i);
                if (i > 0) {
                    assertThat(BTreeBucket.compare(b.keyAt(i - 1), k)).as("sorted bucket").isNegative();
                }
                if (lo != null) {
                    assertThat(BTreeBucket.compare(k, lo)).as("key %s >= separator %s", k, lo).isNotNegative();
                }
                if (hi != null) {
                    assertThat(BTreeBucket.compare(k, hi)).as("key %s < separator %s", k, hi).isNegative();
                }
            }
            leaves.add(b);
            depths.add(depth);
            return;
        }
        BTreeNode node = (BTreeNode) p;
        assertThat(node.childCount()).isLessThanOrEqualTo(nodeSize);
        assertThat(node.childCount()).as("no empty node").isPositive();
        for (int i = 0; i < node.childCount(); i++) {
            Object childLo = i == 0 ? lo : node.separator(i - 1);
            Object childHi = i == node.childCount() - 1 ? hi : node.separator(i);
            walk(node.child(i), childLo, childHi, bucketSize, nodeSize, leaves, depths, depth + 1, root);
        }
    }

    /** Every node and bucket of the tree. */
    static List<Persistent> records(PersistentSortedMap<?, ?> map) {
        List<Persistent> all = new ArrayList<>();
        collect(map.root(), all);
        return all;
    }

    private static void collect(Persistent p, List<Persistent> into) {
        if (p == null) {
            return;
        }
        into.add(p);
        if (p instanceof BTreeNode node) {
            for (int i = 0; i < node.childCount(); i++) {
                collect(node.child(i), into);
            }
        }
    }
}
