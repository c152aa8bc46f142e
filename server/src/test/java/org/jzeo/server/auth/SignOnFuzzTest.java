package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.auth.AuthWire;
import org.jzeo.auth.ScramClient;
import org.jzeo.client.Credentials;
import org.jzeo.client.SignOn;
import org.jzeo.protocol.ServerException;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.AuthConfig;
import org.jzeo.server.testclient.ConnectionClosed;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile sign-on messages: valid SCRAM messages mutated at random (seeded, so a failure repeats), wrong types and
 * sizes. Each must end in "authentication failed" or a closed connection — never a successful sign-on, never an
 * internal error — and a signed-on client beside them must keep committing.
 */
class SignOnFuzzTest {
    private static final long SEED = 20261206L;
    private static final int CASES = 400;

    @TempDir
    Path dir;
    private RunningServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void mutatedSignOnMessagesNeverSignOnAndNeverHurtTheServer() throws Exception {
        Path users = TestUsers.write(dir.resolve("users"), "fuzz", "alice", "pw");
        AuthConfig config = TestUsers.config(users, AccessRules.DEFAULT);
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withAuthentication(Optional.of(config)));
        // The same rules with a throttle of 1 ms: hundreds of failures from one address would otherwise take hours.
        server.storages().setAuthenticator(new Authenticator(new PasswordFileVerifiers(users), AccessRules.DEFAULT,
                Optional.empty(), Duration.ofSeconds(30), new FailureThrottle(Duration.ofMillis(1),
                Duration.ofMillis(1), Duration.ofMinutes(1), System::nanoTime)));
        Random random = new Random(SEED);
        List<String> outcomes = new ArrayList<>();
        try (ZeoTestClient bystander = ZeoTestClient.connect(TestServers.address(server))) {
            SignOn.run(bystander::call, Credentials.of("alice", "pw"), "fuzz");
            bystander.register("1", false);
            for (int i = 0; i < CASES; i++) {
                outcomes.add(oneCase(random, i));
                if (i % 50 == 0) {
                    Oid oid = bystander.newOids().get(0);
                    bystander.commit(i + 1, Map.of(oid, JzeoRecord.encode(List.of(), new byte[] {1})), Map.of());
                }
            }
            assertThat(bystander.anomalies()).isEmpty();
        }
        assertThat(outcomes).as("every mutated exchange was refused or closed").allMatch(o -> !o.equals("signed on"));
        assertThat(outcomes).contains("refused at start", "refused at finish");
    }

    /** One mutated exchange on a new connection; how it ended. */
    private String oneCase(Random random, int i) throws Exception {
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            ScramClient scram = new ScramClient(i % 3 == 0 ? "mallory" : "alice", "pw".toCharArray());
            String first = scram.clientFirst();
            Object firstArg = random.nextInt(10) == 0 ? wrongType(random) : mutate(first, random);
            Object started;
            try {
                started = c.call(AuthWire.START, firstArg);
            } catch (StorageException e) {
                return outcome(e, "start", c);
            }
            String serverFirst = (String) ((List<?>) started).get(0);
            String clientFinal;
            try {
                clientFinal = scram.clientFinal(serverFirst);
            } catch (RuntimeException e) {
                return "client refused the server's first message";
            }
            // Mutate until it differs: the unmutated final of "alice" would rightly sign on.
            String mutated = clientFinal;
            while (mutated.equals(clientFinal) && first.equals(firstArg)) {
                mutated = mutate(clientFinal, random);
            }
            try {
                c.call(AuthWire.FINISH, random.nextInt(10) == 0 ? wrongType(random) : mutated);
            } catch (StorageException e) {
                return outcome(e, "finish", c);
            }
            return "signed on";
        }
    }

    private static String outcome(StorageException e, String step, ZeoTestClient c) {
        if (e instanceof ConnectionClosed) {
            return "closed at " + step;
        }
        if (e instanceof ServerException relayed && relayed.className().equals("builtins.Exception")) {
            throw new AssertionError("an internal error answered a hostile " + step + ": " + relayed.excArgs(), e);
        }
        if (e instanceof AuthenticationException) {
            assertThat(e.getMessage()).isEqualTo(AuthWire.FAILED);
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).as("closed after a failed sign-on").isTrue();
            return "refused at " + step;
        }
        return e.getClass().getSimpleName() + " at " + step;   // a wrong argument count: ValueError, as any call
    }

    private static Object wrongType(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> null;
            case 1 -> 42L;
            case 2 -> List.of("n,,n=alice,r=x");
            case 3 -> Map.of("n", "alice");
            default -> new byte[] {(byte) 0xff, (byte) 0xfe, 0, ','};
        };
    }

    private static String mutate(String message, Random random) {
        StringBuilder s = new StringBuilder(message);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.length() == 0 ? 0 : random.nextInt(s.length());
            switch (random.nextInt(8)) {
                case 0 -> s.insert(at, ",");
                case 1 -> s.insert(at, "=");
                case 2 -> {
                    if (s.length() > 0) {
                        s.deleteCharAt(at);
                    }
                }
                case 3 -> s.setLength(at);
                case 4 -> s.insert(at, new String(Character.toChars(random.nextInt(0x10000) | 0x80)));
                case 5 -> s.append("x".repeat(random.nextInt(5000)));
                case 6 -> s.insert(at, "m=mandatory,");
                default -> {
                    if (s.length() > 0) {
                        s.setCharAt(at, (char) (' ' + random.nextInt(95)));
                    }
                }
            }
        }
        return new String(s.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
