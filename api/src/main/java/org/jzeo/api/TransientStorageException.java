package org.jzeo.api;

/**
 * The storage could not do it now, for a reason that passes by itself: the database behind the server is restarting
 * or unreachable. Nothing of the transaction was committed unless the error came from its finish, whose outcome is
 * then unknown (as with a disconnect). Retryable. On the wire it is the {@code transaction} package's {@code
 * TransientError}, which ZODB's transaction managers retry too.
 */
public class TransientStorageException extends StorageException {
    public TransientStorageException(String message) {
        super(message);
    }

    public TransientStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
