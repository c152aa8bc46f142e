package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.client.Credentials;
import org.jzeo.client.SignOn;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestPki;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.AuthConfig;
import org.jzeo.server.config.TlsConfig;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS client certificates mapped to users ({@code certificate} lines of {@code <access>}): how a stock Python client,
 * which cannot sign on with SCRAM, gets rights. Its register is answered as the mapped user's rights say.
 */
class CertificateUserTest {
    private static final char[] KEY_PASSWORD = "changeit".toCharArray();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path pkiDir;
    private static TestPki pki;

    @TempDir
    Path dir;
    private RunningServer server;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.make(pkiDir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(List<AccessRules.CertificateUser> certificates) throws Exception {
        Path users = TestUsers.write(dir.resolve("users"), "test", "alice", "alice-pw");
        AccessRules rules = new AccessRules(Right.READ_WRITE,
                List.of(new AccessRules.Grant("reader", Right.READ_ONLY, Set.of())), certificates);
        AuthConfig auth = TestUsers.config(users, rules);
        TlsConfig tls = new TlsConfig(pki.serverCertPem(), Optional.of(pki.serverKeyPem()), Optional.of(pki.caPem()));
        server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withTls(Optional.of(tls)).withAuthentication(Optional.of(auth)));
    }

    @Test
    void aMappedCertificateGetsItsUsersReadOnlyRightsWithoutSigningOn() throws Exception {
        // The configured DN differs from the certificate's in case and spacing only.
        start(List.of(new AccessRules.CertificateUser("reader", AccessRules.CertificateUser.Match.SUBJECT,
                "cn=JZEO Test Client")));
        try (ZeoTestClient c = ZeoTestClient.connect(tlsSocket(), TIMEOUT)) {
            assertThatThrownBy(() -> c.register("1", false)).isInstanceOf(ReadOnlyException.class);
        }
        try (ZeoTestClient c = ZeoTestClient.connect(tlsSocket(), TIMEOUT)) {
            assertThat(c.register("1", true)).isEqualTo(Tid.ZERO);
            assertThat(c.lastTransaction()).isEqualTo(Tid.ZERO);
            assertThatThrownBy(() -> c.call("tpc_begin", 1, new byte[0], new byte[0], java.util.Map.of(), null, " "))
                    .isInstanceOf(ReadOnlyException.class);
        }
    }

    @Test
    void aPasswordSignOnOverAMappedCertificateTakesThePasswordsUser() throws Exception {
        start(List.of(new AccessRules.CertificateUser("reader", AccessRules.CertificateUser.Match.SUBJECT,
                "CN=jzeo test client")));
        try (ZeoTestClient c = ZeoTestClient.connect(tlsSocket(), TIMEOUT)) {
            SignOn.run(c::call, Credentials.of("alice", "alice-pw"), "tls server");
            assertThat(c.register("1", false)).as("alice may write; the certificate's reader may not")
                    .isEqualTo(Tid.ZERO);
        }
    }

    @Test
    void anUnmappedCertificateMustSignOnWithAPassword() throws Exception {
        start(List.of(new AccessRules.CertificateUser("reader", AccessRules.CertificateUser.Match.SUBJECT,
                "CN=someone else")));
        try (ZeoTestClient c = ZeoTestClient.connect(tlsSocket(), TIMEOUT)) {
            assertThatThrownBy(() -> c.register("1", true)).isInstanceOf(AuthenticationException.class);
        }
        try (ZeoTestClient c = ZeoTestClient.connect(tlsSocket(), TIMEOUT)) {
            SignOn.run(c::call, Credentials.of("alice", "alice-pw"), "tls server");
            assertThat(c.register("1", false)).isEqualTo(Tid.ZERO);
        }
    }

    @Test
    void subjectAlternativeNamesMatchByTypeAndValue() {
        X509Certificate serverCert = (X509Certificate) pki.server().getCertificate();
        AccessRules rules = new AccessRules(Right.NONE, List.of(), List.of(
                new AccessRules.CertificateUser("host", AccessRules.CertificateUser.Match.SAN, "IP:127.0.0.1")));
        assertThat(rules.userOf(serverCert)).contains("host");
        AccessRules other = new AccessRules(Right.NONE, List.of(), List.of(
                new AccessRules.CertificateUser("host", AccessRules.CertificateUser.Match.SAN, "DNS:127.0.0.1")));
        assertThat(other.userOf(serverCert)).isEmpty();
    }

    private SSLSocket tlsSocket() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.caCert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("me", pki.client().getPrivateKey(), KEY_PASSWORD, pki.client().getCertificateChain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, KEY_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        InetSocketAddress address = TestServers.address(server);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.startHandshake();
        return socket;
    }
}
