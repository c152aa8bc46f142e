package org.jzeo.api;

/**
 * The server did not accept who the client is: no credentials where the server requires them, a wrong username or
 * password, or a server that could not prove it knows the password. Not retryable: the same credentials fail again.
 * On the wire it is ZEO's {@code ZEO.Exceptions.AuthError}.
 */
public class AuthenticationException extends StorageException {
    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
