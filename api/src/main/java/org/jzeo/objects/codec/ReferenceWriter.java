package org.jzeo.objects.codec;

/**
 * How the codec turns references to other persistent objects into oids while writing a state. The object layer
 * implements it: an object without an oid yet gets one here (it is new, reachable from a stored object, and will be
 * stored in the same commit).
 */
public interface ReferenceWriter {

    /** True for objects that are records of their own (persistent), written as references. */
    boolean isPersistent(Object value);

    /** The oid of a persistent object referenced by a plain field (loaded with its holder). */
    long oidOf(Object persistent);

    /** True for lazy references (loaded on first access). */
    boolean isLazy(Object value);

    /** The oid a lazy reference points at, and the class of its target (for the reader's allow-list check). */
    long lazyOid(Object lazy);

    /** The class of a lazy reference's target. */
    Class<?> lazyTargetClass(Object lazy);
}
