package org.jzeo.storage;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * Told of every commit, once, in tid order, right after the transaction became visible to readers and before
 * its {@code finish()} returns. A server uses it to queue invalidations in commit order. It runs on the storage's
 * commit path: it must be quick and must not call the storage's commit methods.
 */
@FunctionalInterface
public interface CommitListener {
    /**
     * @param transaction the transaction that committed
     * @param tid         its tid
     * @param oids        every oid it wrote (stored, deleted, restored or undone)
     */
    void committed(StorageTransaction transaction, Tid tid, List<Oid> oids);
}
