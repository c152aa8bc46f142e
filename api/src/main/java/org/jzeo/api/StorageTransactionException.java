package org.jzeo.api;

/**
 * A two-phase-commit call out of order or with the wrong transaction (ZODB's
 * {@code StorageTransactionError}), including an explicit tid that does not increase.
 */
public class StorageTransactionException extends StorageException {
    public StorageTransactionException(String message) {
        super(message);
    }
}
