package org.jzeo.server.storage.pg;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A libpq connection string, as RelStorage's {@code <postgresql> dsn ...} holds it, turned into what the JDBC driver
 * takes. Both of libpq's forms are read: keyword/value ({@code host=db1 port=5432 dbname=zodb user=zodb}, values
 * optionally in single quotes with {@code \'} and {@code \\} escapes) and the URI ({@code
 * postgresql://user:secret@db1:5432/zodb?sslmode=require}). Unset parts take libpq's defaults ({@code localhost},
 * 5432, the user's name as database). Several hosts ({@code host=db1,db2}) give the driver a list to try in order.
 *
 * @param jdbcUrl    {@code jdbc:postgresql://host:port[,host:port]/dbname}
 * @param properties the driver's properties for the rest (user, password, sslmode, ...)
 */
public record PostgresDsn(String jdbcUrl, Properties properties) {

    /** libpq keywords that name the server; everything else becomes a driver property. */
    private static final Map<String, String> DRIVER_NAMES = Map.ofEntries(
            Map.entry("user", "user"),
            Map.entry("password", "password"),
            Map.entry("sslmode", "sslmode"),
            Map.entry("sslcert", "sslcert"),
            Map.entry("sslkey", "sslkey"),
            Map.entry("sslrootcert", "sslrootcert"),
            Map.entry("sslpassword", "sslpassword"),
            Map.entry("application_name", "ApplicationName"),
            Map.entry("connect_timeout", "connectTimeout"),
            Map.entry("options", "options"),
            Map.entry("target_session_attrs", "targetServerType"),
            Map.entry("passfile", "pgpassfile"),
            Map.entry("gssencmode", "gssEncMode"),
            Map.entry("keepalives", "tcpKeepAlive"),
            Map.entry("channel_binding", "channelBinding"));

    /** Parses {@code dsn}; IllegalArgumentException names what is wrong (never a password). */
    public static PostgresDsn parse(String dsn) {
        String text = dsn.strip();
        Map<String, String> values = text.startsWith("postgresql://") || text.startsWith("postgres://")
                ? uri(text) : keywords(text);
        String hosts = values.remove("host");
        String hostaddr = values.remove("hostaddr");
        if (hostaddr != null && !hostaddr.isBlank()) {
            hosts = hostaddr; // libpq connects to hostaddr when both are given
        }
        String ports = values.remove("port");
        String dbname = values.remove("dbname");
        String user = values.get("user");
        if (dbname == null || dbname.isBlank()) {
            dbname = user != null ? user : System.getProperty("user.name");
        }
        String url = "jdbc:postgresql://" + hostList(hosts, ports) + "/" + dbname;
        Properties props = new Properties();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = DRIVER_NAMES.get(e.getKey());
            if (name == null) {
                throw new IllegalArgumentException("the dsn's '" + e.getKey() + "' is not a libpq connection"
                        + " setting jzeo knows (known: host, hostaddr, port, dbname, "
                        + String.join(", ", new java.util.TreeSet<>(DRIVER_NAMES.keySet())) + ")");
            }
            props.setProperty(name, driverValue(e.getKey(), e.getValue()));
        }
        return new PostgresDsn(url, props);
    }

    private static String driverValue(String keyword, String value) {
        return switch (keyword) {
            // libpq's names for the kind of server wanted, in the driver's words.
            case "target_session_attrs" -> switch (value) {
                case "read-write", "primary" -> "primary";
                case "read-only", "standby" -> "secondary";
                case "prefer-standby" -> "preferSecondary";
                default -> "any";
            };
            case "keepalives" -> Boolean.toString(!value.equals("0"));
            default -> value;
        };
    }

    private static String hostList(String hosts, String ports) {
        String[] hostParts = hosts == null || hosts.isBlank() ? new String[] {"localhost"} : hosts.split(",");
        String[] portParts = ports == null || ports.isBlank() ? new String[] {"5432"} : ports.split(",");
        if (portParts.length != 1 && portParts.length != hostParts.length) {
            throw new IllegalArgumentException("the dsn gives " + hostParts.length + " hosts but " + portParts.length
                    + " ports: give one port, or one per host");
        }
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < hostParts.length; i++) {
            String host = hostParts[i].strip();
            if (host.startsWith("/")) {
                throw new IllegalArgumentException("the dsn's host " + host + " is a Unix socket folder; the JDBC"
                        + " driver connects over TCP: give a host name or address");
            }
            String port = portParts.length == 1 ? portParts[0] : portParts[i];
            try {
                Integer.parseInt(port.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the dsn's port '" + port + "' is not a number");
            }
            if (i > 0) {
                list.append(',');
            }
            list.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                    .append(':').append(port.strip());
        }
        return list.toString();
    }

    /** libpq's keyword/value form. */
    private static Map<String, String> keywords(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i).toLowerCase(Locale.ROOT);
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == n || text.charAt(i) != '=') {
                throw new IllegalArgumentException("the dsn's '" + key + "' has no value (write " + key
                        + "=value)");
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("the dsn's '" + key + "' has an unterminated quoted value");
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else {
                        value.append(c);
                    }
                }
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException("the dsn has a value without a keyword");
            }
            values.put(key, value.toString());
        }
        return values;
    }

    /** libpq's URI form: {@code postgresql://[user[:password]@][host][:port][,...][/dbname][?keyword=value&...]}. */
    private static Map<String, String> uri(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        String rest = text.substring(text.indexOf("://") + 3);
        int query = rest.indexOf('?');
        if (query >= 0) {
            for (String pair : rest.substring(query + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("the dsn's query part '" + pair + "' has no value");
                }
                values.put(decode(pair.substring(0, eq)).toLowerCase(Locale.ROOT), decode(pair.substring(eq + 1)));
            }
            rest = rest.substring(0, query);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = decode(rest.substring(slash + 1));
            if (!db.isEmpty()) {
                values.put("dbname", db);
            }
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            values.put("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) {
                values.put("password", decode(userInfo.substring(colon + 1)));
            }
            rest = rest.substring(at + 1);
        }
        if (!rest.isEmpty()) {
            StringBuilder hosts = new StringBuilder();
            StringBuilder ports = new StringBuilder();
            for (String hostPort : rest.split(",")) {
                String host = hostPort;
                String port = "5432";
                int close = hostPort.lastIndexOf(']');
                int colon = hostPort.lastIndexOf(':');
                if (colon > close) {
                    host = hostPort.substring(0, colon);
                    port = hostPort.substring(colon + 1);
                }
                host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
                hosts.append(hosts.length() > 0 ? "," : "").append(decode(host));
                ports.append(ports.length() > 0 ? "," : "").append(port);
            }
            values.putIfAbsent("host", hosts.toString());
            values.putIfAbsent("port", ports.toString());
        }
        return values;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    @Override
    public String toString() {
        return jdbcUrl; // never the password
    }
}
