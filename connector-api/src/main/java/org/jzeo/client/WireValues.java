package org.jzeo.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.UndoEntry;

/** Decodes the server's reply values into the storage contract's types. */
final class WireValues {
    private WireValues() {
    }

    static Tid tid(Object value) {
        return value == null ? null : Tid.fromBytes((byte[]) value);
    }

    static Oid oid(Object value) {
        return value == null ? null : Oid.fromBytes((byte[]) value);
    }

    /** {@code nil} or {@code [data, start, end|nil]}. */
    static LoadResult loadResult(Object value) {
        if (value == null) {
            return null;
        }
        List<?> triple = (List<?>) value;
        return new LoadResult((byte[]) triple.get(0), tid(triple.get(1)), tid(triple.get(2)));
    }

    static HistoryEntry historyEntry(Map<?, ?> map) {
        return new HistoryEntry(tid(map.get("tid")), number(map.get("time")).doubleValue(),
                bytes(map.get("user_name")), bytes(map.get("description")), number(map.get("size")).longValue(),
                extension(map, "tid", "time", "user_name", "description", "size", "serial", "version"));
    }

    static UndoEntry undoEntry(Map<?, ?> map) {
        byte[] id = bytes(map.get("id"));
        return new UndoEntry(id, UndoEntry.tidOf(id), number(map.get("time")).doubleValue(),
                bytes(map.get("user_name")), bytes(map.get("description")), number(map.get("size")).longValue(),
                extension(map, "id", "time", "user_name", "description", "size"));
    }

    /** The keys of a history or undo map that are not fixed fields: the transaction's extension. */
    private static Map<String, Object> extension(Map<?, ?> map, String... fixed) {
        Map<String, Object> extension = new LinkedHashMap<>();
        outer:
        for (Map.Entry<?, ?> e : map.entrySet()) {
            for (String name : fixed) {
                if (name.equals(e.getKey())) {
                    continue outer;
                }
            }
            extension.put(String.valueOf(e.getKey()), e.getValue());
        }
        return extension;
    }

    static byte[] bytes(Object value) {
        if (value == null) {
            return new byte[0];
        }
        if (value instanceof String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return (byte[]) value;
    }

    /** A str or bin value as text (msgpack peers differ in which they send for names). */
    static String text(Object value) {
        return value instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(value);
    }

    static Number number(Object value) {
        return value instanceof Number n ? n : 0L;
    }
}
