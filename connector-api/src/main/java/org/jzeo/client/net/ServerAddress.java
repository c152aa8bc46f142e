package org.jzeo.client.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.netty.channel.unix.DomainSocketAddress;

/**
 * Where a ZEO server listens: {@code host:port} (IPv6 as {@code [::1]:8100}) or the path of a Unix-domain socket
 * (anything containing a '/'), as in ZEO's {@code server} option.
 */
public sealed interface ServerAddress permits ServerAddress.Tcp, ServerAddress.Unix {

    /** The socket addresses to try, in order: every IP a host name resolves to, or the one Unix path. */
    List<SocketAddress> resolve() throws UnknownHostException;

    /** A TCP address; {@code host} is a name or a literal. */
    record Tcp(String host, int port) implements ServerAddress {
        public Tcp {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
        }

        @Override
        public List<SocketAddress> resolve() throws UnknownHostException {
            List<SocketAddress> all = new ArrayList<>();
            for (InetAddress ip : InetAddress.getAllByName(host)) {
                all.add(new InetSocketAddress(ip, port));
            }
            return all;
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** A Unix-domain socket (Linux). */
    record Unix(Path path) implements ServerAddress {
        @Override
        public List<SocketAddress> resolve() {
            return List.of(new DomainSocketAddress(path.toFile()));
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * Parses one address: {@code host:port}, {@code [v6]:port}, or a path (contains '/').
     *
     * @throws IllegalArgumentException with the reason
     */
    static ServerAddress parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty server address");
        }
        if (s.contains("/")) {
            return new Unix(Path.of(s));
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("server address '" + text + "' is neither host:port nor a socket path");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new Tcp(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("server address '" + text + "': port is not a number");
        }
    }

    /** Parses a list separated by spaces or commas (ZEO allows several {@code server} lines). */
    static List<ServerAddress> parseList(String text) {
        List<ServerAddress> all = new ArrayList<>();
        for (String part : text.trim().split("[\\s,]+")) {
            if (!part.isEmpty()) {
                all.add(parse(part));
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no server address given");
        }
        return List.copyOf(all);
    }
}
