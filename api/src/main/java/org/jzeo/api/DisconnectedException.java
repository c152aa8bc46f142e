package org.jzeo.api;

/** The storage server could not be reached (ZEO's {@code ClientDisconnected}). Retryable. */
public class DisconnectedException extends StorageException {
    public DisconnectedException(String message) {
        super(message);
    }

    public DisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
