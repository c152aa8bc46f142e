package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.Credentials;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.AuthConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client's {@code username}, {@code password} and {@code realm} against a real server. */
class ClientSignOnTest {
    @TempDir
    Path dir;
    private RunningServer server;
    private String address;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(boolean authentication) throws Exception {
        start(authentication, null);
    }

    /** On a Unix socket when {@code socket} is not null. */
    private void start(boolean authentication, Path socket) throws Exception {
        Path users = TestUsers.write(dir.resolve("users"), "shop", "alice", "s3cret, really", "reader", "r");
        AccessRules rules = new AccessRules(Right.READ_WRITE,
                List.of(new AccessRules.Grant("reader", Right.READ_ONLY, Set.of())), List.of());
        Optional<AuthConfig> auth = authentication
                ? Optional.of(TestUsers.config(users, rules)) : Optional.empty();
        server = TestServers.start(dir.resolve("Data.fs"), z -> (socket == null ? z
                : z.withAddress(new org.jzeo.server.config.ListenAddress.Unix(socket))).withAuthentication(auth));
        address = socket == null ? "127.0.0.1:" + TestServers.address(server).getPort() : socket.toString();
    }

    private ClientOptions options(Credentials credentials) {
        return ClientOptions.of(address).withCredentials(credentials).withWait(true, Duration.ofSeconds(3));
    }

    @Test
    void aClientWithTheRightPasswordCommitsAndReads() throws Exception {
        start(true);
        try (ClientConnectionFactory factory = new ClientConnectionFactory(
                options(new Credentials("alice", "s3cret, really", "shop")));
             StorageConnection c = factory.getConnection()) {
            c.begin();
            Oid oid = c.newOid();
            c.write(oid, "signed".getBytes(StandardCharsets.UTF_8), List.of());
            c.commit();
            c.begin();
            assertThat(new String(c.read(oid).payload(), StandardCharsets.UTF_8)).isEqualTo("signed");
            c.abort();
        }
    }

    @Test
    void signingOnWorksOverAUnixSocket() throws Exception {
        start(true, dir.resolve("zeo.sock"));
        try (ClientConnectionFactory factory = new ClientConnectionFactory(
                options(Credentials.of("alice", "s3cret, really")));
             StorageConnection c = factory.getConnection()) {
            c.begin();
            c.write(c.newOid(), "over a Unix socket".getBytes(StandardCharsets.UTF_8), List.of());
            c.commit();
        }
    }

    @Test
    void aWrongPasswordSaysAuthenticationFailed() throws Exception {
        start(true);
        // At once, not after wait-timeout: the same credentials would be refused again.
        long start = System.nanoTime();
        assertThatThrownBy(() -> new ClientConnectionFactory(options(Credentials.of("alice", "guess"))
                .withWait(true, Duration.ofSeconds(60))).close())
                .isInstanceOf(org.jzeo.api.AuthenticationException.class).hasMessageContaining("authentication failed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("gave up before wait-timeout")
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aServerOfAnotherRealmOrWithoutAuthenticationIsNotUsed() throws Exception {
        start(true);
        assertThatThrownBy(() -> new ClientConnectionFactory(
                options(new Credentials("alice", "s3cret, really", "bank"))).close())
                .hasMessageContaining("realm 'shop', not 'bank'");
        server.close();
        start(false);
        assertThatThrownBy(() -> new ClientConnectionFactory(options(Credentials.of("alice", "s3cret, really")))
                .close()).hasMessageContaining("does not ask clients to sign on");
    }

    @Test
    void aReadOnlyUserConnectsWithReadOnlyFallback() throws Exception {
        start(true);
        try (ClientConnectionFactory factory = new ClientConnectionFactory(
                options(Credentials.of("reader", "r")).withReadOnlyFallback(true));
             StorageConnection c = factory.getConnection()) {
            c.begin();
            assertThat(c.lastTransaction()).isNotNull();
            c.abort();
        }
    }
}
