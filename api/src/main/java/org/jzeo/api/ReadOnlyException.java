package org.jzeo.api;

/** A write was attempted on a read-only storage or connection (ZODB's {@code ReadOnlyError}). */
public class ReadOnlyException extends StorageException {
    public ReadOnlyException(String message) {
        super(message);
    }
}
