package org.jzeo.rar;

import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.io.Serializable;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jzeo resource adapter: outbound only. It owns the client storages its connection factories share, so that
 * undeploying the adapter closes every network session and writes out every persistent client cache.
 *
 * <p>It has no inbound side ({@link #endpointActivation} is refused) and no configuration of its own; everything
 * is configured per connection definition on {@link JzeoManagedConnectionFactory}.
 */
public final class JzeoResourceAdapter implements ResourceAdapter, Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JzeoResourceAdapter.class);

    /**
     * Null until first needed and after stop. The storages are live objects: never serialized. A container may
     * use a connection factory (its recovery scan, seen in WildFly) a moment before it has called start(): the
     * registry is then made on that first use, and start() keeps it.
     */
    private transient StorageRegistry registry;
    private transient boolean stopped;

    @Override
    public synchronized void start(BootstrapContext context) throws ResourceAdapterInternalException {
        stopped = false;
        if (registry == null) {
            registry = new StorageRegistry();
        }
        LOG.info("jzeo resource adapter started");
    }

    @Override
    public void stop() {
        StorageRegistry stopping;
        synchronized (this) {
            stopping = registry;
            registry = null;
            stopped = true;
        }
        if (stopping != null) {
            stopping.close();
        }
        LOG.info("jzeo resource adapter stopped");
    }

    /** The storages of this deployment; IllegalStateException once stopped. */
    synchronized StorageRegistry registry() {
        if (stopped) {
            throw new IllegalStateException("the jzeo resource adapter is stopped");
        }
        if (registry == null) {
            registry = new StorageRegistry();
        }
        return registry;
    }

    @Override
    public void endpointActivation(MessageEndpointFactory endpointFactory, ActivationSpec spec)
            throws NotSupportedException {
        throw new NotSupportedException("the jzeo resource adapter has no inbound (message) side");
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory endpointFactory, ActivationSpec spec) {
        // nothing was activated
    }

    /**
     * None: recovery goes through the outbound connection definitions (the container creates a managed connection
     * with its recovery credentials and asks it for its XAResource); containers do not call this for outbound
     * adapters.
     */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    /** The spec asks for equality over the configuration properties; this class has none. */
    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return JzeoResourceAdapter.class.hashCode();
    }
}
