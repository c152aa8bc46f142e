package org.jzeo.rar;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import java.io.Serial;
import java.io.Serializable;
import javax.naming.Reference;
import org.jzeo.api.AccessDeniedException;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.api.StorageException;

/**
 * The connection factory the container binds in JNDI and applications inject. Each {@link #getConnection()} asks
 * the container's connection manager for a handle, so the connection comes from the pool and is enlisted in the
 * caller's transaction.
 */
public final class JzeoConnectionFactory implements StorageConnectionFactory, Serializable, Referenceable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final JzeoManagedConnectionFactory managedConnectionFactory;
    private final ConnectionManager connectionManager;
    private Reference reference;

    JzeoConnectionFactory(JzeoManagedConnectionFactory managedConnectionFactory, ConnectionManager connectionManager) {
        this.managedConnectionFactory = managedConnectionFactory;
        this.connectionManager = connectionManager;
    }

    /**
     * A connection handle from the container's pool, enlisted in the caller's transaction if there is one.
     *
     * @throws DisconnectedException the server is not reachable (retryable)
     * @throws StorageException      the container could not supply a connection for another reason
     */
    @Override
    public StorageConnection getConnection() {
        try {
            return (StorageConnection) connectionManager.allocateConnection(managedConnectionFactory, null);
        } catch (ResourceException e) {
            throw translate(e);
        }
    }

    /**
     * A connection signed on as {@code user} (component-managed sign-on: the application's own credentials). The
     * container passes them to the adapter as request info; with container-managed sign-on (a resource reference with
     * {@code res-auth Container}, the default) the container's credentials take precedence over these. An
     * extension of this factory, not of {@link StorageConnectionFactory}: cast to {@code JzeoConnectionFactory}.
     *
     * @throws org.jzeo.api.AuthenticationException the server refused the user or password
     * @throws DisconnectedException                 the server is not reachable (retryable)
     */
    public StorageConnection getConnection(String user, String password) {
        try {
            return (StorageConnection) connectionManager.allocateConnection(managedConnectionFactory,
                    new JzeoConnectionRequestInfo(user, password));
        } catch (ResourceException e) {
            throw translate(e);
        }
    }

    /**
     * The application API has no ResourceException: a refused sign-on anywhere in the cause chain (the container may
     * wrap ours) becomes an AuthenticationException (an AccessDeniedException stays one), a disconnection a
     * DisconnectedException so the caller can see it is retryable.
     */
    static StorageException translate(ResourceException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof AccessDeniedException denied) {
                String message = String.valueOf(denied.getMessage());
                AccessDeniedException copy = new AccessDeniedException(message.startsWith(AccessDeniedException.PREFIX)
                        ? message.substring(AccessDeniedException.PREFIX.length()) : message);
                copy.initCause(e);
                return copy;
            }
            if (cause instanceof AuthenticationException) {
                return new AuthenticationException("no jzeo connection: " + cause.getMessage(), e);
            }
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DisconnectedException) {
                return new DisconnectedException("no jzeo connection: " + cause.getMessage(), e);
            }
        }
        return new StorageException("no jzeo connection: " + e.getMessage(), e);
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }

    @Override
    public String toString() {
        return "JzeoConnectionFactory[" + managedConnectionFactory.getServerAddresses() + ", storage "
                + managedConnectionFactory.getStorage() + "]";
    }
}
