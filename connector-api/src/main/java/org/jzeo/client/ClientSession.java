package org.jzeo.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.net.ServerCallbacks;
import org.jzeo.client.net.ServerConnection;
import org.jzeo.protocol.Args;
import org.jzeo.protocol.Requests;
import org.jzeo.storage.Invalidation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered connection and what it learnt: read-only or not, the server's info. Until {@link #goLive} the
 * invalidations the server sends are held back, because cache verification is still deciding what the cache
 * holds (protocol spec §9: those with a tid above the verified one are applied after it).
 */
final class ClientSession implements ServerCallbacks {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    /** What a live session reports to its storage; called on the I/O thread. */
    interface Events {
        void invalidateTransaction(ClientSession session, Tid tid, List<Oid> oids);

        void info(ClientSession session, Map<Object, Object> info);

        void closed(ClientSession session, Throwable cause);

        /** One of the {@code receiveBlob*} messages of a download ({@link Requests.BlobCallbacks}). */
        void blob(ClientSession session, String name, List<Object> args);
    }

    private final Events events;
    private volatile ServerConnection connection;
    private volatile boolean readOnly;
    private boolean live;
    private final List<Invalidation> heldBack = new ArrayList<>();

    ClientSession(Events events) {
        this.events = events;
    }

    void attach(ServerConnection opened, boolean registeredReadOnly) {
        this.connection = opened;
        this.readOnly = registeredReadOnly;
    }

    ServerConnection connection() {
        return connection;
    }

    boolean isReadOnly() {
        return readOnly;
    }

    void markReadOnly(boolean value) {
        readOnly = value;
    }

    /** Runs on the I/O thread: applies what was held back with a tid above {@code verified}, then passes through. */
    void goLive(Tid verified) {
        for (Invalidation held : heldBack) {
            if (held.tid().isAfter(verified)) {
                events.invalidateTransaction(this, held.tid(), held.oids());
            }
        }
        heldBack.clear();
        live = true;
    }

    @Override
    public void callback(ServerConnection from, String name, List<Object> args) {
        switch (name) {
            case "invalidateTransaction" -> {
                Tid tid = Args.tid(args, 0);
                List<Oid> oids = new ArrayList<>();
                for (Object oid : Args.list(args, 1)) {
                    oids.add(Oid.fromBytes((byte[]) oid));
                }
                if (live) {
                    events.invalidateTransaction(this, tid, oids);
                } else {
                    heldBack.add(new Invalidation(tid, oids));
                }
            }
            case "info" -> events.info(this, Args.map(args, 0));
            case Requests.BlobCallbacks.START, Requests.BlobCallbacks.CHUNK, Requests.BlobCallbacks.STOP ->
                    events.blob(this, name, args);
            default -> LOG.warn("ignoring unknown call {} from server {}", name, from.address());
        }
    }

    @Override
    public void closed(ServerConnection from, Throwable cause) {
        events.closed(this, cause);
    }

    @Override
    public String toString() {
        return "session to " + (connection == null ? "?" : connection.address()) + (readOnly ? " (read-only)" : "");
    }
}
