package org.jzeo.client.net;

import java.util.List;

/**
 * What a {@link ServerConnection} tells its owner. Both methods run on the connection's I/O thread, in the order
 * the server's messages arrived (interleaved with the replies' {@link ServerConnection.ReplyHook}s), which is what
 * keeps the client cache coherent (protocol spec §7).
 */
public interface ServerCallbacks {

    /** A server → client call such as {@code invalidateTransaction} or {@code info}. */
    void callback(ServerConnection connection, String name, List<Object> args);

    /** The connection closed, for {@code cause} (null for a close this side asked for). Called once. */
    void closed(ServerConnection connection, Throwable cause);
}
