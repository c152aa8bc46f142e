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
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.Credentials;
import org.jzeo.client.blob.BlobOptions;

/**
 * A jzeo connection definition: the client options of one storage (ZEO's client option names as JavaBean
 * properties, with ZEO's defaults), and the factory of the managed connections the container pools.
 *
 * <p>All managed connections of one configuration and one signed-on user share one {@link
 * org.jzeo.client.ClientStorage} (one network session and one client cache), opened when the first connection is
 * created and closed when the resource adapter stops. Factories with equal properties are equal (as the Connectors
 * spec requires) and share that storage too.
 *
 * <p>Sign-on (the server's {@code authentication-protocol scram-sha-256}): the container's {@code PasswordCredential}
 * first (container-managed sign-on: ra.xml declares BasicPassword), then the user and password of {@link
 * JzeoConnectionFactory#getConnection(String, String)}, then the {@code userName} and {@code password} properties;
 * see {@link SignOn}.
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
 *   <tr><td>userName, password</td><td>username, password</td><td>none: who to sign on as when neither the
 *       container nor the application says (Payara's pool user and password are these properties)</td></tr>
 *   <tr><td>realm</td><td>realm</td><td>none: the server's authentication-realm, checked by the client</td></tr>
 *   <tr><td>signOn</td><td>–</td><td>true; false ignores every credential, for a server without
 *       authentication</td></tr>
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
    private String userName;
    private String password;
    private String realm;
    private Boolean signOn = true;

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
     * A new physical connection over the shared storage of this configuration and user, opening (and signing on)
     * the storage if this is the first. Who it signs on as comes from the container's {@link
     * jakarta.resource.spi.security.PasswordCredential} in {@code subject} (the pool's or the recovery credentials),
     * else from {@code requestInfo} ({@link JzeoConnectionFactory#getConnection(String, String)}), else from the
     * {@code userName} and {@code password} properties: see {@link SignOn}.
     *
     * @throws CommException            no session within {@code waitTimeout}: the server was not reached, or it
     *                                  refused the sign-on (the client retries a refusal like a lost server and
     *                                  keeps its reason, "authentication failed", in the message)
     * @throws jakarta.resource.spi.SecurityException the client gave up at once with an AuthenticationException
     * @throws InvalidPropertyException a configuration property is missing or wrong
     */
    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo requestInfo)
            throws ResourceException {
        StorageSettings settings = settings();
        Credentials credentials = credentials(subject, requestInfo);
        StorageRegistry registry = null;
        SharedStorage shared = null;
        ClientConnectionFactory connections;
        try {
            registry = registry();
            shared = registry.storage(new StorageKey(settings, credentials));
            connections = shared.connections();
        } catch (RuntimeException e) {
            if (shared != null) {
                registry.forgetIfUnopened(shared);
            }
            throw openFailure(settings, credentials, e);
        }
        return new JzeoManagedConnection(this, credentials, connections.storage(), connections.getConnection());
    }

    /** Why the storage could not be opened, as the Connectors exception a container understands. */
    private static ResourceException openFailure(StorageSettings settings, Credentials credentials,
                                                 RuntimeException e) {
        String where = "storage '" + settings.storage() + "' at " + settings.serverAddresses();
        AuthenticationException refused = cause(e, AuthenticationException.class);
        if (refused != null) {
            jakarta.resource.spi.SecurityException security = new jakarta.resource.spi.SecurityException(
                    "jzeo: " + where + " refused the sign-on as " + (credentials == null ? "nobody (no credentials"
                            + " configured)" : "user '" + credentials.username() + "'") + ": " + refused.getMessage());
            security.initCause(e);
            return security;
        }
        DisconnectedException disconnected = cause(e, DisconnectedException.class);
        if (disconnected != null) {
            return new CommException("jzeo: cannot reach " + where + ": " + e.getMessage(), e);
        }
        if (e instanceof IllegalArgumentException) {
            return new InvalidPropertyException("jzeo connection definition: " + e.getMessage(), e);
        }
        return new ResourceException("jzeo: cannot open " + where + ": " + e.getMessage(), e);
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** Who a connection for this subject and request signs on as; null for nobody (always, with signOn false). */
    Credentials credentials(Subject subject, ConnectionRequestInfo requestInfo) {
        return signOn ? SignOn.credentials(this, subject, requestInfo, userName, password, realm) : null;
    }

    /**
     * A live connection of this factory signed on as the requested user (same user name, password and realm): a
     * connection never serves another user than the one its storage signed on as. Without security on either side
     * (no subject, no request info, no configured user) any live connection will do.
     */
    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(Set connectionSet, Subject subject,
                                                     ConnectionRequestInfo requestInfo) {
        Credentials wanted = credentials(subject, requestInfo);
        for (Object candidate : connectionSet) {
            if (candidate instanceof JzeoManagedConnection connection && !connection.isDestroyed()
                    && equals(connection.factory()) && Objects.equals(wanted, connection.credentials())) {
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
                && defaultTransactionTimeout.equals(o.defaultTransactionTimeout) && Objects.equals(userName, o.userName)
                && Objects.equals(password, o.password) && Objects.equals(realm, o.realm) && signOn.equals(o.signOn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings(), defaultTransactionTimeout, userName, password, realm, signOn);
    }

    @Override
    public String toString() {
        return "JzeoManagedConnectionFactory[" + settings() + ", defaultTransactionTimeout="
                + defaultTransactionTimeout + ", userName=" + userName + ", password="
                + (password == null ? "null" : "****") + ", realm=" + realm + ", signOn=" + signOn + "]";
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

    /**
     * ZEO's {@code username}: who to sign on as when the container passes no credential and the application asks
     * for none (Payara also takes the pool's user from this property).
     */
    public String getUserName() {
        return userName;
    }

    public void setUserName(String userName) {
        this.userName = userName;
    }

    /** ZEO's {@code password}, with {@link #getUserName()}. */
    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** ZEO's {@code realm}: when set, the server's authentication-realm must be this. */
    public String getRealm() {
        return realm;
    }

    public void setRealm(String realm) {
        this.realm = realm;
    }

    /**
     * Sign on at all (default true). False for a server without authentication: the client refuses to send
     * credentials to a server that does not check them, and WildFly passes its recovery credentials regardless
     * (without them it disables XA recovery), so this ignores every credential instead.
     */
    public Boolean getSignOn() {
        return signOn;
    }

    public void setSignOn(Boolean signOn) {
        this.signOn = require(signOn, "signOn");
    }

    /** Primitive-valued properties have no "unset": null is a configuration mistake, reported at once. */
    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("config property " + name + " must not be null");
        }
        return value;
    }
}
