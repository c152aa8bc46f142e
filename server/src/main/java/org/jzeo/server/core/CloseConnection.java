package org.jzeo.server.core;

/**
 * Thrown by a method that has no reply for the client but to close its connection, as ZEO's server does
 * (a second {@code register}, for one).
 */
final class CloseConnection extends RuntimeException {
    CloseConnection(String reason) {
        super(reason, null, false, false);
    }
}
