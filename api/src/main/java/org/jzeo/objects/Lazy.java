package org.jzeo.objects;

import java.util.Objects;
import org.jzeo.api.Oid;

/**
 * A reference to a persistent object that is loaded when {@link #get()} is first called in a transaction, not when
 * its holder is loaded, and that lets the object leave the connection's cache when nothing else holds it (the next
 * {@code get()} loads it again). It is still a strong reference for the database: pack keeps the target.
 * Immutable: to point elsewhere, assign a new {@code Lazy}.
 *
 * @param <T> the target's class
 */
public final class Lazy<T extends Persistent> {
    /** The target while it is new (no oid yet); afterwards found through the owning session by oid. */
    private T unsaved;
    private Oid oid;
    private ObjectSession session;
    private final Class<? extends Persistent> targetClass;

    private Lazy(T unsaved, Oid oid, ObjectSession session, Class<? extends Persistent> targetClass) {
        this.unsaved = unsaved;
        this.oid = oid;
        this.session = session;
        this.targetClass = targetClass;
    }

    /** A lazy reference to {@code target}, new or already stored. */
    public static <T extends Persistent> Lazy<T> of(T target) {
        Objects.requireNonNull(target, "target");
        return new Lazy<>(target, null, null, target.getClass());
    }

    static Lazy<Persistent> stored(Oid oid, ObjectSession session, Class<? extends Persistent> targetClass) {
        return new Lazy<>(null, oid, session, targetClass);
    }

    /**
     * The target, loaded now if it is not in the connection's cache.
     *
     * @throws org.jzeo.api.POSKeyException the target no longer exists (it was undone or packed away)
     */
    @SuppressWarnings("unchecked")
    public T get() {
        settle();
        if (unsaved != null) {
            return unsaved;
        }
        return (T) session.get(oid);
    }

    /** The target's oid, or null while it is new. */
    public Oid oid() {
        settle();
        return oid;
    }

    /** True while this reference keeps its target in memory (a target not stored yet). */
    boolean holdsTarget() {
        return unsaved != null;
    }

    /** The session the target was read through or stored by, null while new. */
    ObjectSession session() {
        settle();
        return session;
    }

    /** The session to load the stored target through, null while the target is new. */
    ObjectSession storedSession() {
        settle();
        return unsaved == null ? session : null;
    }

    Class<? extends Persistent> targetClass() {
        return targetClass;
    }

    /** Once the target is stored, keeps only its oid, so the target can leave the cache. */
    void settle() {
        if (unsaved != null && unsaved.jzeoStored && unsaved.jzeoOid != null && unsaved.jzeoSession != null) {
            oid = unsaved.jzeoOid;
            session = unsaved.jzeoSession;
            unsaved = null;
        }
    }

    /** The target if it is new, for the session's reachability walk. */
    Persistent unsavedTarget() {
        settle();
        return unsaved;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Lazy<?> other)) {
            return false;
        }
        settle();
        other.settle();
        return unsaved != null ? unsaved == other.unsaved : oid.equals(other.oid);
    }

    @Override
    public int hashCode() {
        settle();
        return unsaved != null ? System.identityHashCode(unsaved) : oid.hashCode();
    }

    @Override
    public String toString() {
        settle();
        return "Lazy[" + targetClass.getSimpleName() + " " + (oid != null ? oid : "unsaved") + "]";
    }
}
