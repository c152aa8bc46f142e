package org.jzeo.rar;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.CommException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.ValidatingManagedConnectionFactory;
import java.io.PrintWriter;
import java.io.Serial;
import java.util.HashSet;
import java.util.Set;
import javax.security.auth.Subject;
import org.jzeo.api.DisconnectedException;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.blob.BlobOptions;

/**
 * A jzeo connection definition: the client options of one storage (ZEO's client option names as JavaBean
 * properties, with ZEO's defaults), and the factory of the managed connections the container pools.
 *
 * <p>All managed connections of one configuration share one {@link org.jzeo.client.ClientStorage} (one network
 * session and one client cache), opened when the first connection is created and closed when the resource adapter
 * stops. Factories with equal properties are equal (as the Connectors spec requires) and share that storage too.
 *
 * <table>
 *   <caption>configuration properties</caption>
 *   <tr><th>property</th><th>ZEO option</th><th>default</th></tr>
 *   <tr><td>serverAddresses</td><td>server</td><td>required: host:port or a socket path, several separated by
 *       spaces or commas</td></tr>
 *   <tr><td>storage</td><td>storage</td><td>"1"</td></tr>
 *   <tr><td>cacheSize</td><td>cache-size</td><td>20 MB (bytes)</td></tr>
 *   <tr><td>clientName</td><td>client</td><td>none: temporary cache file</td></tr>
 *   <tr><td>varDirectory</td><td>var</td><td>the working directory</td></tr>
 *   <tr><td>readOnly</td><td>read-only</td><td>false</td></tr>
 *   <tr><td>readOnlyFallback</td><td>read-only-fallback</td><td>false</td></tr>
 *   <tr><td>minDisconnectPoll</td><td>min-disconnect-poll</td><td>5 s</td></tr>
 *   <tr><td>maxDisconnectPoll</td><td>max-disconnect-poll</td><td>300 s</td></tr>
 *   <tr><td>waitTimeout</td><td>wait-timeout</td><td>30 s to wait for the server when the storage opens; 0:
 *       do not wait (ZEO's wait=false)</td></tr>
 *   <tr><td>tls</td><td>–</td><td>false; implied by tlsTrustStore or tlsCertificate. True alone trusts the
 *       JVM's default CAs</td></tr>
 *   <tr><td>tlsTrustStore, tlsTrustStorePassword</td><td>–</td><td>PKCS#12/JKS key store or PEM file of
 *       trusted certificates</td></tr>
 *   <tr><td>tlsVerifyHostname</td><td>–</td><td>true</td></tr>
 *   <tr><td>tlsCertificate, tlsKey</td><td>–</td><td>PEM client certificate chain and PKCS#8 key</td></tr>
 *   <tr><td>blobDirectory</td><td>blob-dir</td><td>none: no blobs</td></tr>
 *   <tr><td>sharedBlobDirectory</td><td>shared-blob-dir</td><td>false: blobDirectory is a cache of downloaded
 *       blobs; true: it is the server's own blob directory</td></tr>
 *   <tr><td>blobCacheSize</td><td>blob-cache-size</td><td>none: unbounded (bytes)</td></tr>
 *   <tr><td>blobCacheSizeCheck</td><td>blob-cache-size-check</td><td>10 (percent of blobCacheSize)</td></tr>
 *   <tr><td>defaultTransactionTimeout</td><td>–</td><td>0 s: the XA branch timeout until the transaction manager
 *       sets its own</td></tr>
 * </table>
 */
