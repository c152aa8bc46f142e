package org.jzeo.server.auth;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jzeo.auth.ScramServerExchange;

/**
 * A server's authentication: the users' verifiers, the access rules, the throttle on failures and the time a new
 * connection has to sign on. Shared by every connection; thread-safe.
 */
public final class Authenticator {
    /** How long a connection may take to sign on when {@code authentication-timeout} is not set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final VerifierSource users;
    private final AccessRules rules;
    private final Optional<String> configuredRealm;
    private final Duration timeout;
    private final FailureThrottle throttle;

    public Authenticator(VerifierSource users, AccessRules rules, Optional<String> configuredRealm, Duration timeout,
                         FailureThrottle throttle) {
        this.users = Objects.requireNonNull(users, "users");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.configuredRealm = Objects.requireNonNull(configuredRealm, "configuredRealm");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
    }

    /** The realm clients are told: {@code authentication-realm}, or else the password database's. */
    public String realm() {
        return configuredRealm.orElseGet(users::realm);
    }

    /** A new server side of one SCRAM exchange, against the database as it is now. */
    public ScramServerExchange newExchange() {
        return new ScramServerExchange(users::verifier, users::decoy);
    }

    /** The user a client certificate stands for, if a {@code certificate} rule names it. */
    public Optional<Principal> certificateUser(X509Certificate certificate) {
        return rules.userOf(certificate).map(user -> new Principal(user, Principal.How.CERTIFICATE));
    }

    /** What {@code principal} may do with {@code storage}; a server without authentication gives all. */
    public Right rightOf(Principal principal, String storage) {
        return principal.isAnyone() ? Right.ADMIN : rules.rightOf(principal.user(), storage);
    }

    /** Records a failed sign-on; how long its answer is held back. */
    public Duration failed(String address, String user) {
        return throttle.failed(address, user);
    }

    public void succeeded(String user) {
        throttle.succeeded(user);
    }

    public Duration timeout() {
        return timeout;
    }

    /** Rereads the password database (SIGHUP). */
    public void reload() {
        users.reload();
    }
}
