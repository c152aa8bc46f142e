package org.jzeo.server.storage;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;

/**
 * Finds the oids an object record refers to: what pack's garbage collection follows from the root.
 *
 * <p>An implementation must either return every persistent reference in {@code data} or throw: a reference it
 * misses makes pack drop a reachable object, which cannot be repaired. Weak and cross-database references are
 * not returned (they do not keep objects alive).
 */
@FunctionalInterface
public interface ReferenceFinder {

    /**
     * The oids {@code data} (a revision of {@code oid}) refers to, in any order, possibly with repeats.
     *
     * @throws StorageException when the record cannot be read; pack then fails rather than guess
     */
    List<Oid> references(Oid oid, byte[] data);

    /** A finder for storages that cannot garbage-collect: every lookup fails, so a gc pack fails safely. */
    static ReferenceFinder unavailable() {
        return (oid, data) -> {
            throw new StorageException("no reference finder configured: cannot find the references of oid " + oid
                    + " for garbage collection; pack without gc or configure one");
        };
    }
}
