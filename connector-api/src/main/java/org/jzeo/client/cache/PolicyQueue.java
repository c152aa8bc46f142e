package org.jzeo.client.cache;

/**
 * An intrusive doubly linked FIFO of {@link Node}s that knows its total bytes: O(1) push at the head, removal of
 * any node, and access to the tail (the oldest). The building block of the eviction policies.
 */
final class PolicyQueue {

    /** One tracked entry; {@code freq} is the policy's small access counter. */
    static final class Node {
        final RevisionKey key;
        final long bytes;
        int freq;
        PolicyQueue queue;
        Node newer;
        Node older;

        Node(RevisionKey key, long bytes) {
            this.key = key;
            this.bytes = bytes;
        }
    }

    private Node head;
    private Node tail;
    private long bytes;
    private int size;

    void pushHead(Node n) {
        n.queue = this;
        n.older = head;
        n.newer = null;
        if (head != null) {
            head.newer = n;
        }
        head = n;
        if (tail == null) {
            tail = n;
        }
        bytes += n.bytes;
        size++;
    }

    void remove(Node n) {
        if (n.newer != null) {
            n.newer.older = n.older;
        } else {
            head = n.older;
        }
        if (n.older != null) {
            n.older.newer = n.newer;
        } else {
            tail = n.newer;
        }
        n.newer = null;
        n.older = null;
        n.queue = null;
        bytes -= n.bytes;
        size--;
    }

    Node tail() {
        return tail;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    void clear() {
        head = null;
        tail = null;
        bytes = 0;
        size = 0;
    }
}