public final class JzeoManagedConnectionFactory implements ManagedConnectionFactory, ResourceAdapterAssociation,
        ValidatingManagedConnectionFactory {
    @Serial
    private static final long serialVersionUID = 1L;

    private String serverAddresses;
    private String storage = "1";
    private Long cacheSize = ClientOptions.DEFAULT_CACHE_SIZE;
    private String clientName;
    private String varDirectory;
    private Boolean readOnly = false;
    private Boolean readOnlyFallback = false;
    private Integer minDisconnectPoll = 5;
    private Integer maxDisconnectPoll = 300;
    private Integer waitTimeout = 30;
    private Boolean tls = false;
    private String tlsTrustStore;
    private String tlsTrustStorePassword;
    private Boolean tlsVerifyHostname = true;
    private String tlsCertificate;
    private String tlsKey;
    private Integer defaultTransactionTimeout = 0;
    private String blobDirectory;
    private Boolean sharedBlobDirectory = false;
    private Long blobCacheSize;
    private Integer blobCacheSizeCheck = BlobOptions.DEFAULT_CACHE_SIZE_CHECK;

    /** Not serialized: a deserialized factory is re-associated by the container. */
    private transient ResourceAdapter resourceAdapter;
    private transient PrintWriter logWriter;

    // ---------------------------------------------------------------- connection factories

    /** The application's connection factory, allocating through the container's connection manager. */
    @Override
    public Object createConnectionFactory(ConnectionManager connectionManager) throws ResourceException {
        return new JzeoConnectionFactory(this, connectionManager);
    }

    /**
     * A connection factory for use without a container: each handle gets a managed connection of its own, which is
     * destroyed when the handle closes. Transactions are the application's (begin/commit/abort on the handle).
     */
    @Override
    public Object createConnectionFactory() throws ResourceException {
        return new JzeoConnectionFactory(this, new UnmanagedConnectionManager());
    }

    // ---------------------------------------------------------------- managed connections

    /**
     * A new physical connection over the shared storage, opening the storage if this is the first. The subject
     * (e.g. the container's recovery credentials) is ignored: the storage has no per-user sign-on.
     *
     * @throws CommException            the server was not reached within {@code waitTimeout}
     * @throws InvalidPropertyException a configuration property is missing or wrong
     */
    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo requestInfo)
            throws ResourceException {
        StorageSettings settings = settings();
        ClientConnectionFactory connections;
        try {
            connections = registry().storage(settings).connections();
        } catch (DisconnectedException e) {
            throw new CommException("jzeo: cannot reach storage '" + settings.storage() + "' at "
                    + settings.serverAddresses() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException("jzeo connection definition: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ResourceException("jzeo: cannot open storage '" + settings.storage() + "' at "
                    + settings.serverAddresses() + ": " + e.getMessage(), e);
        }
        return new JzeoManagedConnection(this, connections.storage(), connections.getConnection());
    }

    /**
     * Any live connection of this factory: connections carry no per-user state (no security, no request info),
     * so whichever is idle will do.
     */
    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(Set connectionSet, Subject subject,
                                                     ConnectionRequestInfo requestInfo) {
        for (Object candidate : connectionSet) {
            if (candidate instanceof JzeoManagedConnection connection && !connection.isDestroyed()
                    && equals(connection.factory())) {
                return connection;
            }
        }
        return null;
    }

    /** The connections whose storage has lost its server (or that were destroyed): the pool should drop them. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Set getInvalidConnections(Set connectionSet) {
        Set invalid = new HashSet<>();
        for (Object candidate : connectionSet) {
            if (candidate instanceof JzeoManagedConnection connection && !connection.isValid()) {
                invalid.add(connection);
            }
        }
        return invalid;
    }

    /** The frozen configuration: the key of the shared storage and the basis of equality. */
    StorageSettings settings() {
        return new StorageSettings(serverAddresses, storage, cacheSize, clientName, varDirectory, readOnly,
                readOnlyFallback, minDisconnectPoll, maxDisconnectPoll, waitTimeout, tls, tlsTrustStore,
                tlsTrustStorePassword, tlsVerifyHostname, tlsCertificate, tlsKey, blobDirectory, sharedBlobDirectory,
                blobCacheSize, blobCacheSizeCheck);
    }

    int defaultTransactionTimeoutSeconds() {
        return defaultTransactionTimeout;
    }

    /** The associated adapter's storages; a factory used without one shares the JVM-wide registry. */
    private StorageRegistry registry() {
        return resourceAdapter instanceof JzeoResourceAdapter adapter ? adapter.registry()
                : StorageRegistry.standalone();
    }

    // ---------------------------------------------------------------- ResourceAdapterAssociation

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    /** Once only, as the spec says: moving a factory to another adapter would strand its storage. */
    @Override
    public void setResourceAdapter(ResourceAdapter adapter) throws ResourceException {
        if (!(adapter instanceof JzeoResourceAdapter)) {
            throw new ResourceException("a jzeo connection factory needs the jzeo resource adapter, got " + adapter);
        }
        if (resourceAdapter != null && resourceAdapter != adapter) {
            throw new jakarta.resource.spi.IllegalStateException(
                    "this connection factory is already associated with a resource adapter");
        }
        resourceAdapter = adapter;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        logWriter = out;
    }

    // ---------------------------------------------------------------- equality over the configuration

    @Override
    public boolean equals(Object other) {
        return other instanceof JzeoManagedConnectionFactory o && settings().equals(o.settings())
                && defaultTransactionTimeout.equals(o.defaultTransactionTimeout);
    }

    @Override
    public int hashCode() {
        return settings().hashCode() * 31 + defaultTransactionTimeout.hashCode();
    }

    @Override
    public String toString() {
        return "JzeoManagedConnectionFactory[" + settings() + ", defaultTransactionTimeout="
                + defaultTransactionTimeout + "]";
    }

    // ---------------------------------------------------------------- JavaBean properties

    /** ZEO's {@code server}: host:port or a socket path, several separated by spaces or commas. */
    public String getServerAddresses() {
        return serverAddresses;
    }

    public void setServerAddresses(String serverAddresses) {
        this.serverAddresses = serverAddresses;
    }

    /** ZEO's {@code storage}: the storage name on the server. */
    public String getStorage() {
        return storage;
    }

    public void setStorage(String storage) {
        this.storage = storage;
    }

    /** ZEO's {@code cache-size}, in bytes. */
    public Long getCacheSize() {
        return cacheSize;
    }

    public void setCacheSize(Long cacheSize) {
        this.cacheSize = require(cacheSize, "cacheSize");
    }

    /** ZEO's {@code client}: names a persistent client cache. */
    public String getClientName() {
        return clientName;
    }

    public void setClientName(String clientName) {
        this.clientName = clientName;
    }

    /** ZEO's {@code blob-dir}: the blob cache folder, or the server's blob directory when shared; none: no blobs. */
    public String getBlobDirectory() {
        return blobDirectory;
    }

    public void setBlobDirectory(String blobDirectory) {
        this.blobDirectory = blobDirectory;
    }

    /** ZEO's {@code shared-blob-dir}: blobDirectory is the server's own blob directory on a shared file system. */
    public Boolean getSharedBlobDirectory() {
        return sharedBlobDirectory;
    }

    public void setSharedBlobDirectory(Boolean sharedBlobDirectory) {
        this.sharedBlobDirectory = require(sharedBlobDirectory, "sharedBlobDirectory");
    }

    /** ZEO's {@code blob-cache-size}, bytes; null: unbounded. */
    public Long getBlobCacheSize() {
        return blobCacheSize;
    }

    public void setBlobCacheSize(Long blobCacheSize) {
        this.blobCacheSize = blobCacheSize;
    }

    /** ZEO's {@code blob-cache-size-check}: percent of blobCacheSize downloaded between two trims of the cache. */
    public Integer getBlobCacheSizeCheck() {
        return blobCacheSizeCheck;
    }

    public void setBlobCacheSizeCheck(Integer blobCacheSizeCheck) {
        this.blobCacheSizeCheck = require(blobCacheSizeCheck, "blobCacheSizeCheck");
    }

    /** ZEO's {@code var}: the folder of the persistent client cache. */
    public String getVarDirectory() {
        return varDirectory;
    }

    public void setVarDirectory(String varDirectory) {
        this.varDirectory = varDirectory;
    }

    /** ZEO's {@code read-only}. */
    public Boolean getReadOnly() {
        return readOnly;
    }

    public void setReadOnly(Boolean readOnly) {
        this.readOnly = require(readOnly, "readOnly");
    }

    /** ZEO's {@code read-only-fallback}. */
    public Boolean getReadOnlyFallback() {
        return readOnlyFallback;
    }

    public void setReadOnlyFallback(Boolean readOnlyFallback) {
        this.readOnlyFallback = require(readOnlyFallback, "readOnlyFallback");
    }

    /** ZEO's {@code min-disconnect-poll}, in seconds. */
    public Integer getMinDisconnectPoll() {
        return minDisconnectPoll;
    }

    public void setMinDisconnectPoll(Integer seconds) {
        this.minDisconnectPoll = require(seconds, "minDisconnectPoll");
    }

    /** ZEO's {@code max-disconnect-poll}, in seconds. */
    public Integer getMaxDisconnectPoll() {
        return maxDisconnectPoll;
    }

    public void setMaxDisconnectPoll(Integer seconds) {
        this.maxDisconnectPoll = require(seconds, "maxDisconnectPoll");
    }

    /** ZEO's {@code wait-timeout}, in seconds; 0 means ZEO's {@code wait=false}. */
    public Integer getWaitTimeout() {
        return waitTimeout;
    }

    public void setWaitTimeout(Integer seconds) {
        this.waitTimeout = require(seconds, "waitTimeout");
    }

    /** Use TLS; implied by a trust store or a client certificate. */
    public Boolean getTls() {
        return tls;
    }

    public void setTls(Boolean tls) {
        this.tls = require(tls, "tls");
    }

    public String getTlsTrustStore() {
        return tlsTrustStore;
    }

    public void setTlsTrustStore(String tlsTrustStore) {
        this.tlsTrustStore = tlsTrustStore;
    }

    public String getTlsTrustStorePassword() {
        return tlsTrustStorePassword;
    }

    public void setTlsTrustStorePassword(String tlsTrustStorePassword) {
        this.tlsTrustStorePassword = tlsTrustStorePassword;
    }

    public Boolean getTlsVerifyHostname() {
        return tlsVerifyHostname;
    }

    public void setTlsVerifyHostname(Boolean tlsVerifyHostname) {
        this.tlsVerifyHostname = require(tlsVerifyHostname, "tlsVerifyHostname");
    }

    public String getTlsCertificate() {
        return tlsCertificate;
    }

    public void setTlsCertificate(String tlsCertificate) {
        this.tlsCertificate = tlsCertificate;
    }

    public String getTlsKey() {
        return tlsKey;
    }

    public void setTlsKey(String tlsKey) {
        this.tlsKey = tlsKey;
    }

    /** The XA branch timeout in seconds until the transaction manager sets one; 0: none. */
    public Integer getDefaultTransactionTimeout() {
        return defaultTransactionTimeout;
    }

    public void setDefaultTransactionTimeout(Integer seconds) {
        this.defaultTransactionTimeout = require(seconds, "defaultTransactionTimeout");
    }

    /** Primitive-valued properties have no "unset": null is a configuration mistake, reported at once. */
    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("config property " + name + " must not be null");
        }
        return value;
    }
}
