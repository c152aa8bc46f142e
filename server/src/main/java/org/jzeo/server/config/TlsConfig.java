package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for the listener, from {@code <ssl>} inside {@code <zeo>}, with ZEO 5's meaning: the whole connection is
 * TLS from the first byte, and every client must present a certificate that verifies against
 * {@link #clientCertificateAuthorities()}.
 *
 * @param certificate                  PEM file with the server certificate (and its key, when {@code key} is empty)
 * @param key                          PEM file with the server's private key, if not inside {@code certificate};
 *                                     must be unencrypted (ZEO's {@code password-function} is Python-only)
 * @param clientCertificateAuthorities a PEM file or a directory of PEM files with the certificates (CAs or
 *                                     self-signed client certificates) that client certificates must chain to;
 *                                     empty means the JVM's default trust store (ZEO's {@code authenticate -} or
 *                                     {@code authenticate SIGNED})
 */
public record TlsConfig(Path certificate, Optional<Path> key, Optional<Path> clientCertificateAuthorities) {

    public TlsConfig {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientCertificateAuthorities, "clientCertificateAuthorities");
    }
}
