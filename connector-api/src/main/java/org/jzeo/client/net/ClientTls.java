package org.jzeo.client.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client's TLS settings: whom to trust, whether to check the server's host name, and an optional client
 * certificate (for servers configured with {@code authenticate}).
 *
 * @param trustStore         a PKCS#12 or JKS key store of trusted certificates, or a PEM file of CA certificates
 *                           ({@code .pem}, {@code .crt}); null trusts the JVM's default CAs
 * @param trustStorePassword the key store's password (null for PEM or no password)
 * @param verifyHostname     check that the server certificate names the host connected to (default true)
 * @param certificate        PEM client certificate chain, or null for none
 * @param key                PEM PKCS#8 private key of {@code certificate}
 */
public record ClientTls(Path trustStore, char[] trustStorePassword, boolean verifyHostname, Path certificate,
                        Path key) {

    /** TLS trusting {@code trustStore}, verifying host names, without a client certificate. */
    public static ClientTls trusting(Path trustStore) {
        return new ClientTls(trustStore, null, true, null, null);
    }

    public ClientTls withoutHostnameVerification() {
        return new ClientTls(trustStore, trustStorePassword, false, certificate, key);
    }

    public ClientTls withClientCertificate(Path certificatePem, Path keyPem) {
        return new ClientTls(trustStore, trustStorePassword, verifyHostname, certificatePem, keyPem);
    }

    /** Builds the Netty context; IllegalArgumentException naming the file that could not be used. */
    public SslContext context() {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (trustStore != null) {
                if (isPem(trustStore)) {
                    builder.trustManager(trustStore.toFile());
                } else {
                    builder.trustManager(trustManagers());
                }
            }
            if (certificate != null) {
                if (key == null) {
                    throw new IllegalArgumentException("TLS client certificate " + certificate + " needs a key file");
                }
                builder.keyManager(certificate.toFile(), key.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: cannot use trust store " + trustStore + " / certificate "
                    + certificate + ": " + e.getMessage(), e);
        }
    }

    private TrustManagerFactory trustManagers() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance(trustStore.toString().toLowerCase(Locale.ROOT).endsWith(".jks")
                    ? "JKS" : "PKCS12");
            store.load(in, trustStorePassword);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS: cannot read trust store " + trustStore + ": " + e.getMessage(), e);
        }
    }

    private static boolean isPem(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".pem") || name.endsWith(".crt") || name.endsWith(".cer");
    }
}
