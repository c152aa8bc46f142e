package org.jzeo.server.copy;

/**
 * The copy cannot start or stopped. The message is one line for an operator and names the storage and, once copying
 * has begun, the transaction at fault; the transactions before it are in the destination.
 */
public class CopyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CopyException(String message) {
        super(message);
    }

    public CopyException(String message, Throwable cause) {
        super(message, cause);
    }
}
