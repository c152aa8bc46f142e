package org.jzeo.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.cache.ClientCache;
import org.jzeo.client.net.ServerConnection;
import org.jzeo.protocol.Requests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the client cache up to date with a server just registered with (client-cache spec §7): drops the
 * objects changed while the client was away, or the whole cache when the server no longer knows what changed,
 * and refuses a server that is behind the cache.
 */
final class CacheVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(CacheVerifier.class);

    /** The server is older than the cache: it lost transactions, or it is another database. */
    static final class ServerBehindCacheException extends RuntimeException {
        ServerBehindCacheException(String message) {
            super(message);
        }
    }

    private final ClientCache cache;
    private final ClientListener listeners;
    private final Duration timeout;

    CacheVerifier(ClientCache cache, ClientListener listeners, Duration timeout) {
        this.cache = cache;
        this.listeners = listeners;
        this.timeout = timeout;
    }

    /** Verifies; returns the tid the cache is now up to date with. Runs before the session goes live. */
    Tid verify(ServerConnection connection, Tid serverTid) {
        Tid cacheTid = cache.lastTid();
        if (cacheTid.isAfter(serverTid)) {
            String message = "client cache is out of sync: it has seen transaction " + cacheTid + " but server "
                    + connection.address() + " is at " + serverTid + "; refusing that server";
            LOG.error(message);
            throw new ServerBehindCacheException(message);
        }
        Tid verified = serverTid;
        if (cache.entryCount() == 0) {
            LOG.debug("empty cache: nothing to verify against {}", connection.address());
        } else if (cacheTid.equals(Tid.ZERO)) {
            LOG.warn("cache holds records but no last transaction: dropping it");
            dropAll();
        } else if (cacheTid.equals(serverTid)) {
            LOG.info("cache is up to date with {} at {}", connection.address(), serverTid);
        } else {
            Object answer = Calls.await(connection.call(new Requests.GetInvalidations(cacheTid)), timeout, "getInvalidations");
            if (answer == null) {
                LOG.warn("server {} cannot say what changed since {}: dropping the client cache ({} records)",
                        connection.address(), cacheTid, cache.entryCount());
                dropAll();
            } else {
                List<?> pair = (List<?>) answer;
                Tid upTo = Tid.fromBytes((byte[]) pair.get(0));
                List<Oid> changed = new ArrayList<>();
                for (Object oid : (List<?>) pair.get(1)) {
                    changed.add(Oid.fromBytes((byte[]) oid));
                }
                changed.forEach(cache::drop);
                LOG.info("verified the cache against {}: {} objects changed between {} and {}",
                        connection.address(), changed.size(), cacheTid, upTo);
                if (upTo.isAfter(verified)) {
                    verified = upTo;
                }
                if (!changed.isEmpty()) {
                    listeners.invalidated(verified, changed);
                }
            }
        }
        if (verified.isAfter(cache.lastTid())) {
            cache.setLastTid(verified);
        }
        return verified;
    }

    private void dropAll() {
        cache.clear();
        listeners.cacheDropped();
    }
}
