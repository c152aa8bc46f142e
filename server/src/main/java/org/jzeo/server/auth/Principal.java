package org.jzeo.server.auth;

/**
 * Who a connection acts for, once known: a user signed on with a password, or the user a client certificate maps to.
 * {@link #ANYONE} is every connection of a server without authentication.
 */
public record Principal(String user, How how) {
    public enum How { PASSWORD, CERTIFICATE, NONE }

    /** A server without authentication: no user, every right. */
    public static final Principal ANYONE = new Principal(null, How.NONE);

    public boolean isAnyone() {
        return how == How.NONE;
    }

    /** For log lines: "user 'alice'" or "user 'reader' (certificate)". */
    public String describe() {
        return switch (how) {
            case NONE -> "anyone";
            case PASSWORD -> "user '" + user + "'";
            case CERTIFICATE -> "user '" + user + "' (certificate)";
        };
    }
}
