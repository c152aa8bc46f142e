package org.jzeo.api;

/**
 * Merges a write that conflicts with a transaction committed since this one's snapshot, so the commit can go on
 * instead of failing (ZODB's conflict resolution, run on the client as ZEO 5 does). The states are as stored:
 * payload and references.
 */
@FunctionalInterface
public interface ConflictResolver {

    /**
     * The merged state of {@code oid}, or {@code null} when these changes cannot be merged (the commit then fails
     * with a {@link ConflictException}).
     *
     * @param old       the state this transaction's write was based on (null if the object was new to it)
     * @param committed the state committed meanwhile by another transaction
     * @param mine      the state this transaction wrote
     */
    StoredObject resolve(Oid oid, StoredObject old, StoredObject committed, StoredObject mine);
}
