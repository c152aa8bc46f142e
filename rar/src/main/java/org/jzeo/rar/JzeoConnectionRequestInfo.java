package org.jzeo.rar;

import jakarta.resource.spi.ConnectionRequestInfo;
import java.util.Objects;

/**
 * The user and password an application passes to {@link JzeoConnectionFactory#getConnection(String, String)}
 * (component-managed sign-on). A record: the container compares request infos with equals and hashCode when it
 * matches pooled connections.
 */
record JzeoConnectionRequestInfo(String userName, String password) implements ConnectionRequestInfo {
    JzeoConnectionRequestInfo {
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(password, "password");
    }

    /** Never the password: request infos end up in container logs. */
    @Override
    public String toString() {
        return "JzeoConnectionRequestInfo[" + userName + "]";
    }
}
