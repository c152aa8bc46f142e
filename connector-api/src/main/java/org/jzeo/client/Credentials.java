package org.jzeo.client;

import java.util.Objects;

/**
 * Who a client signs on as, with ZEO's option names {@code username}, {@code password} and {@code realm}. The realm,
 * when given, must be the server's {@code authentication-realm}: a client refuses a server of another realm.
 */
public record Credentials(String username, String password, String realm) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
    }

    public static Credentials of(String username, String password) {
        return new Credentials(username, password, null);
    }

    /** Never the password: options are logged. */
    @Override
    public String toString() {
        return "Credentials[" + username + (realm == null ? "" : "@" + realm) + "]";
    }
}
