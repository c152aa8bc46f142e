package org.jzeo.server.cli;

import java.nio.file.Path;
import org.jzeo.server.net.TlsContexts;
import picocli.CommandLine.Option;

/**
 * The admin commands' TLS options, ZEO's client {@code <ssl>} keys as flags. Any of them turns TLS on; the files
 * are read as the server reads its own (PEM certificates; PKCS#8, PKCS#1 or SEC1 keys; a CA file or directory).
 */
final class TlsOptions {
    @Option(names = "--ssl", description = "Connect with TLS (implied by every other --ssl option); without"
            + " --ssl-authenticate the server's certificate must chain to one of the JVM's default CAs.")
    boolean ssl;

    @Option(names = "--ssl-certificate", paramLabel = "FILE",
            description = "TLS: client certificate (PEM), for servers that authenticate clients.")
    Path certificate;

    @Option(names = "--ssl-key", paramLabel = "FILE",
            description = "TLS: the client certificate's private key (PEM; default: in the certificate file).")
    Path key;

    @Option(names = "--ssl-authenticate", paramLabel = "FILE|DIR",
            description = "TLS: CA certificate(s) the server's certificate must chain to (a PEM file or a folder"
                    + " of them).")
    Path authenticate;

    @Option(names = "--ssl-check-hostname", negatable = true,
            description = "TLS: check that the server's certificate names the server (default: check).")
    Boolean checkHostname;

    @Option(names = "--ssl-server-hostname", paramLabel = "NAME",
            description = "TLS: the name the server's certificate must carry, if not the host connected to.")
    String serverHostname;

    /**
     * The TLS settings, or null for a plain connection.
     *
     * @throws IllegalArgumentException naming the file that cannot be used
     */
    AdminTls settings() {
        boolean wanted = ssl || certificate != null || key != null || authenticate != null || checkHostname != null
                || serverHostname != null;
        if (!wanted) {
            return null;
        }
        if (key != null && certificate == null) {
            throw new IllegalArgumentException("--ssl-key needs --ssl-certificate");
        }
        return new AdminTls(TlsContexts.client(certificate, key, authenticate),
                checkHostname == null || checkHostname, serverHostname);
    }
}
