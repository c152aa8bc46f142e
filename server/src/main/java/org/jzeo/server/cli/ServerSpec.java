package org.jzeo.server.cli;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * A server and storage named on the admin commands' command lines, parsed as zeopack writes them:
 * {@code host:port[:storage]}, {@code [ipv6]:port[:storage]} or a bare {@code port} (on 127.0.0.1) for TCP, and
 * {@code path[:storage]} for a Unix socket. Immutable; nothing is resolved until {@link #socketAddress()}.
 *
 * @param host     the TCP host, or null for a Unix socket
 * @param port     the TCP port (0 for a Unix socket)
 * @param unixPath the Unix socket, or null for TCP
 * @param storage  the storage name given with the address, or the default passed to the parser (may be null)
 */
record ServerSpec(String host, int port, Path unixPath, String storage) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8100;

    /**
     * The one server a command that takes {@code [HOST:PORT] [-u PATH]} talks to: the Unix socket, the TCP
     * address, or the default server when neither is given.
     *
     * @throws IllegalArgumentException when both are given or one does not parse
     */
    static ServerSpec single(String server, String unixSocket, String storage) {
        if (unixSocket != null) {
            if (server != null) {
                throw new IllegalArgumentException("give either HOST:PORT or -u PATH, not both");
            }
            return unix(unixSocket, storage);
        }
        return server == null ? defaultServer(storage) : tcp(server, storage);
    }

    /** jzeo serve's default address, 127.0.0.1:8100. */
    static ServerSpec defaultServer(String storage) {
        return new ServerSpec(DEFAULT_HOST, DEFAULT_PORT, null, storage);
    }

    /**
     * Parses a TCP server.
     *
     * @throws IllegalArgumentException with what was expected
     */
    static ServerSpec tcp(String text, String defaultStorage) {
        String s = text.strip();
        String host;
        String rest;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw bad(text);
            }
            host = s.substring(1, close);
            rest = s.substring(close + 2);
        } else if (s.indexOf(':') < 0) {
            host = DEFAULT_HOST;
            rest = s;
        } else {
            int colon = s.indexOf(':');
            host = s.substring(0, colon);
            rest = s.substring(colon + 1);
        }
        String storage = defaultStorage;
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            storage = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (storage.isEmpty() || storage.indexOf(':') >= 0) {
                throw bad(text);
            }
        }
        if (host.isEmpty()) {
            throw bad(text);
        }
        return new ServerSpec(host, port(rest, text), null, storage);
    }

    /** Parses a Unix socket server: {@code path[:storage]} (a colon followed by no '/' starts the storage). */
    static ServerSpec unix(String text, String defaultStorage) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        String storage = defaultStorage;
        if (colon > 0 && colon < s.length() - 1 && s.indexOf('/', colon) < 0) {
            storage = s.substring(colon + 1);
            s = s.substring(0, colon);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("a Unix socket path is required");
        }
        return new ServerSpec(null, 0, Path.of(s), storage);
    }

    private static int port(String text, String whole) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 0xFFFF) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(whole);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("'" + text + "' is not a server: expected host:port[:storage],"
                + " [ipv6]:port[:storage] or port");
    }

    /** The same server with another storage name. */
    ServerSpec withStorage(String name) {
        return new ServerSpec(host, port, unixPath, name);
    }

    boolean isUnix() {
        return unixPath != null;
    }

    /** The address to connect to; a TCP host name is resolved now (it may come back unresolved). */
    SocketAddress socketAddress() {
        return isUnix() ? UnixDomainSocketAddress.of(unixPath) : new InetSocketAddress(host, port);
    }

    /** The server as an operator writes it: {@code host:port} or the socket path. */
    String address() {
        if (isUnix()) {
            return unixPath.toString();
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** "storage '1' on 127.0.0.1:8100", for messages. */
    String describe() {
        return (storage == null ? "" : "storage '" + storage + "' on ") + address();
    }
}
