package org.jzeo.objects;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * The base class of objects stored as records of their own. Extend it, give the class a constructor without
 * arguments (it may be private), register the class in {@link ObjectTypes}, and reach an instance from the root:
 * it is stored at the next commit, and every later change to it is found and stored at commit.
 *
 * <p>Fields are stored by name; {@code transient} and {@code static} fields are not stored. A field whose type is
 * another persistent class is a reference, loaded together with this object; declare it {@link Lazy} to load it
 * only when used, and put large numbers of objects in the persistent containers ({@link PersistentSortedMap},
 * {@link PersistentMap}, ...), which load their entries on demand. Other field values (strings, numbers, enums,
 * records, {@code java.time}, collections, arrays, plain objects of allowed classes) are stored inside this
 * object's record.
 *
 * <p>Why a base class rather than an annotation: the object layer keeps each instance's identity (oid), owner and
 * last saved state in the instance itself, so finding them never needs a lookup in a global identity table; and it
 * is what ZODB's users know ({@code persistent.Persistent}).
 */
public abstract class Persistent {
    transient Oid jzeoOid;
    transient ObjectSession jzeoSession;
    /** The stored fields' values when last loaded or saved (see ClassModel#sameFieldValues). */
    transient Object[] jzeoSnapshot;
    /** The state bytes when last loaded or saved. */
    transient byte[] jzeoSaved;
    /**
     * The revision (tid) the state came from when last loaded or saved, as ZODB's {@code _p_serial}: a write of this
     * object must start from that revision, which a commit checks (null for a new object).
     */
    transient Tid jzeoSerial;
    /** Set by {@link #markChanged()}: store this object at commit without comparing. */
    transient boolean jzeoChanged;
    /** True once the object's record is known to be committed (read from the storage, or written by a commit). */
    transient boolean jzeoStored;
    /** False while the instance is a placeholder for a reference whose state is not read yet. */
    transient boolean jzeoLoaded;

    protected Persistent() {
    }

    /**
     * Says this object changed. Never needed for correctness (changes are found at commit by comparison), but it
     * lets the comparison be skipped; the persistent containers call it on every change.
     */
    protected final void markChanged() {
        jzeoChanged = true;
    }

    /** True for classes that call {@link #markChanged()} on every change (the containers): never compared. */
    boolean tracksOwnChanges() {
        return false;
    }

    /** The object's oid once it is stored (or about to be, in the current commit); null before. */
    public static Oid oidOf(Persistent object) {
        return object.jzeoOid;
    }
}
