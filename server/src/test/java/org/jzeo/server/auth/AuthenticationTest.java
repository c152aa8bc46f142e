package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jzeo.api.AccessDeniedException;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.auth.AuthWire;
import org.jzeo.auth.ScramClient;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.client.Credentials;
import org.jzeo.client.SignOn;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.AuthConfig;
import org.jzeo.storage.record.JzeoRecord;
import org.jzeo.server.testclient.ConnectionClosed;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with {@code authentication-protocol scram-sha-256}: who may connect, what each right allows, and how
 * failed sign-ons are answered. Real server, real sockets, the password database as a file.
 */
class AuthenticationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private RunningServer server;
    private Path users;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(AccessRules rules, Duration signOnTimeout) throws Exception {
        users = TestUsers.write(dir.resolve("users"), "test", "alice", "alice-pw", "reader", "reader-pw", "admin",
                "admin-pw");
        AuthConfig auth = TestUsers.config(users, rules, signOnTimeout);
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withAuthentication(Optional.of(auth)));
    }

    private void start() throws Exception {
        start(new AccessRules(Right.READ_WRITE, List.of(
                new AccessRules.Grant("reader", Right.READ_ONLY, Set.of()),
                new AccessRules.Grant("admin", Right.ADMIN, Set.of())), List.of()), Duration.ofSeconds(30));
    }

    private ZeoTestClient connect() throws Exception {
        return ZeoTestClient.connect(TestServers.address(server), TIMEOUT);
    }

    private ZeoTestClient signedOn(String user, String password) throws Exception {
        ZeoTestClient c = connect();
        SignOn.run(c::call, Credentials.of(user, password), "test server");
        return c;
    }

    private static byte[] record(String text) {
        return JzeoRecord.encode(List.of(), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aClientThatDoesNotSignOnIsToldAndDisconnected() throws Exception {
        start();
        try (ZeoTestClient c = connect()) {
            assertThat(c.call(AuthWire.GET_PROTOCOL)).isEqualTo(AuthWire.PROTOCOL);
            assertThatThrownBy(() -> c.register("1", true)).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("authentication required");
            assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        }
    }

    @Test
    void aSignedOnUserRegistersCommitsAndLoads() throws Exception {
        start();
        try (ZeoTestClient c = signedOn("alice", "alice-pw")) {
            assertThat(c.register("1", false)).isEqualTo(Tid.ZERO);
            Oid oid = c.newOids().get(0);
            Tid tid = c.commit(1, Map.of(oid, record("alice's")), Map.of());
            assertThat(c.loadBefore(oid, Tid.MAX).start()).isEqualTo(tid);
            assertThat(c.getInfo().get("jzeo_extensions")).asList().contains(AuthWire.EXTENSION);
            assertThat(c.anomalies()).isEmpty();
        }
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSameAnswerAndTheConnectionCloses() throws Exception {
        start();
        String wrong;
        try (ZeoTestClient c = connect()) {
            wrong = failedSignOn(c, "alice", "guess");
            assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        }
        String unknown;
        try (ZeoTestClient c = connect()) {
            unknown = failedSignOn(c, "mallory", "guess");
            assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        }
        assertThat(wrong).isEqualTo(unknown).contains(AuthWire.FAILED);
    }

    /** Signs on with the wrong credentials by hand; the error the server sends, whose text must not tell why. */
    private static String failedSignOn(ZeoTestClient c, String user, String password) {
        ScramClient scram = new ScramClient(user, password.toCharArray());
        List<?> started = (List<?>) c.call(AuthWire.START, scram.clientFirst());
        String serverFirst = (String) started.get(0);
        assertThat(serverFirst).matches("r=[^,]+,s=[A-Za-z0-9+/=]{24},i=4096");
        assertThat(started.get(1)).isEqualTo("test");
        try {
            c.call(AuthWire.FINISH, scram.clientFinal(serverFirst));
        } catch (AuthenticationException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
        throw new AssertionError("signing on as " + user + " with a wrong password succeeded");
    }

    @Test
    void anUnknownUsersSaltIsTheSameEveryTimeLikeARealUsers() throws Exception {
        start();
        assertThat(salt("mallory")).isEqualTo(salt("mallory")).isNotEqualTo(salt("eve"));
        assertThat(salt("alice")).isEqualTo(salt("alice"));
    }

    private String salt(String user) throws Exception {
        try (ZeoTestClient c = connect()) {
            List<?> started = (List<?>) c.call(AuthWire.START, new ScramClient(user, new char[0]).clientFirst());
            String serverFirst = (String) started.get(0);
            return serverFirst.substring(serverFirst.indexOf(",s="), serverFirst.indexOf(",i="));
        }
    }

    @Test
    void aReplayedExchangeIsRefused() throws Exception {
        start();
        ScramClient scram = new ScramClient("alice", "alice-pw".toCharArray());
        String clientFirst = scram.clientFirst();
        String clientFinal;
        try (ZeoTestClient c = connect()) {
            String serverFirst = (String) ((List<?>) c.call(AuthWire.START, clientFirst)).get(0);
            clientFinal = scram.clientFinal(serverFirst);
            scram.verifyServerFinal((String) c.call(AuthWire.FINISH, clientFinal));
        }
        // An eavesdropper sends the same two messages on a new connection: the server's nonce is new, so the proof
        // recorded for the old one does not fit.
        try (ZeoTestClient c = connect()) {
            c.call(AuthWire.START, clientFirst);
            assertThatThrownBy(() -> c.call(AuthWire.FINISH, clientFinal)).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining(AuthWire.FAILED);
            assertThatThrownBy(() -> c.register("1", true)).isInstanceOf(ConnectionClosed.class);
        }
    }

    @Test
    void aReadOnlyUserReadsButCannotStoreOrPack() throws Exception {
        start();
        Oid oid;
        try (ZeoTestClient writer = signedOn("alice", "alice-pw")) {
            writer.register("1", false);
            oid = writer.newOids().get(0);
            writer.commit(1, Map.of(oid, record("v1")), Map.of());
        }
        try (ZeoTestClient c = signedOn("reader", "reader-pw")) {
            // Answered as a read-only storage answers (ReadOnlyError without arguments, as Python's).
            assertThatThrownBy(() -> c.register("1", false)).isInstanceOf(ReadOnlyException.class);
        }
        try (ZeoTestClient c = signedOn("reader", "reader-pw")) {
            c.register("1", true);
            assertThat(c.loadBefore(oid, Tid.MAX).data()).isEqualTo(record("v1"));
            assertThatThrownBy(() -> c.call("new_oids", 1)).isInstanceOf(ReadOnlyException.class);
            assertThatThrownBy(() -> c.call("pack", 1.0e10)).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("user 'reader' may not pack storage '1'");
            assertThatThrownBy(() -> c.call("server_status")).isInstanceOf(AccessDeniedException.class);
        }
    }

    @Test
    void onlyAnAdminPacksAndReadsTheStatus() throws Exception {
        start();
        try (ZeoTestClient c = signedOn("alice", "alice-pw")) {
            c.register("1", false);
            assertThatThrownBy(() -> c.call("pack", 1.0e10)).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("needs admin, has read-write");
        }
        try (ZeoTestClient c = signedOn("admin", "admin-pw")) {
            assertThat(c.call("jzeo_status")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsKey("1");
            c.register("1", false);
            assertThat(c.call("pack", 1.0e10)).isNull();
            assertThat(c.call("server_status")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsKey("commits");
        }
    }

    @Test
    void rightsAreGivenPerStorage() throws Exception {
        start(new AccessRules(Right.NONE, List.of(new AccessRules.Grant("alice", Right.READ_WRITE, Set.of("2"))),
                List.of()), Duration.ofSeconds(30));
        try (ZeoTestClient c = signedOn("alice", "alice-pw")) {
            assertThatThrownBy(() -> c.register("1", true)).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("no rights on storage '1'");
        }
        try (ZeoTestClient c = signedOn("reader", "reader-pw")) {
            assertThatThrownBy(() -> c.register("1", true)).isInstanceOf(AccessDeniedException.class);
        }
    }

    @Test
    void aConnectionThatDoesNotFinishSigningOnIsClosedAfterTheTimeout() throws Exception {
        start(AccessRules.DEFAULT, Duration.ofMillis(500));
        try (ZeoTestClient c = connect()) {
            c.call(AuthWire.START, new ScramClient("alice", "alice-pw".toCharArray()).clientFirst());
            assertThat(c.awaitClosed(TIMEOUT)).as("closed by the sign-on timeout").isTrue();
        }
        try (ZeoTestClient c = signedOn("alice", "alice-pw")) {
            c.register("1", true);
            assertThat(c.awaitClosed(Duration.ofMillis(1500))).as("a signed-on connection stays").isFalse();
        }
    }

    @Test
    void theRuokProbeIsRefusedWhenClientsMustSignOn() throws Exception {
        start();
        assertThatThrownBy(() -> org.jzeo.server.cli.AdminConnection.probe(TestServers.address(server), "test",
                TIMEOUT)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aChangedPasswordFileIsUsedWithoutARestart() throws Exception {
        start();
        String text = Files.readString(users);
        Files.writeString(users, text + "carol:" + ScramVerifier.of("carol-pw".toCharArray()).format() + "\n");
        try (ZeoTestClient c = signedOn("carol", "carol-pw")) {
            assertThat(c.register("1", true)).isEqualTo(Tid.ZERO);
        }
        Files.writeString(users, text.replaceAll("(?m)^alice:.*\n", ""));
        try (ZeoTestClient c = connect()) {
            assertThat(failedSignOn(c, "alice", "alice-pw")).contains(AuthWire.FAILED);
        }
    }
}
