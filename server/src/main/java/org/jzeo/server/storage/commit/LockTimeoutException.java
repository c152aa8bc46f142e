package org.jzeo.server.storage.commit;

import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;

/**
 * A vote gave up waiting for an object lock another transaction holds: a {@link ConflictException} like any other
 * for ZEO clients (ConflictError on the wire, retryable), but recognisable by the server, which answers an XA
 * prepare that failed this way with {@code XA_RBDEADLOCK} rather than a serial conflict.
 */
public final class LockTimeoutException extends ConflictException {
    public LockTimeoutException(String message, Oid oid) {
        super(message, oid, null, null);
    }
}
