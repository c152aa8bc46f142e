package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the server listens: a TCP host and port, or a Unix domain socket. Nothing is resolved or bound here.
 */
public sealed interface ListenAddress permits ListenAddress.Tcp, ListenAddress.Unix {

    /**
     * A TCP address.
     *
     * @param host a host name or IP literal (IPv6 without brackets), lower case; empty means every interface
     * @param port 0-65535; 0 means the system chooses a free port
     */
    /**
     * Parses an address as {@code zeo.conf} and {@code -a} write it: {@code host:port}, {@code [ipv6]:port},
     * a bare port (every interface), or a Unix socket path.
     *
     * @throws ConfigException when it is none of those
     */
    static ListenAddress parse(String text) {
        return Datatypes.listenAddress(text);
    }

    record Tcp(String host, int port) implements ListenAddress {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException("port " + port);
            }
        }

        /** True when the server should bind every interface (ZEO's {@code address 8100}). */
        public boolean allInterfaces() {
            return host.isEmpty();
        }

        /** {@code host:port}, with IPv6 literals in brackets, as an operator would write it. */
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * A Unix domain socket.
     *
     * @param path the socket file; relative paths are relative to the server's working directory
     */
    record Unix(Path path) implements ListenAddress {
        public Unix {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }
}
