package org.jzeo.objects;

import java.util.ArrayList;
import java.util.List;

/**
 * A look inside {@link PersistentSortedMap}'s tree for tests outside this package (the server module's, which
 * store the tree in real storages): maps with small buckets and nodes, the tree's height, the size of the bucket a
 * key falls in, the classes of buckets and nodes, and the tree's invariants. Published in this module's test jar.
 */
public final class TreeInspection {
    /** The class of the tree's buckets (package-private in the object layer). */
    public static final Class<?> BUCKET = BTreeBucket.class;
    /** The class of the tree's interior nodes. */
    public static final Class<?> NODE = BTreeNode.class;

    private TreeInspection() {
    }

    /** A map whose buckets hold at most {@code bucketSize} entries and nodes {@code nodeSize} children. */
    public static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> newMap(int bucketSize,
                                                                                      int nodeSize) {
        return new PersistentSortedMap<>(bucketSize, nodeSize);
    }

    /** The tree's height: 1 for a single bucket, 0 when empty. */
    public static int height(PersistentSortedMap<?, ?> map) {
        return map.height();
    }

    /** The number of entries in the bucket whose key range holds {@code key}. */
    public static int bucketSizeFor(PersistentSortedMap<?, ?> map, Object key) {
        Persistent p = map.root();
        while (p instanceof BTreeNode node) {
            p = node.child(node.childIndex(key));
        }
        return ((BTreeBucket) p).size();
    }

    /** Asserts the tree's invariants (see {@link PersistentSortedMapTest#checkTree}). */
    public static void checkTree(PersistentSortedMap<?, ?> map, int bucketSize, int nodeSize) {
        PersistentSortedMapTest.checkTree(map, bucketSize, nodeSize);
    }

    /** The class an object-layer record's state names (its payload, as a storage connection reads it). */
    public static Class<?> classOf(byte[] payload) {
        return States.CODEC.classOf(payload, "test");
    }

    /**
     * For each link from a bucket to the next, in key order: whether the link still holds its target in memory
     * (a link to a bucket that is not stored yet must; one to a stored bucket must not, so the cache can let it go).
     */
    public static List<Boolean> linksHoldingTheirTarget(PersistentSortedMap<?, ?> map) {
        List<Boolean> holding = new ArrayList<>();
        Persistent p = map.root();
        while (p instanceof BTreeNode node) {
            p = node.child(0);
        }
        for (BTreeBucket b = (BTreeBucket) p; b != null && b.nextLink() != null; b = b.nextLink().get()) {
            holding.add(b.nextLink().holdsTarget());
        }
        return holding;
    }
}
