package org.jzeo.api;

/**
 * A read-current check failed: the transaction required {@link #oid()} to still be at the revision it read,
 * but a later revision has been committed (ZODB's {@code ReadConflictError}). Retryable.
 */
public class ReadConflictException extends ConflictException {
    public ReadConflictException(Oid oid, Tid committedSerial, Tid readSerial) {
        super(describe("database read conflict error", oid, committedSerial, readSerial), oid, committedSerial,
                readSerial);
    }
}
