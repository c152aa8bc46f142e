package org.jzeo.it.wildfly.app;

import jakarta.ejb.ApplicationException;

/**
 * Thrown by {@link Writer} after it wrote: an application exception that makes the container roll the JTA
 * transaction back, and that still reaches the caller (unwrapped) with the oid that was written.
 */
@ApplicationException(rollback = true)
public class RolledBack extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long oid;

    public RolledBack(long oid) {
        super("rolling back after writing oid " + oid);
        this.oid = oid;
    }

    public long oid() {
        return oid;
    }
}
