package org.jzeo.client.cache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Replays a trace against eviction policies at given cache sizes and counts hits and misses. The policies are the
 * very classes {@link DiskCache} uses, sized like a DiskCache file of that many bytes (records counted with their
 * on-disk size), so the figures predict the real cache's.
 *
 * <p>Model: the client loads each object and stores what the server returns, so a simulated miss is followed by
 * an insertion (with the object's last known size; a miss before any known size waits for the trace's store).
 * Invalidations and drops remove the object, clear removes all.
 */
public final class CacheSimulator {
    /** A trace that can be read several times. */
    @FunctionalInterface
    public interface TraceSource {
        void replay(Consumer<TraceEvent> sink) throws IOException;
    }

    /** The outcome for one policy at one size. */
    public record Result(String policy, long cacheBytes, long hits, long misses) {
        public double hitRatio() {
            long loads = hits + misses;
            return loads == 0 ? 0.0 : (double) hits / loads;
        }
    }

    /** The smallest cache simulated, as for {@link DiskCache}. */
    public static final long MIN_CACHE_BYTES = CacheFileFormat.MIN_CACHE_BYTES;

    private CacheSimulator() {
    }

    /** Every policy at every size, in one pass over the trace; results ordered by size, then policy. */
    public static List<Result> simulate(TraceSource trace, List<Long> cacheSizes,
            List<LongFunction<EvictionPolicy>> policies) throws IOException {
        List<SimulatedCache> caches = new ArrayList<>();
        for (long size : cacheSizes) {
            if (size < MIN_CACHE_BYTES) {
                throw new IllegalArgumentException("a cache has at least " + MIN_CACHE_BYTES + " bytes, not " + size);
            }
            for (LongFunction<EvictionPolicy> policy : policies) {
                caches.add(new SimulatedCache(size, policy));
            }
        }
        trace.replay(event -> {
            for (SimulatedCache c : caches) {
                c.apply(event);
            }
        });
        List<Result> results = new ArrayList<>();
        for (SimulatedCache c : caches) {
            results.add(c.result());
        }
        return results;
    }

    /** jzeo's policy and FIFO at each size. */
    public static List<Result> compare(TraceSource trace, List<Long> cacheSizes) throws IOException {
        return simulate(trace, cacheSizes, List.of(EvictionPolicy::s3Fifo, EvictionPolicy::fifo));
    }

    /** The bytes a cache would need to hold every object of the trace once (on-disk record sizes). */
    public static long workingSetBytes(TraceSource trace) throws IOException {
        Map<Long, Integer> sizes = new HashMap<>();
        trace.replay(e -> {
            if (e.size() > 0) {
                sizes.put(e.oid(), e.size());
            }
        });
        long total = CacheFileFormat.DATA_START;
        for (int size : sizes.values()) {
            total += CacheFileFormat.blockSize(size);
        }
        return total;
    }

    /** Three sizes for a trace: 1%, 5% and 20% of its working set (at least the smallest cache). */
    public static List<Long> defaultSizes(long workingSetBytes) {
        List<Long> sizes = new ArrayList<>();
        for (int percent : new int[] {1, 5, 20}) {
            sizes.add(Math.max(CacheFileFormat.MIN_CACHE_BYTES, workingSetBytes * percent / 100));
        }
        return sizes;
    }

    /** One simulated cache: which objects it holds, by oid, as the policy decides. */
    private static final class SimulatedCache {
        private final long cacheBytes;
        private final EvictionPolicy policy;
        private final Map<Long, RevisionKey> present = new HashMap<>();
        private final Map<Long, Integer> knownSize = new HashMap<>();
        private final Set<Long> awaitingStore = new HashSet<>();
        private long hits;
        private long misses;

        SimulatedCache(long cacheBytes, LongFunction<EvictionPolicy> policy) {
            this.cacheBytes = cacheBytes;
            this.policy = policy.apply(cacheBytes - CacheFileFormat.DATA_START);
        }

        void apply(TraceEvent e) {
            switch (e.type()) {
                case LOAD_HIT, LOAD_MISS -> load(e);
                case STORE -> {
                    knownSize.put(e.oid(), e.size());
                    awaitingStore.remove(e.oid());
                    insert(e.oid(), e.size());
                }
                case INVALIDATE, DROP -> {
                    RevisionKey key = present.remove(e.oid());
                    if (key != null) {
                        policy.remove(key);
                    }
                }
                case CLEAR -> {
                    present.clear();
                    policy.clear();
                }
                default -> throw new IllegalArgumentException("unknown event " + e);
            }
        }

        private void load(TraceEvent e) {
            if (e.size() > 0) {
                knownSize.put(e.oid(), e.size());
            }
            RevisionKey key = present.get(e.oid());
            if (key != null) {
                policy.hit(key);
                hits++;
                return;
            }
            misses++;
            Integer size = knownSize.get(e.oid());
            if (size == null) {
                awaitingStore.add(e.oid());
            } else {
                insert(e.oid(), size);
            }
        }

        private void insert(long oid, int size) {
            if (present.containsKey(oid) || !CacheFileFormat.cacheable(size, cacheBytes)) {
                return;
            }
            RevisionKey key = new RevisionKey(oid, 0);
            present.put(oid, key);
            policy.add(key, CacheFileFormat.blockSize(size), victim -> present.remove(victim.oid()));
        }

        Result result() {
            return new Result(policy.name(), cacheBytes, hits, misses);
        }
    }
}
