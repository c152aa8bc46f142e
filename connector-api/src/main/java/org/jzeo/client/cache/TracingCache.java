package org.jzeo.client.cache;

import java.io.IOException;
import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClientCache} that records every operation of the cache it wraps to a {@link CacheTrace}, for
 * {@code jzeo cache-sim}. Tracing never breaks caching: after a write error it logs once and stops tracing.
 */
public final class TracingCache implements ClientCache {
    private static final Logger LOG = LoggerFactory.getLogger(TracingCache.class);

    private final ClientCache cache;
    private final CacheTrace.Writer trace;
    private volatile boolean tracing = true;

    public TracingCache(ClientCache cache, CacheTrace.Writer trace) {
        this.cache = cache;
        this.trace = trace;
    }

    /** Wraps {@code cache}, appending to the trace file {@code traceFile}. */
    public static TracingCache wrap(ClientCache cache, Path traceFile) throws IOException {
        return new TracingCache(cache, CacheTrace.append(traceFile));
    }

    @Override
    public boolean mayContain(Oid oid, Tid before) {
        return cache.mayContain(oid, before); // not a load: not traced
    }

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        LoadResult r = cache.loadBefore(oid, before);
        record(r == null ? TraceEvent.Type.LOAD_MISS : TraceEvent.Type.LOAD_HIT, oid, before,
                r == null ? 0 : r.data().length);
        return r;
    }

    @Override
    public void store(Oid oid, Tid start, Tid end, byte[] data) {
        cache.store(oid, start, end, data);
        record(TraceEvent.Type.STORE, oid, start, data.length);
    }

    @Override
    public void invalidate(Oid oid, Tid tid) {
        cache.invalidate(oid, tid);
        record(TraceEvent.Type.INVALIDATE, oid, tid, 0);
    }

    @Override
    public void drop(Oid oid) {
        cache.drop(oid);
        record(TraceEvent.Type.DROP, oid, Tid.ZERO, 0);
    }

    @Override
    public void clear() {
        cache.clear();
        record(TraceEvent.Type.CLEAR, Oid.ROOT, Tid.ZERO, 0);
    }

    @Override
    public Tid lastTid() {
        return cache.lastTid();
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
        try {
            trace.close();
        } catch (IOException e) {
            LOG.warn("closing the client cache trace: {}", e.toString());
        } finally {
            cache.close();
        }
    }

    private void record(TraceEvent.Type type, Oid oid, Tid tid, int size) {
        if (!tracing) {
            return;
        }
        try {
            trace.write(new TraceEvent(System.currentTimeMillis(), type, oid.value(), tid.value(), size));
        } catch (IOException e) {
            tracing = false;
            LOG.warn("client cache trace stopped after a write error: {}", e.toString());
        }
    }
}
