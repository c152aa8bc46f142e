package org.jzeo.server.testclient;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;

/**
 * Converts decoded reply values ({@link org.jzeo.protocol.MessageCodec}'s types) to jzeo types. A value of the wrong
 * wire type is the server breaking the protocol, so it fails the test: an {@link AssertionError} naming what was
 * expected, what came, and which reply it was. Stateless.
 */
public final class ReplyValues {
    private ReplyValues() {
    }

    static Tid tid(Object value, String what) {
        return Tid.fromBytes(bin8(value, what + " (tid)"));
    }

    static Oid oid(Object value, String what) {
        return Oid.fromBytes(bin8(value, what + " (oid)"));
    }

    static byte[] bytes(Object value, String what) {
        if (!(value instanceof byte[])) {
            throw wrongType(what, "bin", value);
        }
        return (byte[]) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value, String what) {
        if (!(value instanceof List)) {
            throw wrongType(what, "array", value);
        }
        return (List<Object>) value;
    }

    /** A map whose keys must all be str, copied in wire order (unmodifiable). */
    static Map<String, Object> stringKeyedMap(Object value, String what) {
        if (!(value instanceof Map)) {
            throw wrongType(what, "map", value);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
            if (!(entry.getKey() instanceof String)) {
                throw wrongType(what + " key", "str", entry.getKey());
            }
            copy.put((String) entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(copy);
    }

    static List<Oid> oids(Object value, String what) {
        List<Oid> oids = new ArrayList<>();
        for (Object each : list(value, what)) {
            oids.add(oid(each, what + " element"));
        }
        return oids;
    }

    /** A loadBefore result: nil → null, else {@code [data, start_tid, end_tid or nil]}. */
    static LoadResult loadResult(Object value, String what) {
        if (value == null) {
            return null;
        }
        List<Object> triple = list(value, what);
        if (triple.size() != 3) {
            throw new AssertionError(what + ": expected [data, start_tid, end_tid], got " + triple.size()
                    + " elements");
        }
        Tid end = triple.get(2) == null ? null : tid(triple.get(2), what + " end");
        return new LoadResult(bytes(triple.get(0), what + " data"), tid(triple.get(1), what + " start"), end);
    }

    /**
     * The conflict a vote result map {@code {"oid", "serials": [committed, read], "data"}} reports (client-side
     * conflict resolution mode, spec §8.2).
     */
    public static ConflictException conflictFromVote(Object value, String what) {
        Map<String, Object> map = stringKeyedMap(value, what);
        List<Object> serials = list(map.get("serials"), what + " serials");
        if (serials.size() != 2) {
            throw new AssertionError(what + ": serials must be [committed, read], got " + serials.size()
                    + " elements");
        }
        return new ConflictException("conflict reported by vote (client-side conflict resolution)",
                oid(map.get("oid"), what + " oid"), tid(serials.get(0), what + " committed serial"),
                tid(serials.get(1), what + " read serial"));
    }

    /** The msgpack type name of a decoded value, for messages. */
    static String wireType(Object value) {
        if (value == null) {
            return "nil";
        }
        if (value instanceof byte[]) {
            return "bin (" + ((byte[]) value).length + " bytes)";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Number) {
            return value instanceof Double ? "float" : "int";
        }
        if (value instanceof List) {
            return "array";
        }
        return value instanceof Map ? "map" : value.getClass().getName();
    }

    private static byte[] bin8(Object value, String what) {
        if (!(value instanceof byte[]) || ((byte[]) value).length != 8) {
            throw wrongType(what, "bin (8 bytes)", value);
        }
        return (byte[]) value;
    }

    private static AssertionError wrongType(String what, String expected, Object actual) {
        return new AssertionError(what + ": expected " + expected + ", got " + wireType(actual));
    }
}
