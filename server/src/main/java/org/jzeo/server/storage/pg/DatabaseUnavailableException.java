package org.jzeo.server.storage.pg;

import org.jzeo.api.StorageException;

/**
 * PostgreSQL could not be reached, or dropped the connection (refused, restarting, shutting down). Retryable: the
 * storage keeps working once the database is back, without being reopened.
 */
public class DatabaseUnavailableException extends StorageException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
