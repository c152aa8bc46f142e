package org.jzeo.server.cli;

import javax.net.ssl.SSLContext;

/**
 * How an admin connection speaks TLS: the context (whom to trust, which certificate to present) and which name the
 * server's certificate must carry.
 *
 * @param context        built by {@link org.jzeo.server.net.TlsContexts#client}
 * @param checkHostname  verify that the server's certificate names the server (ZEO's {@code check-hostname})
 * @param serverHostname the name to verify and to send as SNI instead of the host connected to (ZEO's
 *                       {@code server-hostname}); null: the host connected to
 */
record AdminTls(SSLContext context, boolean checkHostname, String serverHostname) {

    /** The name to verify the certificate against and to send in the handshake, for a connection to {@code host}. */
    String peerName(String host) {
        return serverHostname != null ? serverHostname : host;
    }
}
