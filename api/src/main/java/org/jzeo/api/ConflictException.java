package org.jzeo.api;

/**
 * A write conflict: the transaction read revision {@link #readSerial()} of {@link #oid()}, but revision
 * {@link #committedSerial()} has been committed since (ZODB's {@code ConflictError}). Retryable: running the
 * transaction again on a fresh snapshot may succeed. A lock wait that timed out is reported the same way.
 */
public class ConflictException extends StorageException {
    private final Oid oid;
    private final Tid committedSerial;
    private final Tid readSerial;

    public ConflictException(Oid oid, Tid committedSerial, Tid readSerial) {
        this(describe("database conflict error", oid, committedSerial, readSerial), oid, committedSerial,
                readSerial);
    }

    public ConflictException(String message, Oid oid, Tid committedSerial, Tid readSerial) {
        super(message);
        this.oid = oid;
        this.committedSerial = committedSerial;
        this.readSerial = readSerial;
    }

    static String describe(String what, Oid oid, Tid committed, Tid read) {
        return what + " (oid " + oid + ", serial this txn started with " + read
                + ", serial currently committed " + committed + ")";
    }

    public Oid oid() {
        return oid;
    }

    /** The tid of the revision committed now; may be null when unknown (a lock wait timed out). */
    public Tid committedSerial() {
        return committedSerial;
    }

    /** The tid of the revision the transaction read. */
    public Tid readSerial() {
        return readSerial;
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
