package org.jzeo.client.cache;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.Consumer;

/**
 * S3-FIFO (Yang et al., SOSP 2023), counted in bytes. Better than a FIFO on skewed workloads and scan-resistant:
 *
 * <ul>
 *   <li>New entries enter a small probationary FIFO ({@value #SMALL_PERCENT}% of the capacity). Most one-hit
 *       wonders (a scan, a single read) leave from there without disturbing the rest.</li>
 *   <li>An entry read while in the small FIFO is moved to the main FIFO when it reaches the small FIFO's tail;
 *       otherwise it is evicted and its oid remembered in a bounded ghost set.</li>
 *   <li>An entry whose oid is a ghost (evicted from small a short while ago and needed again) goes straight to
 *       main.</li>
 *   <li>Main is a FIFO with reinsertion: its tail entry is reinserted at the head, its counter decremented, while
 *       the counter is above 0; it is evicted once the counter is 0. Counters saturate at {@value #MAX_FREQ}.</li>
 * </ul>
 *
 * Reinsertion is only a move in these in-memory queues: {@link DiskCache} places records independently of the
 * order, so it costs no disk I/O.
 */
public final class S3FifoPolicy implements EvictionPolicy {
    static final int SMALL_PERCENT = 10;
    static final int MAX_FREQ = 3;
    /** Ghosts remembered at least, even while the cache holds fewer entries. */
    private static final int MIN_GHOSTS = 64;

    private final long capacity;
    private final long smallTarget;
    private final Map<RevisionKey, PolicyQueue.Node> nodes = new HashMap<>();
    private final PolicyQueue small = new PolicyQueue();
    private final PolicyQueue main = new PolicyQueue();
    private final LinkedHashSet<Long> ghosts = new LinkedHashSet<>();

    public S3FifoPolicy(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacityBytes);
        }
        this.capacity = capacityBytes;
        this.smallTarget = Math.max(1, capacityBytes * SMALL_PERCENT / 100);
    }

    @Override
    public void add(RevisionKey key, long bytes, Consumer<RevisionKey> evicted) {
        PolicyQueue.Node n = new PolicyQueue.Node(key, bytes);
        if (nodes.putIfAbsent(key, n) != null) {
            throw new IllegalStateException("already tracked: " + key);
        }
        if (ghosts.remove(key.oid())) {
            main.pushHead(n);
        } else {
            small.pushHead(n);
        }
        while (small.bytes() + main.bytes() > capacity) {
            evicted.accept(evictOne());
        }
    }

    @Override
    public void hit(RevisionKey key) {
        PolicyQueue.Node n = nodes.get(key);
        // Racy under concurrent hits by design: a lost increment only makes the counter slightly smaller.
        if (n != null && n.freq < MAX_FREQ) {
            n.freq++;
        }
    }

    @Override
    public void remove(RevisionKey key) {
        PolicyQueue.Node n = nodes.remove(key);
        if (n != null) {
            n.queue.remove(n);
        }
    }

    @Override
    public RevisionKey evictOne() {
        if (nodes.isEmpty()) {
            return null;
        }
        if (small.bytes() > smallTarget || main.isEmpty()) {
            RevisionKey victim = evictFromSmall();
            if (victim != null) {
                return victim;
            }
        }
        return evictFromMain();
    }

    /**
     * Moves read entries on to main; evicts the first unread one (remembered as a ghost), or returns null. Stops
     * moving once the small FIFO is back within its share (main evicts then): otherwise, when every older entry
     * had been read, the entry just added was the one evicted, and a store was not readable right after it.
     */
    private RevisionKey evictFromSmall() {
        for (PolicyQueue.Node t = small.tail(); t != null; t = small.tail()) {
            if (small.bytes() <= smallTarget && !main.isEmpty()) {
                return null;
            }
            small.remove(t);
            if (t.freq > 0) {
                t.freq = 0;
                main.pushHead(t);
            } else {
                nodes.remove(t.key);
                remember(t.key.oid());
                return t.key;
            }
        }
        return null;
    }

    /** Gives the tail a further round while its counter is above 0; terminates since counters only go down. */
    private RevisionKey evictFromMain() {
        for (PolicyQueue.Node t = main.tail(); t != null; t = main.tail()) {
            main.remove(t);
            if (t.freq > 0) {
                t.freq--;
                main.pushHead(t);
            } else {
                nodes.remove(t.key);
                return t.key;
            }
        }
        return evictFromSmall();
    }

    /** The ghost set holds about as many oids as the cache holds entries, as in the paper. */
    private void remember(long oid) {
        ghosts.remove(oid);
        ghosts.add(oid);
        int limit = Math.max(MIN_GHOSTS, nodes.size());
        Iterator<Long> oldest = ghosts.iterator();
        while (ghosts.size() > limit) {
            oldest.next();
            oldest.remove();
        }
    }

    @Override
    public void clear() {
        nodes.clear();
        small.clear();
        main.clear();
        ghosts.clear();
    }

    @Override
    public long usedBytes() {
        return small.bytes() + main.bytes();
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
        return "s3-fifo";
    }
}
