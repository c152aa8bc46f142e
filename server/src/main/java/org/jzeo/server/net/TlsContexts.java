package org.jzeo.server.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.jzeo.server.config.TlsConfig;

/**
 * Builds the server's TLS context from the {@code <ssl>} section: certificate and PEM key (PKCS#8, PKCS#1 RSA or
 * SEC1 EC, see {@link PemKeys}), and, when
 * {@code authenticate} names a CA file or a directory of them, client certificates are required and must chain
 * to one of those CAs (ZEO's behaviour). It also builds the admin commands' client context from the same kinds
 * of files, read by the same code, so that whatever the server accepts, {@code jzeo status} accepts too.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    public static SslContext server(TlsConfig config) {
        Path certificate = config.certificate();
        Path key = config.key().orElse(config.certificate());
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(PemKeys.read(key), certificates(certificate));
            if (config.clientCertificateAuthorities().isPresent()) {
                builder.trustManager(authorities(config.clientCertificateAuthorities().get()))
                        .clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS configuration: cannot use certificate " + certificate
                    + " and key " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * A blocking client's context with ZEO's client {@code <ssl>} options: the server's certificate must chain to
     * {@code authorities} (a CA file or a directory of them; null: the JVM's default CAs), and {@code certificate}
     * with {@code key} (null: the key is in the certificate file) is presented to servers that authenticate
     * clients. Host names are not checked here: that is the caller's choice, per connection.
     *
     * @param certificate PEM client certificate chain, or null for none
     * @throws IllegalArgumentException naming the file that could not be used
     */
    public static SSLContext client(Path certificate, Path key, Path authorities) {
        char[] inMemory = "jzeo".toCharArray(); // the key store lives only here; it needs some password
        try {
            KeyManager[] keyManagers = null;
            if (certificate != null) {
                Path keyFile = key == null ? certificate : key;
                KeyStore identity = KeyStore.getInstance("PKCS12");
                identity.load(null, null);
                identity.setKeyEntry("client", PemKeys.read(keyFile), inMemory, certificates(certificate));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(identity, inMemory);
                keyManagers = kmf.getKeyManagers();
            }
            TrustManager[] trustManagers = null;
            if (authorities != null) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                X509Certificate[] cas = authorities(authorities);
                for (int i = 0; i < cas.length; i++) {
                    trusted.setCertificateEntry("ca" + i, cas[i]);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                trustManagers = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("TLS: cannot use certificate " + certificate + ", key " + key
                    + " and authorities " + authorities + ": " + e.getMessage(), e);
        }
    }

    /** The certificate chain in {@code file} (PEM; other blocks, such as a key, are skipped). */
    private static X509Certificate[] certificates(Path file) {
        List<X509Certificate> chain = readCertificates(file);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + file);
        }
        return chain.toArray(new X509Certificate[0]);
    }

    private static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> all = new ArrayList<>();
        try (var in = Files.newInputStream(file)) {
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                all.add((X509Certificate) cert);
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
        return all;
    }

    private static X509Certificate[] authorities(Path source) {
        List<X509Certificate> all = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> list = Files.list(source)) {
                list.filter(Files::isRegularFile).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new IllegalArgumentException("TLS configuration: cannot list " + source + ": "
                        + e.getMessage(), e);
            }
        } else {
            files.add(source);
        }
        for (Path file : files) {
            try {
                all.addAll(readCertificates(file));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("TLS configuration: " + e.getMessage(), e);
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("TLS configuration: no CA certificate found in " + source);
        }
        return all.toArray(new X509Certificate[0]);
    }
}
