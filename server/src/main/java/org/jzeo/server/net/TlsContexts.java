package org.jzeo.server.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.jzeo.server.config.TlsConfig;

/**
 * Builds the server's TLS context from the {@code <ssl>} section: certificate and PKCS#8 PEM key, and, when
 * {@code authenticate} names a CA file or a directory of them, client certificates are required and must chain
 * to one of those CAs (ZEO's behaviour).
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    public static SslContext server(TlsConfig config) {
        File certificate = config.certificate().toFile();
        File key = config.key().orElse(config.certificate()).toFile();
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(certificate, key);
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

    private static X509Certificate[] authorities(Path source) {
        List<X509Certificate> all = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(source)) {
                try (Stream<Path> list = Files.list(source)) {
                    list.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else {
                files.add(source);
            }
            for (Path file : files) {
                try (var in = Files.newInputStream(file)) {
                    for (var cert : factory.generateCertificates(in)) {
                        all.add((X509Certificate) cert);
                    }
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("TLS configuration: cannot read CA certificates from " + source
                    + ": " + e.getMessage(), e);
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("TLS configuration: no CA certificate found in " + source);
        }
        return all.toArray(new X509Certificate[0]);
    }
}
