package org.jzeo.client.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** First in, first out: the oldest entry leaves first, whatever was read. The baseline ZEO's ring buffer gives. */
public final class FifoPolicy implements EvictionPolicy {
    private final long capacity;
    private final Map<RevisionKey, PolicyQueue.Node> nodes = new HashMap<>();
    private final PolicyQueue queue = new PolicyQueue();

    public FifoPolicy(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacityBytes);
        }
        this.capacity = capacityBytes;
    }

    @Override
    public void add(RevisionKey key, long bytes, Consumer<RevisionKey> evicted) {
        PolicyQueue.Node n = new PolicyQueue.Node(key, bytes);
        if (nodes.putIfAbsent(key, n) != null) {
            throw new IllegalStateException("already tracked: " + key);
        }
        queue.pushHead(n);
        while (queue.bytes() > capacity) {
            evicted.accept(evictOne());
        }
    }

    @Override
    public void hit(RevisionKey key) {
        // FIFO ignores reads.
    }

    @Override
    public void remove(RevisionKey key) {
        PolicyQueue.Node n = nodes.remove(key);
        if (n != null) {
            queue.remove(n);
        }
    }

    @Override
    public RevisionKey evictOne() {
        PolicyQueue.Node t = queue.tail();
        if (t == null) {
            return null;
        }
        queue.remove(t);
        nodes.remove(t.key);
        return t.key;
    }

    @Override
    public void clear() {
        nodes.clear();
        queue.clear();
    }

    @Override
    public long usedBytes() {
        return queue.bytes();
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public String name() {
        return "fifo";
    }
}
