package org.jzeo.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jzeo.server.auth.AccessRules;

/**
 * Authentication, from {@code <zeo>}'s {@code authentication-*} keys and its {@code <access>} section. Present only
 * when {@code authentication-protocol} is set; then every client must sign on.
 *
 * @param database the password database ({@code authentication-database}, written by {@code jzeo passwd})
 * @param realm    {@code authentication-realm}; empty: the database's realm
 * @param timeout  how long a new connection has to sign on ({@code authentication-timeout}, 30s)
 * @param access   who may do what ({@code <access>}); every user read-write without it
 */
public record AuthConfig(Path database, Optional<String> realm, Duration timeout, AccessRules access) {
    public AuthConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(access, "access");
    }
}
