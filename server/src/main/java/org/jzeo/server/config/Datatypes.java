package org.jzeo.server.config;

import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jzeo.config.ConfigValues;

/**
 * Converts configuration text to values with ZConfig's datatype rules (boolean, integer, byte-size,
 * time-interval, socket-binding-address, path). Each method either returns a value or throws
 * {@link IllegalArgumentException} whose message says what the text should look like; the caller adds file and
 * line. Extensions to ZConfig are marked; each only accepts text ZConfig would refuse, never reinterprets text
 * ZConfig accepts.
 */
final class Datatypes {
    // The generic datatypes live in ConfigValues (shared with the client); this adds the server-only ones.
    private static final long KB = 1024L;

    private Datatypes() {
    }

    static boolean bool(String text) {
        return ConfigValues.bool(text);
    }

    static long integer(String text) {
        return ConfigValues.integer(text);
    }

    static long byteSize(String text) {
        return ConfigValues.byteSize(text);
    }

    static Duration timeInterval(String text) {
        return ConfigValues.timeInterval(text);
    }

    /**
     * ZConfig socket-binding-address. Text containing {@code /} is a Unix socket path. Otherwise: {@code host:port},
     * {@code [ipv6]:port}, a bare {@code port} (host empty: every interface, as ZEO binds {@code ''}), or a bare host
     * (port 0: the system picks one, as ZEO does). An unbracketed IPv6 address is a host without a port. Host names
     * are lower-cased; nothing is resolved here.
     */
    static ListenAddress listenAddress(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an address is required (host:port, [ipv6]:port, port or a Unix"
                    + " socket path containing '/')");
        }
        if (s.indexOf('/') >= 0) {
            return new ListenAddress.Unix(path(s));
        }
        String host;
        String port;
        int colon = s.lastIndexOf(':');
        if (colon >= 0) {
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                host = s;
                port = "";
            }
        } else if (s.chars().allMatch(Character::isDigit)) {
            host = "";
            port = s;
        } else {
            host = s;
            port = "";
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '[' || c == ']')) {
            throw new IllegalArgumentException(quote(text) + " is not a valid address (expected host:port,"
                    + " [ipv6]:port, port or a Unix socket path containing '/')");
        }
        return new ListenAddress.Tcp(host.toLowerCase(Locale.ROOT), port.isEmpty() ? 0 : port(text, port));
    }

    private static int port(String text, String port) {
        try {
            int value = Integer.parseInt(port);
            if (value >= 0 && value <= 0xFFFF) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through to the common message
        }
        throw new IllegalArgumentException(quote(text) + " does not end in a valid port (0-65535): " + quote(port));
    }

    static Path path(String text) {
        return ConfigValues.path(text);
    }

    static String text(String text) {
        return ConfigValues.text(text);
    }

    private static String quote(String text) {
        return "'" + text + "'";
    }
}
