package org.jzeo.server.xa;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.StorageTransaction;

/**
 * How the caller of xa_commit is answered at the commit point, where the server also queues the commit's
 * invalidations: so the reply goes out before the invalidations of any later commit on that connection.
 */
public interface CommitPoint {

    /**
     * {@code txn} is about to finish: at its commit point, reply {@code reply(tid, oids)}. Returns whether that
     * reply was sent, to be asked once the finish is over.
     */
    BooleanSupplier arm(StorageTransaction txn, BiFunction<Tid, List<Oid>, Object> reply);

    /** {@code txn}'s finish is over, done or failed. */
    void disarm(StorageTransaction txn);

    /** Who is committing, for the log. */
    String caller();
}
