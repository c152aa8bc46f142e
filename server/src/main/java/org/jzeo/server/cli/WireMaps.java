package org.jzeo.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Maps as they come off the wire, whose keys may be msgpack str or bin (a Python 2 era server), as String keys. */
final class WireMaps {
    private WireMaps() {
    }

    /**
     * {@code value} with every key as a String, in the server's order.
     *
     * @throws IOException naming {@code what} when the value is not a map
     */
    static Map<String, Object> stringKeys(Object value, String what) throws IOException {
        Optional<Map<String, Object>> map = ifMap(value);
        if (map.isEmpty()) {
            throw new IOException(what + " answered " + value + ", not a map");
        }
        return map.get();
    }

    /** {@code value} with every key as a String if it is a map; empty otherwise. */
    static Optional<Map<String, Object>> ifMap(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(text(k), v));
        return Optional.of(out);
    }

    /** A str or bin value as text. */
    static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
