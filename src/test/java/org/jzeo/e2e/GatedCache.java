package org.jzeo.e2e;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.cache.CacheStats;
import org.jzeo.client.cache.ClientCache;
import org.jzeo.storage.LoadResult;

/**
 * A {@link ClientCache} that passes everything to the real cache, except that while the gate is closed
 * {@link #lastTid()} blocks when a client's connector thread calls it. Cache verification starts with that call
 * (after {@code register}), so a closed gate holds a (re)connecting client before it verifies:
 * <ul>
 * <li>a {@code ClientStorage} starts connecting in its constructor, and has no way to take listeners before;
 * created with a closed gate, a test can add its listeners and then release it, so they hear of everything;
 * <li>a test can keep one client away from a restarted server while others commit, deterministically.
 * </ul>
 */
final class GatedCache implements ClientCache {
    private static final String CONNECTOR_THREAD = "jzeo-client-connector";

    private final ClientCache cache;
    private volatile CountDownLatch gate;

    /** Starts with the gate closed or open. */
    GatedCache(ClientCache cache, boolean closed) {
        this.cache = cache;
        this.gate = new CountDownLatch(closed ? 1 : 0);
    }

    /** Holds the next verification until {@link #release()}. */
    void hold() {
        if (gate.getCount() == 0) {
            gate = new CountDownLatch(1);
        }
    }

    /** Lets verification go on. */
    void release() {
        gate.countDown();
    }

    @Override
    public boolean mayContain(Oid oid, Tid before) {
        return cache.mayContain(oid, before);
    }

    @Override
    public Tid lastTid() {
        if (Thread.currentThread().getName().startsWith(CONNECTOR_THREAD)) {
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return cache.lastTid();
    }

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        return cache.loadBefore(oid, before);
    }

    @Override
    public void store(Oid oid, Tid start, Tid end, byte[] data) {
        cache.store(oid, start, end, data);
    }

    @Override
    public void invalidate(Oid oid, Tid tid) {
        cache.invalidate(oid, tid);
    }

    @Override
    public void drop(Oid oid) {
        cache.drop(oid);
    }

    @Override
    public void clear() {
        cache.clear();
    }

    @Override
    public void setLastTid(Tid tid) {
        cache.setLastTid(tid);
    }

    @Override
    public int entryCount() {
        return cache.entryCount();
    }

    @Override
    public CacheStats stats() {
        return cache.stats();
    }

    @Override
    public void close() {
        cache.close();
    }
}
