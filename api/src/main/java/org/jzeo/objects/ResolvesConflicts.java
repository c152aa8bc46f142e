package org.jzeo.objects;

/**
 * A persistent class that can merge concurrent changes (ZODB's {@code _p_resolveConflict}). When this
 * transaction's change of an object conflicts with one committed meanwhile, the object layer reads the three states
 * into detached instances of the class and asks the one holding this transaction's state to merge. References in
 * the detached instances are not loaded: compare and copy them, don't use them.
 */
public interface ResolvesConflicts {

    /**
     * The merged state (this instance, changed, or another instance of the same class), or null when the changes
     * cannot be merged (the commit then fails with a retryable conflict).
     *
     * @param old       the state this transaction's change started from (null if the object was new)
     * @param committed the state another transaction committed meanwhile
     */
    Object resolveConflict(Object old, Object committed);
}
