package org.jzeo.server.storage.pg;

import org.jzeo.api.TransientStorageException;

/**
 * PostgreSQL could not be reached, or dropped the connection (refused, restarting, shutting down). Retryable: the
 * storage keeps working once the database is back, without being reopened. Clients receive it as the retryable
 * TransientError.
 */
public class DatabaseUnavailableException extends TransientStorageException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
