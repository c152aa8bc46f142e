package org.jzeo.server.core;

import java.util.List;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireError;

/**
 * The connection as the session logic sees it: a place to queue outgoing messages, in the order the calls are
 * made, from any thread. The network layer implements it; the session never sees a channel or a buffer.
 */
public interface Peer {

    void reply(MessageId msgid, Object result);

    void error(MessageId msgid, WireError error);

    /** An async call to the client ({@code [0, true, name, args]}). */
    void callback(String name, List<Object> args);

    /**
     * As {@link #callback(String, List)}, then runs {@code written} once the message has left for the socket (or the
     * connection failed): what a sender that must not queue without bound (a blob) paces itself by.
     */
    default void callback(String name, List<Object> args, Runnable written) {
        callback(name, args);
        written.run();
    }

    /** Queues a message already encoded by {@link org.jzeo.protocol.MessageCodec} (one encoding, many peers). */
    void sendEncoded(byte[] message);

    /** Closes the connection; what is already queued is still sent. */
    void close(String reason);

    /** For log lines: the remote address. */
    String describe();

    /** The remote host without the port, which failed sign-ons are counted by. */
    default String remoteHost() {
        return describe();
    }
}
