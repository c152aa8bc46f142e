package org.jzeo.it;

import java.util.Objects;

/** A user of the authenticated test server: name, password, and right (none, read-only, read-write, admin). */
public record ServerUser(String name, String password, String right) {
    public ServerUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(right, "right");
    }
}
