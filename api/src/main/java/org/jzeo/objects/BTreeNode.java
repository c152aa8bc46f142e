package org.jzeo.objects;

import java.util.ArrayList;

/**
 * An interior node of a {@link PersistentSortedMap}: up to the map's node size of children (all nodes, or all
 * buckets) held by {@link Lazy} references, and between them the separating keys: child {@code i + 1} holds keys
 * greater than or equal to {@code keys[i]}, child {@code i} keys below it (ZODB's {@code OOBTree} interior node).
 * Stored as a record of its own, rewritten only when a child splits or is dropped. Nodes do not merge concurrent
 * changes: two transactions that changed the same node conflict.
 */
final class BTreeNode extends Persistent {
    private ArrayList<Object> keys = new ArrayList<>();
    private ArrayList<Lazy<Persistent>> children = new ArrayList<>();

    BTreeNode() {
    }

    /** A new root above two children split from one. */
    static BTreeNode root(Persistent left, Object separator, Persistent right) {
        BTreeNode node = new BTreeNode();
        node.children.add(Lazy.of(left));
        node.keys.add(separator);
        node.children.add(Lazy.of(right));
        return node;
    }

    int childCount() {
        return children.size();
    }

    Persistent child(int index) {
        return children.get(index).get();
    }

    /** The separator between child {@code index} and child {@code index + 1}. */
    Object separator(int index) {
        return keys.get(index);
    }

    /** The child whose key range holds {@code key}. */
    int childIndex(Object key) {
        int i = BTreeBucket.search(keys, key);
        return i >= 0 ? i + 1 : -(i + 1);
    }

    /** Adds {@code right}, split off child {@code index}, after it; splits this node if it then is too big. */
    Split insertChild(int index, Object separator, Persistent right, int maxSize) {
        keys.add(index, separator);
        children.add(index + 1, Lazy.of(right));
        markChanged();
        if (children.size() <= maxSize) {
            return null;
        }
        int mid = children.size() / 2;
        BTreeNode sibling = new BTreeNode();
        sibling.children.addAll(children.subList(mid, children.size()));
        sibling.keys.addAll(keys.subList(mid, keys.size()));
        Object up = keys.get(mid - 1);
        children.subList(mid, children.size()).clear();
        keys.subList(mid - 1, keys.size()).clear();
        return new Split(up, sibling);
    }

    /** Drops child {@code index} (emptied) and the separator that bounded it. */
    void removeChild(int index) {
        children.remove(index);
        if (!keys.isEmpty()) {
            keys.remove(index == 0 ? 0 : index - 1);
        }
        markChanged();
    }

    /** A node or bucket split in two: the right half and the smallest key it may hold. */
    record Split(Object separator, Persistent right) {
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }

    @Override
    public String toString() {
        return "BTreeNode" + keys;
    }
}
