package org.jzeo.client;

import java.util.Collection;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.Storage;

/**
 * Where a {@link PooledConnection}'s storage lives and how it hears of commits: a {@link ClientStorage} and its
 * server, or a {@link Storage} in this JVM ({@link LocalInvalidations}). The one guarantee a connection builds its
 * snapshots on: every change up to {@link #lastTransaction()} has been reported to the listeners already.
 */
interface ConnectionSource {

    Storage storage();

    /** The newest tid whose changes every listener has been told of. */
    Tid lastTransaction();

    void addListener(ClientListener listener);

    void removeListener(ClientListener listener);

    /** Starts loading {@code oids} before {@code before} in the background, if the storage can; never fails. */
    void prefetch(Collection<Oid> oids, Tid before);

    /** Over a {@link ClientStorage}: the client reports changes before its last tid moves (ClientListener). */
    record Client(ClientStorage storage) implements ConnectionSource {
        @Override
        public Tid lastTransaction() {
            return storage.lastTransaction();
        }

        @Override
        public void addListener(ClientListener listener) {
            storage.addListener(listener);
        }

        @Override
        public void removeListener(ClientListener listener) {
            storage.removeListener(listener);
        }

        @Override
        public void prefetch(Collection<Oid> oids, Tid before) {
            storage.prefetch(oids, before);
        }
    }
}
