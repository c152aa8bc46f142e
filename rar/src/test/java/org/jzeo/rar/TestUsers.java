package org.jzeo.rar;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.server.RunningServer;
import org.jzeo.server.auth.AccessRules;
import org.jzeo.server.auth.Authenticator;
import org.jzeo.server.auth.FailureThrottle;
import org.jzeo.server.auth.Right;
import org.jzeo.server.auth.VerifierSource;

/**
 * Users of an in-process test server, installed straight into its {@link Authenticator}: the adapter's tests are
 * about the adapter signing on through the server's real SCRAM exchange, not about the password file. Failed
 * sign-ons are held back only a millisecond, so that tests of wrong passwords stay fast.
 */
final class TestUsers implements VerifierSource {
    static final String REALM = "test";

    private final Map<String, ScramVerifier> verifiers = new HashMap<>();
    private final Map<String, ScramVerifier> decoys = new ConcurrentHashMap<>();

    private TestUsers(Map<String, String> passwords) {
        passwords.forEach((user, password) -> verifiers.put(user, ScramVerifier.of(password.toCharArray())));
    }

    /**
     * Makes {@code server} require sign-on with these users and passwords; each user has the right {@code rights}
     * gives (read-write when not named), anyone else none.
     */
    static void install(RunningServer server, Map<String, String> passwords, Map<String, Right> rights) {
        List<AccessRules.Grant> grants = passwords.keySet().stream().map(user -> new AccessRules.Grant(user,
                rights.getOrDefault(user, Right.READ_WRITE), java.util.Set.of())).toList();
        server.storages().setAuthenticator(new Authenticator(new TestUsers(passwords),
                new AccessRules(Right.NONE, grants, List.of()), Optional.empty(), Duration.ofSeconds(30),
                new FailureThrottle(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMinutes(1),
                        System::nanoTime)));
    }

    @Override
    public ScramVerifier verifier(String user) {
        return verifiers.get(user);
    }

    @Override
    public ScramVerifier decoy(String user) {
        return decoys.computeIfAbsent(user, u -> ScramVerifier.of(("decoy of " + u).toCharArray()));
    }

    @Override
    public String realm() {
        return REALM;
    }

    @Override
    public void reload() {
        // nothing to reread
    }
}
