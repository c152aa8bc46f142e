package org.jzeo.objects;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;

/**
 * A sorted map of any size whose entries are stored in many small records: a B+-tree like ZODB's {@code OOBTree}.
 * The map object itself is small (a reference to the top of the tree and a {@link Counter} holding the size);
 * entries live in buckets of at most {@value #DEFAULT_BUCKET_SIZE} entries, found through interior nodes of at most
 * {@value #DEFAULT_NODE_SIZE} children (ZODB's defaults for OOBTree). Every bucket and node is its own record,
 * loaded when first needed (and evictable from the cache), so a change rewrites one bucket (and its parent when
 * the bucket splits), never the whole map. Lookups, insertions and removals are O(log n); iteration and the
 * {@link #subMap}, {@link #headMap} and {@link #tailMap} views walk the buckets through their links to the next
 * bucket, loading them as they go.
 *
 * <p>Keys are values compared by their natural order (strings, numbers, records implementing {@link Comparable}...),
 * not persistent objects, and must not change once stored; a key's class must order consistently with equals.
 * Values may be anything a persistent object's field can hold; a persistent object is held by reference and loaded
 * when it is read. {@code null} keys are refused; {@code null} values are allowed. Changes made inside a mutable
 * plain value held by the map are not seen (put the value again, or make it persistent), as with
 * {@link PersistentMap}.
 *
 * <p><b>Concurrent changes.</b> Two transactions that change different keys of the same bucket both commit: the
 * bucket merges them (see {@link BTreeBucket}), and the size counter adds both changes up. They conflict (one of
 * them is retried) when they change the same key, when one of them splits or empties the bucket the other changed,
 * or when both change the same interior node. A merge may leave a bucket a few entries over its size; it splits at
 * its next insertion.
 *
 * <p>A bucket that becomes empty is unlinked from the tree, as in ZODB; underfull buckets and nodes are not merged
 * with their neighbours. {@link #clear()} reads and rewrites every bucket (so that it conflicts with concurrent
 * changes instead of losing them). Not a {@code NavigableMap}: the buckets link forwards only.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class PersistentSortedMap<K extends Comparable<? super K>, V> extends Persistent implements SortedMap<K, V> {
    /** Entries per bucket before it splits (OOBTree's {@code max_leaf_size}). */
    public static final int DEFAULT_BUCKET_SIZE = 30;
    /** Children per interior node before it splits (OOBTree's {@code max_internal_size}). */
    public static final int DEFAULT_NODE_SIZE = 250;

    /** The root bucket (a small map) or node; null when the map is empty. */
    private Lazy<Persistent> top;
    private Counter count = new Counter();
    private int maxBucketSize;
    private int maxNodeSize;

    /** Structural changes made through this instance, for iterators. */
    private transient int modCount;
    private transient View all;

    public PersistentSortedMap() {
        this(DEFAULT_BUCKET_SIZE, DEFAULT_NODE_SIZE);
    }

    public PersistentSortedMap(Map<? extends K, ? extends V> initial) {
        this();
        putAll(initial);
    }

    /** A map with other bucket and node sizes (tests use small ones to grow deep trees). */
    PersistentSortedMap(int maxBucketSize, int maxNodeSize) {
        if (maxBucketSize < 2 || maxNodeSize < 3) {
            throw new IllegalArgumentException("bucket size must be >= 2 and node size >= 3, got " + maxBucketSize
                    + " and " + maxNodeSize);
        }
        this.maxBucketSize = maxBucketSize;
        this.maxNodeSize = maxNodeSize;
    }

    // ------------------------------------------------------------------ tree operations

    /** The top of the tree: a bucket, a node, or null when empty. */
    Persistent root() {
        return top == null ? null : top.get();
    }

    private static Object requireKey(Object key) {
        Objects.requireNonNull(key, "key");
        Containers.requireValue(key, "keys");
        if (!(key instanceof Comparable<?>)) {
            throw new ClassCastException("keys of a PersistentSortedMap must be Comparable, not "
                    + key.getClass().getName());
        }
        return key;
    }

    /** The bucket whose key range holds {@code key}, or null when the map is empty. */
    private BTreeBucket bucketFor(Object key) {
        Persistent p = root();
        while (p instanceof BTreeNode node) {
            p = node.child(node.childIndex(key));
        }
        return (BTreeBucket) p;
    }

    private static BTreeBucket firstBucket(Persistent p) {
        while (p instanceof BTreeNode node) {
            p = node.child(0);
        }
        return (BTreeBucket) p;
    }

    private static BTreeBucket lastBucket(Persistent p) {
        while (p instanceof BTreeNode node) {
            p = node.child(node.childCount() - 1);
        }
        return (BTreeBucket) p;
    }

    /** A position in a bucket. */
    private record Cursor(BTreeBucket bucket, int index) {
        Object key() {
            return bucket.keyAt(index);
        }
    }

    /** The first entry at or after (or strictly after) {@code key}: found in one descent, then along the links. */
    private Cursor ceiling(Object key, boolean inclusive) {
        BTreeBucket b = bucketFor(key);
        if (b == null) {
            return null;
        }
        int i = b.search(key);
        int index = i >= 0 ? (inclusive ? i : i + 1) : -i - 1;
        while (b != null && index >= b.size()) {
            b = b.next();
            index = 0;
        }
        return b == null ? null : new Cursor(b, index);
    }

    /** The last entry at or before (or strictly before) {@code key}. */
    private Cursor floor(Object key, boolean inclusive) {
        Persistent p = root();
        return p == null ? null : floor(p, key, inclusive);
    }

    private static Cursor floor(Persistent p, Object key, boolean inclusive) {
        if (p instanceof BTreeBucket b) {
            int i = b.search(key);
            int index = i >= 0 ? (inclusive ? i : i - 1) : -i - 2;
            return index >= 0 ? new Cursor(b, index) : null;
        }
        BTreeNode node = (BTreeNode) p;
        int i = node.childIndex(key);
        Cursor found = floor(node.child(i), key, inclusive);
        for (int j = i - 1; found == null && j >= 0; j--) {
            found = last(node.child(j));
        }
        return found;
    }

    private static Cursor first(Persistent p) {
        for (BTreeBucket b = p == null ? null : firstBucket(p); b != null; b = b.next()) {
            if (b.size() > 0) {
                return new Cursor(b, 0);
            }
        }
        return null;
    }

    private static Cursor last(Persistent p) {
        if (p instanceof BTreeNode node) {
            for (int j = node.childCount() - 1; j >= 0; j--) {
                Cursor found = last(node.child(j));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        BTreeBucket b = (BTreeBucket) p;
        return b == null || b.size() == 0 ? null : new Cursor(b, b.size() - 1);
    }

    /** What a put found. */
    private static final class PutResult {
        boolean added;
        Object previous;
    }

    private BTreeNode.Split put(Persistent p, Object key, Object held, PutResult result) {
        if (p instanceof BTreeBucket b) {
            int i = b.search(key);
            if (i >= 0) {
                result.previous = b.replace(i, held);
                return null;
            }
            result.added = true;
            BTreeBucket right = b.insert(-i - 1, key, held, maxBucketSize);
            return right == null ? null : new BTreeNode.Split(right.keyAt(0), right);
        }
        BTreeNode node = (BTreeNode) p;
        int i = node.childIndex(key);
        BTreeNode.Split split = put(node.child(i), key, held, result);
        return split == null ? null : node.insertChild(i, split.separator(), split.right(), maxNodeSize);
    }

    /** What a removal found and what it leaves to the callers up the tree. */
    private static final class RemoveResult {
        boolean found;
        Object previous;
        /** The subtree is left with no entries: its parent drops it. */
        boolean emptied;
        /** The subtree's first bucket was dropped: the bucket before it must now link to {@link #successor}. */
        boolean relink;
        Lazy<BTreeBucket> successor;
    }

    private static void remove(Persistent p, Object key, RemoveResult result) {
        if (p instanceof BTreeBucket b) {
            int i = b.search(key);
            if (i < 0) {
                return;
            }
            result.found = true;
            result.previous = b.removeAt(i);
            if (b.size() == 0) {
                result.emptied = true;
                result.relink = true;
                result.successor = b.nextLink();
            }
            return;
        }
        BTreeNode node = (BTreeNode) p;
        int i = node.childIndex(key);
        remove(node.child(i), key, result);
        if (result.emptied) {
            node.removeChild(i);
            result.emptied = node.childCount() == 0;
        }
        if (result.relink && i > 0) {
            // The dropped bucket's predecessor is the last bucket of the child to the left: link it past.
            lastBucket(node.child(i - 1)).setNext(result.successor);
            result.relink = false;
        }
    }

    // ------------------------------------------------------------------ Map

    @Override
    public int size() {
        return (int) Math.min(count.get(), Integer.MAX_VALUE);
    }

    /** The number of entries as a long (the counter's value). */
    public long longSize() {
        return count.get();
    }

    @Override
    public boolean isEmpty() {
        return top == null || first(root()) == null;
    }

    @Override
    public boolean containsKey(Object key) {
        BTreeBucket b = bucketFor(requireKey(key));
        return b != null && b.search(key) >= 0;
    }

    @Override
    public boolean containsValue(Object value) {
        return all().containsValue(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        BTreeBucket b = bucketFor(requireKey(key));
        if (b == null) {
            return null;
        }
        int i = b.search(key);
        return i >= 0 ? (V) Containers.release(b.heldAt(i), b.heldValues(), i, b.nextLink()) : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        requireKey(key);
        Object held = Containers.hold(value);
        Persistent root = root();
        if (root == null) {
            BTreeBucket bucket = new BTreeBucket();
            bucket.insert(0, key, held, maxBucketSize);
            top = Lazy.of(bucket);
            markChanged();
            count.add(1);
            modCount++;
            return null;
        }
        PutResult result = new PutResult();
        BTreeNode.Split split = put(root, key, held, result);
        if (split != null) {
            top = Lazy.of(BTreeNode.root(root, split.separator(), split.right()));
            markChanged();
        }
        if (result.added) {
            count.add(1);
            modCount++;
        }
        return (V) Containers.release(result.previous);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        requireKey(key);
        Persistent root = root();
        if (root == null) {
            return null;
        }
        RemoveResult result = new RemoveResult();
        remove(root, key, result);
        if (!result.found) {
            return null;
        }
        if (result.emptied) {
            top = null;
            markChanged();
        }
        count.add(-1);
        modCount++;
        return (V) Containers.release(result.previous);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        m.forEach(this::put);
    }

    /**
     * Removes every entry. Reads and empties every bucket, so that a transaction changing a bucket meanwhile
     * conflicts with this one rather than writing into a bucket no longer in the tree.
     */
    @Override
    public void clear() {
        Persistent root = root();
        if (root == null) {
            return;
        }
        long removed = 0;
        for (BTreeBucket b = firstBucket(root); b != null; b = b.next()) {
            removed += b.clearEntries();
        }
        top = null;
        markChanged();
        count.add(-removed);
        modCount++;
    }

    @Override
    public Comparator<? super K> comparator() {
        return null;
    }

    @Override
    public K firstKey() {
        return all().firstKey();
    }

    @Override
    public K lastKey() {
        return all().lastKey();
    }

    /** The least key greater than or equal to {@code key}, or null. */
    public K ceilingKey(K key) {
        return keyOf(ceiling(requireKey(key), true));
    }

    /** The least key strictly greater than {@code key}, or null. */
    public K higherKey(K key) {
        return keyOf(ceiling(requireKey(key), false));
    }

    /** The greatest key less than or equal to {@code key}, or null. */
    public K floorKey(K key) {
        return keyOf(floor(requireKey(key), true));
    }

    /** The greatest key strictly less than {@code key}, or null. */
    public K lowerKey(K key) {
        return keyOf(floor(requireKey(key), false));
    }

    @SuppressWarnings("unchecked")
    private K keyOf(Cursor cursor) {
        return cursor == null ? null : (K) cursor.key();
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
        return all().subMap(fromKey, toKey);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
        return all().headMap(toKey);
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
        return all().tailMap(fromKey);
    }

    @Override
    public Set<K> keySet() {
        return all().keySet();
    }

    @Override
    public java.util.Collection<V> values() {
        return all().values();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return all().entrySet();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || all().equals(o);
    }

    @Override
    public int hashCode() {
        return all().hashCode();
    }

    @Override
    public String toString() {
        return "PersistentSortedMap" + all();
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }

    /** The tree's height (1 for a single bucket, 0 when empty): for tests. */
    int height() {
        int h = 0;
        for (Persistent p = root(); p != null; p = p instanceof BTreeNode node ? node.child(0) : null) {
            h++;
        }
        return h;
    }

    private View all() {
        if (all == null) {
            all = new View(null, false, null, false);
        }
        return all;
    }

    // ------------------------------------------------------------------ views

    /** The entries with keys in {@code [lo, hi)} (either bound may be absent): the map itself, or a sub-map. */
    private final class View extends AbstractMap<K, V> implements SortedMap<K, V> {
        private final Object lo;
        private final boolean hasLo;
        private final Object hi;
        private final boolean hasHi;
        private Set<Map.Entry<K, V>> entries;

        View(Object lo, boolean hasLo, Object hi, boolean hasHi) {
            this.lo = lo;
            this.hasLo = hasLo;
            this.hi = hi;
            this.hasHi = hasHi;
        }

        private boolean whole() {
            return !hasLo && !hasHi;
        }

        boolean belowHi(Object key) {
            return !hasHi || BTreeBucket.compare(key, hi) < 0;
        }

        boolean inRange(Object key) {
            return (!hasLo || BTreeBucket.compare(key, lo) >= 0) && belowHi(key);
        }

        /** A bound of a narrower view: inside this view's range, its upper end included. */
        private void requireBound(Object key) {
            requireKey(key);
            if (hasLo && BTreeBucket.compare(key, lo) < 0 || hasHi && BTreeBucket.compare(key, hi) > 0) {
                throw new IllegalArgumentException("key out of range: " + key);
            }
        }

        Cursor start() {
            return hasLo ? ceiling(lo, true) : first(root());
        }

        @Override
        public int size() {
            if (whole()) {
                return PersistentSortedMap.this.size();
            }
            int n = 0;
            for (Iterator<Map.Entry<K, V>> it = new EntryIterator(this); it.hasNext(); it.next()) {
                n++;
            }
            return n;
        }

        @Override
        public boolean isEmpty() {
            Cursor c = start();
            return c == null || !belowHi(c.key());
        }

        @Override
        public boolean containsKey(Object key) {
            return inRange(requireKey(key)) && PersistentSortedMap.this.containsKey(key);
        }

        @Override
        public V get(Object key) {
            return inRange(requireKey(key)) ? PersistentSortedMap.this.get(key) : null;
        }

        @Override
        public V put(K key, V value) {
            if (!inRange(requireKey(key))) {
                throw new IllegalArgumentException("key out of range: " + key);
            }
            return PersistentSortedMap.this.put(key, value);
        }

        @Override
        public V remove(Object key) {
            return inRange(requireKey(key)) ? PersistentSortedMap.this.remove(key) : null;
        }

        @Override
        public void clear() {
            if (whole()) {
                PersistentSortedMap.this.clear();
            } else {
                for (Iterator<Map.Entry<K, V>> it = new EntryIterator(this); it.hasNext(); ) {
                    it.next();
                    it.remove();
                }
            }
        }

        @Override
        public Comparator<? super K> comparator() {
            return null;
        }

        @Override
        @SuppressWarnings("unchecked")
        public K firstKey() {
            Cursor c = start();
            if (c == null || !belowHi(c.key())) {
                throw new NoSuchElementException();
            }
            return (K) c.key();
        }

        @Override
        @SuppressWarnings("unchecked")
        public K lastKey() {
            Cursor c = hasHi ? floor(hi, false) : last(root());
            if (c == null || hasLo && BTreeBucket.compare(c.key(), lo) < 0) {
                throw new NoSuchElementException();
            }
            return (K) c.key();
        }

        @Override
        public SortedMap<K, V> subMap(K fromKey, K toKey) {
            requireBound(fromKey);
            requireBound(toKey);
            if (BTreeBucket.compare(fromKey, toKey) > 0) {
                throw new IllegalArgumentException("fromKey > toKey: " + fromKey + " > " + toKey);
            }
            return new View(fromKey, true, toKey, true);
        }

        @Override
        public SortedMap<K, V> headMap(K toKey) {
            requireBound(toKey);
            return new View(lo, hasLo, toKey, true);
        }

        @Override
        public SortedMap<K, V> tailMap(K fromKey) {
            requireBound(fromKey);
            return new View(fromKey, true, hi, hasHi);
        }

        @Override
        public Set<Map.Entry<K, V>> entrySet() {
            if (entries == null) {
                entries = new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<K, V>> iterator() {
                        return new EntryIterator(View.this);
                    }

                    @Override
                    public int size() {
                        return View.this.size();
                    }

                    @Override
                    public boolean isEmpty() {
                        return View.this.isEmpty();
                    }

                    @Override
                    public boolean contains(Object o) {
                        if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || !containsKey(e.getKey())) {
                            return false;
                        }
                        return Objects.equals(get(e.getKey()), e.getValue());
                    }

                    @Override
                    public boolean remove(Object o) {
                        if (!contains(o)) {
                            return false;
                        }
                        View.this.remove(((Map.Entry<?, ?>) o).getKey());
                        return true;
                    }

                    @Override
                    public void clear() {
                        View.this.clear();
                    }
                };
            }
            return entries;
        }
    }

    /** Walks the buckets of a view along their links, loading each when reached. */
    private final class EntryIterator implements Iterator<Map.Entry<K, V>> {
        private final View view;
        private BTreeBucket bucket;
        private int index;
        private Object lastKey;
        private boolean canRemove;
        private int expectedModCount = modCount;

        EntryIterator(View view) {
            this.view = view;
            moveTo(view.start());
        }

        private void moveTo(Cursor c) {
            bucket = c == null ? null : c.bucket();
            index = c == null ? 0 : c.index();
        }

        @Override
        public boolean hasNext() {
            while (bucket != null && index >= bucket.size()) {
                bucket = bucket.next();
                index = 0;
            }
            return bucket != null && view.belowHi(bucket.keyAt(index));
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map.Entry<K, V> next() {
            if (modCount != expectedModCount) {
                throw new ConcurrentModificationException();
            }
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Object key = bucket.keyAt(index);
            Object held = bucket.heldAt(index);
            Entry entry = new Entry((K) key, held, bucket, index);
            index++;
            lastKey = key;
            canRemove = true;
            return entry;
        }

        @Override
        public void remove() {
            if (!canRemove) {
                throw new IllegalStateException();
            }
            if (modCount != expectedModCount) {
                throw new ConcurrentModificationException();
            }
            PersistentSortedMap.this.remove(lastKey);
            canRemove = false;
            moveTo(ceiling(lastKey, false)); // the bucket may have been unlinked: find the position again
            expectedModCount = modCount;
        }
    }

    /** An entry read by an iterator; {@link #setValue} writes through to the map. */
    private final class Entry implements Map.Entry<K, V> {
        private final K key;
        private Object held;
        /** Where the entry was read, to prefetch the values after it on a cache miss; null once set. */
        private BTreeBucket bucket;
        private final int index;

        Entry(K key, Object held, BTreeBucket bucket, int index) {
            this.key = key;
            this.held = held;
            this.bucket = bucket;
            this.index = index;
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        @SuppressWarnings("unchecked")
        public V getValue() {
            return (V) (bucket != null ? Containers.release(held, bucket.heldValues(), index, bucket.nextLink())
                    : Containers.release(held));
        }

        @Override
        public V setValue(V value) {
            V previous = put(key, value);
            held = Containers.hold(value);
            bucket = null;
            return previous;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> other && key.equals(other.getKey())
                    && Objects.equals(getValue(), other.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return key + "=" + getValue();
        }
    }
}
