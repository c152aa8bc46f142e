package org.jzeo.server.cli;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLException;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.protocol.ServerException;

/** One-line explanations of why an admin command failed, for operators (no stack traces). */
final class Failures {
    private Failures() {
    }

    static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "cannot connect (" + message(e) + "); is the server running there?";
        }
        if (e instanceof AdminConnection.NoAnnouncementException) {
            return message(e) + "; a server with TLS (<ssl> in its zeo.conf) waits for the client's TLS handshake:"
                    + " connect with --ssl-authenticate CA (and --ssl-certificate, --ssl-key if it requires client"
                    + " certificates)";
        }
        if (e instanceof SSLException) {
            return tls(message(e));
        }
        if (e instanceof SocketTimeoutException) {
            return message(e);
        }
        if (e instanceof ReadOnlyException) {
            // Also a user with the read-only right: ZEO's ReadOnlyError carries no message on the wire.
            return "the server or storage is read-only";
        }
        if (e instanceof AuthenticationException && message(e).startsWith("authentication required")) {
            return message(e) + "; sign on with --username (password from --password or "
                    + CredentialOptions.PASSWORD_VARIABLE + ")";
        }
        if (e instanceof ServerException s && s.firstArgument() != null) {
            return "the server refused: " + s.firstArgument();
        }
        return message(e);
    }

    /** A TLS failure in an operator's words, with the option that addresses it. */
    private static String tls(String m) {
        if (m.contains("PKIX path") || m.contains("unable to find valid certification path")) {
            return "TLS: the server's certificate is not trusted; give the CA that issued it with --ssl-authenticate";
        }
        if (m.contains("No subject alternative") || m.contains("No name matching")) {
            return "TLS: the server's certificate does not name the host connected to (" + m + "); give the name it"
                    + " carries with --ssl-server-hostname, or skip the check with --no-ssl-check-hostname";
        }
        if (m.contains("certificate_required") || m.contains("bad_certificate")
                || m.contains("unknown_ca") || m.contains("Received fatal alert")) {
            return "TLS: the server refused the connection (" + m + "); a server that authenticates clients needs"
                    + " --ssl-certificate and --ssl-key with a certificate from a CA it trusts";
        }
        if (m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")) {
            return "TLS: the server did not answer in TLS; is <ssl> configured on it? (without it, leave out the"
                    + " --ssl options)";
        }
        return "TLS: " + m;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
