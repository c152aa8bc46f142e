package org.jzeo.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;

/**
 * ZODB's bucket conflict rules on detached states, as the session hands them to {@code resolveConflict}: concurrent
 * changes of distinct keys merge; changes of one key by both, emptied buckets and splits are refused.
 */
class BTreeBucketConflictTest {
    private final States states = new States();

    /** A bucket with these keys, each valued "v" + key. */
    private BTreeBucket bucket(int... keys) {
        BTreeBucket b = new BTreeBucket();
        for (int k : keys) {
            put(b, k, "v" + k, 100);
        }
        return states.copy(b);
    }

    private static BTreeBucket put(BTreeBucket b, int key, Object value, int maxSize) {
        int i = b.search(key);
        if (i >= 0) {
            b.replace(i, value);
            return null;
        }
        return b.insert(-i - 1, key, value, maxSize);
    }

    private static void remove(BTreeBucket b, int key) {
        b.removeAt(b.search(key));
    }

    private static Map<Object, Object> entries(Object bucket) {
        BTreeBucket b = (BTreeBucket) bucket;
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < b.size(); i++) {
            m.put(b.keyAt(i), b.heldAt(i));
        }
        return m;
    }

    /** mine.resolveConflict(old, committed) on detached copies, as the session calls it. */
    private Object merge(BTreeBucket old, BTreeBucket committed, BTreeBucket mine) {
        return states.copy(mine).resolveConflict(states.copy(old), states.copy(committed));
    }

    @Test
    void disjointInsertsMerge() {
        BTreeBucket old = bucket(10, 20, 30);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        put(committed, 15, "c15", 100);
        put(committed, 35, "c35", 100);
        put(mine, 25, "m25", 100);
        put(mine, 5, "m5", 100);
        assertThat(entries(merge(old, committed, mine))).containsExactly(Map.entry(5, "m5"), Map.entry(10, "v10"),
                Map.entry(15, "c15"), Map.entry(20, "v20"), Map.entry(25, "m25"), Map.entry(30, "v30"),
                Map.entry(35, "c35"));
    }

    @Test
    void removalAndInsertOfDistinctKeysMergeEitherWay() {
        BTreeBucket old = bucket(10, 20, 30);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        remove(committed, 10);
        put(mine, 25, "m25", 100);
        assertThat(entries(merge(old, committed, mine)).keySet()).containsExactly(20, 25, 30);
        assertThat(entries(merge(old, mine, committed)).keySet()).containsExactly(20, 25, 30);

        BTreeBucket both = states.copy(old);
        remove(both, 30);
        put(both, 12, "m12", 100);
        assertThat(entries(merge(old, committed, both)).keySet()).containsExactly(12, 20);
    }

    @Test
    void valueChangesOfDistinctKeysMerge() {
        BTreeBucket old = bucket(10, 20, 30);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        put(committed, 10, "c10", 100);
        put(mine, 30, "m30", 100);
        assertThat(entries(merge(old, committed, mine))).containsExactly(Map.entry(10, "c10"),
                Map.entry(20, "v20"), Map.entry(30, "m30"));
    }

    @Test
    void bothChangingTheSameKeyIsRefused() {
        BTreeBucket old = bucket(10, 20, 30);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        put(committed, 20, "c20", 100);
        put(mine, 20, "m20", 100);
        assertThat(merge(old, committed, mine)).as("different values").isNull();

        BTreeBucket removed = states.copy(old);
        remove(removed, 20);
        assertThat(merge(old, committed, removed)).as("changed here, removed there").isNull();
        assertThat(merge(old, removed, mine)).as("removed here, changed there").isNull();
        assertThat(merge(old, removed, states.copy(removed)))
                .as("removed by both: the size counter would count two removals").isNull();

        BTreeBucket insertedC = states.copy(old);
        BTreeBucket insertedM = states.copy(old);
        put(insertedC, 25, "same", 100);
        put(insertedM, 25, "same", 100);
        assertThat(merge(old, insertedC, insertedM))
                .as("inserted by both, even with one value: the size counter would count two insertions").isNull();
    }

    @Test
    void bothSettingTheSameKeyToTheSameValueMerges() {
        BTreeBucket old = bucket(10, 20, 30);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        put(committed, 20, "same", 100);
        put(mine, 20, "same", 100);
        put(mine, 40, "m40", 100);
        assertThat(entries(merge(old, committed, mine))).containsExactly(Map.entry(10, "v10"),
                Map.entry(20, "same"), Map.entry(30, "v30"), Map.entry(40, "m40"));
    }

    @Test
    void aSplitOnEitherSideIsRefused() {
        BTreeBucket old = bucket(10, 20, 30);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        put(committed, 5, "c5", 100);
        assertThat(put(mine, 40, "m40", 3)).as("mine splits").isNotNull();
        assertThat(merge(old, committed, mine)).isNull();
        assertThat(merge(old, mine, committed)).isNull();
    }

    @Test
    void aChangedNextLinkIsRefused() {
        // Two linked buckets, as a split leaves them.
        BTreeBucket first = new BTreeBucket();
        put(first, 10, "v10", 100);
        put(first, 20, "v20", 100);
        BTreeBucket second = put(first, 30, "v30", 2);
        assertThat(second).isNotNull();
        BTreeBucket old = states.copy(first);
        BTreeBucket committed = states.copy(old);
        BTreeBucket mine = states.copy(old);
        put(mine, 5, "m5", 100);
        committed.setNext(null); // its successor was emptied and unlinked
        put(committed, 15, "c15", 100);
        assertThat(merge(old, committed, mine)).isNull();
        assertThat(merge(old, mine, committed)).isNull();

        BTreeBucket committed2 = states.copy(old);
        put(committed2, 15, "c15", 100);
        assertThat(entries(merge(old, committed2, mine)).keySet()).as("same link: merges").containsExactly(5, 10,
                15);
    }

    @Test
    void anEmptiedBucketIsRefused() {
        BTreeBucket old = bucket(10, 20);
        BTreeBucket emptied = states.copy(old);
        remove(emptied, 10);
        remove(emptied, 20);
        BTreeBucket inserted = states.copy(old);
        put(inserted, 30, "m30", 100);
        assertThat(merge(old, emptied, inserted)).as("committed emptied it").isNull();
        assertThat(merge(old, inserted, emptied)).as("mine emptied it").isNull();

        BTreeBucket without10 = states.copy(old);
        remove(without10, 10);
        BTreeBucket without20 = states.copy(old);
        remove(without20, 20);
        assertThat(merge(old, without10, without20)).as("emptied together").isNull();
    }

    @Test
    void aBucketMadeByBothIsRefused() {
        BTreeBucket mine = bucket(1);
        assertThat(mine.resolveConflict(null, bucket(2))).isNull();
    }

    @Test
    void theSessionMergesStoredStatesWithReferencesAndEncodesTheResult() {
        Counter target = new Counter(1);
        target.jzeoOid = Oid.of(77);
        BTreeBucket built = new BTreeBucket();
        put(built, 10, Lazy.of(target), 100);
        put(built, 20, "v20", 100);
        byte[] old = states.encode(built);
        BTreeBucket committed = states.decode(old);
        BTreeBucket mine = states.decode(old);
        put(committed, 15, "c15", 100);
        remove(mine, 20);
        ObjectSession session = new ObjectSession(States.CODEC, null, 10);
        Oid oid = Oid.of(5);
        StoredObject merged = session.resolve(oid, stored(oid, old), stored(oid, states.encode(committed)),
                stored(oid, states.encode(mine)));
        assertThat(merged).isNotNull();
        assertThat(merged.references()).as("the merged state's references").containsExactly(Oid.of(77));
        Map<Object, Object> entries = entries(states.decode(merged.payload()));
        assertThat(entries.keySet()).containsExactly(10, 15);
        assertThat(((Lazy<?>) entries.get(10)).oid()).isEqualTo(Oid.of(77));

        BTreeBucket conflicting = states.decode(old);
        remove(conflicting, 10); // mine removes 10 ...
        BTreeBucket changed = states.decode(old);
        put(changed, 10, "c10", 100); // ... which committed changed
        assertThat(session.resolve(oid, stored(oid, old), stored(oid, states.encode(changed)),
                stored(oid, states.encode(conflicting)))).isNull();
    }

    @Test
    void nodesAndMapsDoNotResolve() {
        assertThat(ResolvesConflicts.class.isAssignableFrom(BTreeNode.class)).isFalse();
        assertThat(ResolvesConflicts.class.isAssignableFrom(PersistentSortedMap.class)).isFalse();
        PersistentSortedMap<Integer, Integer> map = new PersistentSortedMap<>(2, 3);
        for (int i = 0; i < 10; i++) {
            map.put(i, i);
        }
        BTreeNode node = (BTreeNode) map.root();
        byte[] state = states.encode(node);
        ObjectSession session = new ObjectSession(States.CODEC, null, 10);
        Oid oid = Oid.of(9);
        assertThat(session.resolve(oid, stored(oid, state), stored(oid, state), stored(oid, state))).isNull();
    }

    private static StoredObject stored(Oid oid, byte[] payload) {
        return new StoredObject(oid, Tid.of(1), payload, new ArrayList<>(List.of()));
    }
}
