package org.jzeo.client;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.net.ServerAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of one client; a listener that throws is logged and does not stop the others. */
final class ClientListeners implements ClientListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientListeners.class);

    private final List<ClientListener> all = new CopyOnWriteArrayList<>();

    void add(ClientListener listener) {
        all.add(listener);
    }

    void remove(ClientListener listener) {
        all.remove(listener);
    }

    @Override
    public void invalidated(Tid tid, Collection<Oid> oids) {
        each(l -> l.invalidated(tid, oids));
    }

    @Override
    public void cacheDropped() {
        each(ClientListener::cacheDropped);
    }

    @Override
    public void connected(ServerAddress address, boolean readOnly) {
        each(l -> l.connected(address, readOnly));
    }

    @Override
    public void disconnected(ServerAddress address, Throwable cause) {
        each(l -> l.disconnected(address, cause));
    }

    private void each(Consumer<ClientListener> event) {
        for (ClientListener listener : all) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.error("client listener {} failed", listener, e);
            }
        }
    }
}
