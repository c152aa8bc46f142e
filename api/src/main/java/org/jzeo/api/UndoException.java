package org.jzeo.api;

import java.util.List;
import java.util.Map;

/**
 * An undo could not be done (ZODB's {@code UndoError}, or {@code MultipleUndoErrors} when several objects
 * failed: then {@link #errorsByOid()} names each one).
 */
public class UndoException extends StorageException {
    private final Oid oid;
    private final List<UndoException> errors;

    public UndoException(String message, Oid oid) {
        super(oid == null ? message : message + " (oid " + oid + ")");
        this.oid = oid;
        this.errors = List.of();
    }

    private UndoException(List<UndoException> errors) {
        super("undo failed for " + errors.size() + " object(s): " + errors.get(0).getMessage()
                + (errors.size() > 1 ? " ..." : ""));
        this.oid = null;
        this.errors = List.copyOf(errors);
    }

    /** One error when there is one, else ZODB's MultipleUndoErrors shape. */
    public static UndoException of(List<UndoException> errors) {
        return errors.size() == 1 ? errors.get(0) : new UndoException(errors);
    }

    /** The object the error is about; null for a whole-transaction error or a multiple error. */
    public Oid oid() {
        return oid;
    }

    /** The per-object errors of a multiple error; empty otherwise. */
    public List<UndoException> errors() {
        return errors;
    }

    public boolean isMultiple() {
        return !errors.isEmpty();
    }

    /** Convenience for reporting: oid → message, in the order the errors were found. */
    public Map<Oid, String> errorsByOid() {
        var map = new java.util.LinkedHashMap<Oid, String>();
        for (UndoException e : errors.isEmpty() ? List.of(this) : errors) {
            map.put(e.oid(), e.getMessage());
        }
        return map;
    }
}
