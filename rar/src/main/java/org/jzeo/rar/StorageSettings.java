package org.jzeo.rar;

import java.nio.file.Path;
import java.time.Duration;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.blob.BlobOptions;
import org.jzeo.client.net.ClientTls;

/**
 * The configuration of one shared {@link org.jzeo.client.ClientStorage}, frozen from a managed connection
 * factory's properties. It is the key of {@link StorageRegistry}: factories with equal settings share one storage
 * (one network session, one client cache), which is also what makes their XA resources the same resource manager.
 * Only strings and primitives, so that equality is by value (ClientOptions holds a char[] password).
 */
record StorageSettings(String serverAddresses, String storage, long cacheSize, String clientName, String varDirectory,
                       boolean readOnly, boolean readOnlyFallback, int minDisconnectPoll, int maxDisconnectPoll,
                       int waitTimeout, boolean tls, String tlsTrustStore, String tlsTrustStorePassword,
                       boolean tlsVerifyHostname, String tlsCertificate, String tlsKey, String blobDirectory,
                       boolean sharedBlobDirectory, Long blobCacheSize, int blobCacheSizeCheck) {

    /**
     * The client options these settings mean.
     *
     * @throws IllegalArgumentException a setting is missing or invalid, with the reason
     */
    ClientOptions toClientOptions() {
        if (blank(serverAddresses)) {
            throw new IllegalArgumentException("config property serverAddresses is required (host:port or a socket"
                    + " path, several separated by spaces or commas)");
        }
        if (blank(storage)) {
            throw new IllegalArgumentException("config property storage must not be empty");
        }
        if (minDisconnectPoll <= 0 || maxDisconnectPoll < minDisconnectPoll) {
            throw new IllegalArgumentException("need 0 < minDisconnectPoll <= maxDisconnectPoll (seconds), got "
                    + minDisconnectPoll + " and " + maxDisconnectPoll);
        }
        ClientOptions options = ClientOptions.of(serverAddresses)
                .withStorage(storage.trim())
                .withCacheSize(cacheSize)
                .withClient(blank(clientName) ? null : clientName.trim())
                .withVar(blank(varDirectory) ? null : Path.of(varDirectory.trim()))
                .withDisconnectPoll(Duration.ofSeconds(minDisconnectPoll), Duration.ofSeconds(maxDisconnectPoll))
                // ZEO's wait=false is spelled waitTimeout=0 here: one property instead of two.
                .withWait(waitTimeout > 0, Duration.ofSeconds(Math.max(0, waitTimeout)))
                .withReadOnly(readOnly)
                .withReadOnlyFallback(readOnlyFallback)
                .withBlobs(new BlobOptions(path(blobDirectory), sharedBlobDirectory, blobCacheSize,
                        blobCacheSizeCheck));
        return usesTls() ? options.withTls(clientTls()) : options;
    }

    /** TLS is on when asked for, or implied by a trust store or a client certificate. */
    boolean usesTls() {
        return tls || !blank(tlsTrustStore) || !blank(tlsCertificate);
    }

    private ClientTls clientTls() {
        return new ClientTls(path(tlsTrustStore), tlsTrustStorePassword == null ? null
                : tlsTrustStorePassword.toCharArray(), tlsVerifyHostname, path(tlsCertificate), path(tlsKey));
    }

    private static Path path(String text) {
        return blank(text) ? null : Path.of(text.trim());
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    /** Never shows the trust store password (settings end up in log messages). */
    @Override
    public String toString() {
        return "StorageSettings[serverAddresses=" + serverAddresses + ", storage=" + storage + ", cacheSize="
                + cacheSize + ", clientName=" + clientName + ", varDirectory=" + varDirectory + ", readOnly="
                + readOnly + ", readOnlyFallback=" + readOnlyFallback + ", minDisconnectPoll=" + minDisconnectPoll
                + ", maxDisconnectPoll=" + maxDisconnectPoll + ", waitTimeout=" + waitTimeout + ", tls=" + usesTls()
                + ", tlsTrustStore=" + tlsTrustStore + ", tlsTrustStorePassword="
                + (tlsTrustStorePassword == null ? "null" : "****") + ", tlsVerifyHostname=" + tlsVerifyHostname
                + ", tlsCertificate=" + tlsCertificate + ", tlsKey=" + tlsKey + ", blobDirectory=" + blobDirectory
                + ", sharedBlobDirectory=" + sharedBlobDirectory + ", blobCacheSize=" + blobCacheSize
                + ", blobCacheSizeCheck=" + blobCacheSizeCheck + "]";
    }
}
