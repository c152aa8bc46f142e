package org.jzeo.objects.python;

import java.util.Objects;
import java.util.function.Function;
import org.jzeo.api.Oid;

/**
 * A reference from one ZODB record to another persistent object: a pickle "persistent id". ZODB 5
 * writes these forms (see ZODB's {@code serialize.py}):
 *
 * <ul>
 *   <li>{@code (oid, class)}: a strong reference that names the target's class
 *       ({@link #module()}/{@link #name()} are set);
 *   <li>{@code oid} alone: a strong reference to an object whose class has {@code __getnewargs__}
 *       (no class);
 *   <li>{@code ['w', (oid,)]} or {@code ['w', (oid, database)]}, and the legacy {@code [oid]}: a
 *       weak reference ({@link #isWeak()}, no class);
 *   <li>{@code ['m', (database, oid, class)]} and {@code ['n', (database, oid)]}: a strong reference
 *       into another database of a multi-database ({@link #database()} is set).
 * </ul>
 *
 * <p>The target is not loaded when the record is read. {@link #resolve()} loads it on demand
 * through the resolver given to {@link PickleRecordReader#read}. Equality and hash code cover the
 * oid, class, weakness and database, not the resolver.
 */
public final class PythonReference {
    private final Oid oid;
    private final String module;
    private final String name;
    private final boolean weak;
    private final String database;
    private final Function<Oid, Object> resolver;

    /**
     * @param module the target's class module, or null when the reference does not name it
     * @param name the target's class name, null exactly when {@code module} is
     * @param database the database of a cross-database reference, or null for this database
     * @param resolver what {@link #resolve()} calls, or null
     */
    public PythonReference(Oid oid, String module, String name, boolean weak, String database,
            Function<Oid, Object> resolver) {
        this.oid = Objects.requireNonNull(oid, "oid");
        if ((module == null) != (name == null)) {
            throw new IllegalArgumentException("module and name are both given or both null");
        }
        this.module = module;
        this.name = name;
        this.weak = weak;
        this.database = database;
        this.resolver = resolver;
    }

    /** The target's oid (in {@link #database()} when that is set). */
    public Oid oid() {
        return oid;
    }

    /** The target's class module as the reference names it, or null (bare oid or weak reference). */
    public String module() {
        return module;
    }

    /** The target's class name as the reference names it, or null (bare oid or weak reference). */
    public String name() {
        return name;
    }

    /** Whether the reference carries the target's class. */
    public boolean hasClass() {
        return module != null;
    }

    /** A {@code persistent.wref.WeakRef}: it does not keep the target alive in a packed database. */
    public boolean isWeak() {
        return weak;
    }

    /** The other database's name for a cross-database reference; null for this database. */
    public String database() {
        return database;
    }

    /** Whether the target lives in another database of a multi-database. */
    public boolean isCrossDatabase() {
        return database != null;
    }

    /**
     * The target, as the resolver given at read time returns it for {@link #oid()}; null when no
     * resolver was given (or the resolver returns null, e.g. for a weak reference whose target is
     * gone).
     *
     * @throws IllegalStateException for a cross-database reference: the resolver loads from this
     *     reference's own database and would return the wrong object
     */
    public Object resolve() {
        if (database != null) {
            throw new IllegalStateException("reference to oid " + oid + " in database '" + database
                    + "': resolve it through that database");
        }
        return resolver == null ? null : resolver.apply(oid);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PythonReference other
                && oid.equals(other.oid)
                && weak == other.weak
                && Objects.equals(module, other.module)
                && Objects.equals(name, other.name)
                && Objects.equals(database, other.database);
    }

    @Override
    public int hashCode() {
        return Objects.hash(oid, module, name, weak, database);
    }

    /** E.g. {@code <ref 0000000000000002 persistent.list.PersistentList>} or {@code <weakref 0000000000000004>}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(weak ? "<weakref " : "<ref ").append(oid);
        if (module != null) {
            out.append(' ').append(module).append('.').append(name);
        }
        if (database != null) {
            out.append(" in '").append(database).append('\'');
        }
        return out.append('>').toString();
    }
}
