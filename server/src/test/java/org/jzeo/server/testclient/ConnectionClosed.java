package org.jzeo.server.testclient;

import org.jzeo.api.DisconnectedException;

/**
 * The connection to the server is closed, so a call cannot complete (ZEO's {@code ClientDisconnected}). Every call
 * pending when the connection ends fails with it, and so does every call or send made afterwards; the message
 * says why the connection ended (closed by the server, by the client, or after a protocol violation).
 */
public final class ConnectionClosed extends DisconnectedException {
    public ConnectionClosed(String message) {
        super(message);
    }

    public ConnectionClosed(String message, Throwable cause) {
        super(message, cause);
    }
}
