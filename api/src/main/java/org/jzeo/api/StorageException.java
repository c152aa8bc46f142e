package org.jzeo.api;

/**
 * The root of jzeo's exceptions. {@link #isRetryable()} tells whether running the same transaction
 * again may succeed (a conflict or a lost connection) or not (bad input, a broken file).
 */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public boolean isRetryable() {
        return false;
    }
}
