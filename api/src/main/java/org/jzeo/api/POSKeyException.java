package org.jzeo.api;

/** The object, or the requested revision of it, does not exist (ZODB's {@code POSKeyError}). */
public class POSKeyException extends StorageException {
    private final Oid oid;

    public POSKeyException(Oid oid) {
        this(oid, "no such object: oid " + oid);
    }

    public POSKeyException(Oid oid, String message) {
        super(message);
        this.oid = oid;
    }

    public Oid oid() {
        return oid;
    }
}
