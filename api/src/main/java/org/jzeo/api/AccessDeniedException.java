package org.jzeo.api;

/**
 * The authenticated user may not do this: pack or read the server's status without admin rights, or commit, roll back
 * or forget an XA branch another user prepared. (Writing without write rights is a {@link ReadOnlyException}, as on a
 * read-only storage.) On the wire it is ZEO's {@code ZEO.Exceptions.AuthError} with a message starting
 * {@value #PREFIX}.
 */
public class AccessDeniedException extends AuthenticationException {
    /** How every message of this exception starts, which is how a client tells it from a failed sign-on. */
    public static final String PREFIX = "access denied: ";

    public AccessDeniedException(String reason) {
        super(PREFIX + reason);
    }
}
