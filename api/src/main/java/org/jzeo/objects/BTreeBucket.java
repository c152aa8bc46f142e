package org.jzeo.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A leaf of a {@link PersistentSortedMap}: up to the map's bucket size of entries in key order, stored as a record
 * of its own, with a lazy link to the next bucket so that range scans walk the leaves without going back up the
 * tree (ZODB's {@code OOBucket}). Values are held as {@link Containers#hold} makes them (persistent objects as
 * {@link Lazy} references).
 *
 * <p><b>Conflicts.</b> Two transactions that changed the same bucket from the same state are merged when they
 * changed different keys (ZODB's bucket rules); the merge is refused when both changed the same key (even in the
 * same way: the map's size counter would count it twice), when either of them or the merge leaves the bucket empty
 * (an emptied bucket is being unlinked from the tree), or when the link to the next bucket changed (a split or an
 * unlinked neighbour: the keys moved between records).
 */
final class BTreeBucket extends Persistent implements ResolvesConflicts {
    private ArrayList<Object> keys = new ArrayList<>();
    private ArrayList<Object> values = new ArrayList<>();
    private Lazy<BTreeBucket> next;

    BTreeBucket() {
    }

    int size() {
        return keys.size();
    }

    Object keyAt(int index) {
        return keys.get(index);
    }

    /** The held value at {@code index} (a {@link Lazy} for a persistent object). */
    Object heldAt(int index) {
        return values.get(index);
    }

    /** The held values in key order, to read (not change) around one of them. */
    List<Object> heldValues() {
        return values;
    }

    BTreeBucket next() {
        return next == null ? null : next.get();
    }

    void setNext(Lazy<BTreeBucket> link) {
        if (!Objects.equals(link, next)) {
            next = link;
            markChanged();
        }
    }

    Lazy<BTreeBucket> nextLink() {
        return next;
    }

    /** The index of {@code key}, or {@code -(insertion point) - 1} (as {@link java.util.Collections#binarySearch}). */
    int search(Object key) {
        return search(keys, key);
    }

    static int search(List<Object> keys, Object key) {
        int lo = 0;
        int hi = keys.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(keys.get(mid), key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    @SuppressWarnings("unchecked")
    static int compare(Object a, Object b) {
        return ((Comparable<Object>) a).compareTo(b);
    }

    /** Replaces the value at an existing index; returns the previous held value. */
    Object replace(int index, Object held) {
        Object previous = values.set(index, held);
        if (!sameHeld(previous, held)) {
            markChanged();
        }
        return previous;
    }

    /**
     * Inserts a new key at its insertion point. When the bucket then holds more than {@code maxSize} entries it is
     * split: the upper half moves to a new bucket linked after this one, which is returned (else null).
     */
    BTreeBucket insert(int insertionPoint, Object key, Object held, int maxSize) {
        keys.add(insertionPoint, key);
        values.add(insertionPoint, held);
        markChanged();
        if (keys.size() <= maxSize) {
            return null;
        }
        int mid = keys.size() / 2;
        BTreeBucket right = new BTreeBucket();
        right.keys.addAll(keys.subList(mid, keys.size()));
        right.values.addAll(values.subList(mid, values.size()));
        keys.subList(mid, keys.size()).clear();
        values.subList(mid, values.size()).clear();
        right.next = next;
        next = Lazy.of(right);
        return right;
    }

    /** Removes the entry at {@code index}; returns its held value. */
    Object removeAt(int index) {
        keys.remove(index);
        markChanged();
        return values.remove(index);
    }

    /** Removes every entry; returns how many there were. */
    int clearEntries() {
        int n = keys.size();
        if (n > 0) {
            keys.clear();
            values.clear();
            markChanged();
        }
        return n;
    }

    /** Equal held values: equal plain values (arrays by content), or references to the same object. */
    static boolean sameHeld(Object a, Object b) {
        return a == b || Objects.deepEquals(a, b);
    }

    // ------------------------------------------------------------------ conflicts

    @Override
    public Object resolveConflict(Object oldState, Object committedState) {
        if (!(oldState instanceof BTreeBucket old) || !(committedState instanceof BTreeBucket committed)) {
            return null; // made by both transactions: nothing to merge from
        }
        if (!Objects.equals(old.next, next) || !Objects.equals(old.next, committed.next)) {
            return null; // a split or an unlinked neighbour: entries moved to or from another record
        }
        if (!old.keys.isEmpty() && (keys.isEmpty() || committed.keys.isEmpty())) {
            return null; // one side emptied the bucket, which its parent is dropping
        }
        ArrayList<Object> mergedKeys = new ArrayList<>();
        ArrayList<Object> mergedValues = new ArrayList<>();
        int o = 0;
        int c = 0;
        int m = 0;
        while (o < old.keys.size() || c < committed.keys.size() || m < keys.size()) {
            Object key = smallest(old.keys, o, committed.keys, c, keys, m);
            boolean inOld = o < old.keys.size() && compare(old.keys.get(o), key) == 0;
            boolean inCommitted = c < committed.keys.size() && compare(committed.keys.get(c), key) == 0;
            boolean inMine = m < keys.size() && compare(keys.get(m), key) == 0;
            Object oldValue = inOld ? old.values.get(o++) : null;
            Object committedValue = inCommitted ? committed.values.get(c++) : null;
            Object mineValue = inMine ? values.get(m++) : null;
            Object mergedValue;
            if (inOld) {
                boolean committedChanged = !inCommitted || !sameHeld(oldValue, committedValue);
                boolean mineChanged = !inMine || !sameHeld(oldValue, mineValue);
                if (committedChanged && mineChanged) {
                    // Both changed this key: only the same new value (not a removal, which the size counter
                    // would count twice) is a merge.
                    if (!inCommitted || !inMine || !sameHeld(committedValue, mineValue)) {
                        return null;
                    }
                }
                if (mineChanged) {
                    if (!inMine) {
                        continue; // removed by this transaction
                    }
                    mergedValue = mineValue;
                } else {
                    if (!inCommitted) {
                        continue; // removed by the other transaction
                    }
                    mergedValue = committedValue;
                }
            } else if (inCommitted && inMine) {
                return null; // inserted by both: the size counter would count it twice
            } else {
                mergedValue = inCommitted ? committedValue : mineValue;
            }
            mergedKeys.add(key);
            mergedValues.add(mergedValue);
        }
        if (mergedKeys.isEmpty()) {
            return null; // the changes together emptied the bucket, which neither unlinked
        }
        keys = mergedKeys;
        values = mergedValues;
        return this;
    }

    private static Object smallest(List<Object> a, int i, List<Object> b, int j, List<Object> c, int k) {
        Object least = null;
        if (i < a.size()) {
            least = a.get(i);
        }
        if (j < b.size() && (least == null || compare(b.get(j), least) < 0)) {
            least = b.get(j);
        }
        if (k < c.size() && (least == null || compare(c.get(k), least) < 0)) {
            least = c.get(k);
        }
        return least;
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }

    @Override
    public String toString() {
        return "BTreeBucket" + keys;
    }
}
