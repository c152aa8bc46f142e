package org.jzeo.client;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.CommitListener;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;

/**
 * The {@link ConnectionSource} of a {@link Storage} in this JVM: it is the storage's one {@link CommitListener} and
 * fans each commit out to the connections' listeners. Its last tid moves only after they were told, since the
 * storage makes a commit visible to readers before it calls the commit listener.
 */
final class LocalInvalidations implements ConnectionSource, CommitListener {
    private final Storage storage;
    private final List<ClientListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Tid last;

    LocalInvalidations(Storage storage) {
        this.storage = storage;
        synchronized (this) {
            storage.setCommitListener(this);
            last = storage.lastTransaction(); // a commit racing this line is reported, and moves last, after it
        }
    }

    @Override
    public synchronized void committed(StorageTransaction transaction, Tid tid, List<Oid> oids) {
        for (ClientListener listener : listeners) {
            listener.invalidated(tid, oids);
        }
        if (tid.isAfter(last)) {
            last = tid;
        }
    }

    @Override
    public Storage storage() {
        return storage;
    }

    @Override
    public Tid lastTransaction() {
        return last;
    }

    @Override
    public void addListener(ClientListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ClientListener listener) {
        listeners.remove(listener);
    }

    /** Loads from a storage in memory or on a local disk cost no round trip: nothing to start early. */
    @Override
    public void prefetch(Collection<Oid> oids, Tid before) {
    }

    /** No more commits to fan out. */
    void detach() {
        storage.setCommitListener(null);
    }
}
