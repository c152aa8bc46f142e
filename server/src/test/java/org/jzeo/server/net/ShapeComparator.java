package org.jzeo.server.net;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares a message the Python server sent (decoded from the recording) with the one jzeo sent in its place, by
 * shape and wire type, and by value where the value does not depend on the clock or the implementation.
 *
 * <p>Rules, in the words of the wire (bin, str, int, float, bool, nil, array, map):
 * <ul>
 *   <li>types must be equal everywhere: bin is not str, int is not float, nil is not anything else;</li>
 *   <li>arrays must have the same length and maps the same key set; elements and values are compared in turn;</li>
 *   <li>8-byte bins: oids (and other small constants) must be equal; tids must agree with the {@link TidMap};
 *       undo ids ({@code "id"}: base64 of a tid) likewise after decoding;</li>
 *   <li>other bins (pickles, user, description, rejected data) must be equal byte for byte: they come from the
 *       client's own frames;</li>
 *   <li>ints and bools must be equal, str too, except where the value is the server's own business: messages
 *       inside error arguments, the counters and start time of {@code server_status}, the storage name in
 *       {@code get_info} (type only, a note when it differs), and sizes measured in the storage file (the
 *       {@code size} of get_info, info, undoLog and undoInfo: a note when it differs);</li>
 *   <li>floats are times: type only;</li>
 *   <li>oid lists that ZEO treats as sets (invalidations, the getInvalidations answer, the oids of a vote) are
 *       compared as sets; another order is a note; extra oids in an invalidation are a note, since spec §6 says
 *       a superset is safe and recommends including deleted oids.</li>
 * </ul>
 * Differences break conformance; notes are reported only.
 */
final class ShapeComparator {
    enum Severity { DIFFERENCE, NOTE }

    record Finding(Severity severity, String where, String message) {
        @Override
        public String toString() {
            return (severity == Severity.NOTE ? "note: " : "") + where + ": " + message;
        }
    }

    private final TidMap tids;
    private final List<Finding> findings;
    private String where = "?";

    ShapeComparator(TidMap tids, List<Finding> findings) {
        this.tids = tids;
        this.findings = findings;
    }

    /** Names the frame being compared in the findings, e.g. "conn2 S->C frame#5 (reply to loadBefore)". */
    void at(String where) {
        this.where = where;
    }

    void difference(String message) {
        findings.add(new Finding(Severity.DIFFERENCE, where, message));
    }

    void note(String message) {
        findings.add(new Finding(Severity.NOTE, where, message));
    }

    /**
     * Compares two decoded values. {@code context} says what they are: {@code "reply:METHOD"},
     * {@code "error:METHOD"}, {@code "callback:NAME"} or {@code "msgid"}; {@code path} where inside ("" for the
     * whole value, {@code ".key"} and {@code "[i]"} below).
     */
    void compare(Object expected, Object actual, String context, String path) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                difference(label(context, path) + "expected " + describe(expected) + ", got " + describe(actual));
            }
            return;
        }
        String expectedType = wireType(expected);
        String actualType = wireType(actual);
        if (!expectedType.equals(actualType)) {
            difference(label(context, path) + "expected " + expectedType + " (" + describe(expected) + "), got "
                    + actualType + " (" + describe(actual) + ")");
            return;
        }
        switch (expectedType) {
            case "bin":
                compareBin((byte[]) expected, (byte[]) actual, context, path);
                break;
            case "str":
                compareStr((String) expected, (String) actual, context, path);
                break;
            case "int":
                if (expected.equals(actual) || valueIsServersOwn(context, path)) {
                    break;
                }
                if (isFileLayoutSize(context, path)) {
                    note(label(context, path) + "expected " + expected + ", got " + actual
                            + " (bytes in the Data.fs, which depend on how the storage lays out records)");
                } else {
                    difference(label(context, path) + "expected " + expected + ", got " + actual);
                }
                break;
            case "float":
                break; // times
            case "bool":
                if (!expected.equals(actual)) {
                    difference(label(context, path) + "expected " + expected + ", got " + actual);
                }
                break;
            case "array":
                compareArray((List<?>) expected, (List<?>) actual, context, path);
                break;
            case "map":
                compareMap((Map<?, ?>) expected, (Map<?, ?>) actual, context, path);
                break;
            default:
                difference(label(context, path) + "unexpected value type " + expectedType);
                break;
        }
    }

    private void compareBin(byte[] expected, byte[] actual, String context, String path) {
        if (path.endsWith(".id") && isUndoId(expected) && isUndoId(actual)) {
            String problem = tids.check(TidMap.value(Base64.getDecoder().decode(expected)),
                    TidMap.value(Base64.getDecoder().decode(actual)));
            if (problem != null) {
                difference(label(context, path) + "undo id: " + problem);
            }
            return;
        }
        if (expected.length == 8 && actual.length == 8 && TidMap.isTidLike(expected)) {
            String problem = tids.check(TidMap.value(expected), TidMap.value(actual));
            if (problem != null) {
                difference(label(context, path) + problem);
            }
            return;
        }
        if (!Arrays.equals(expected, actual)) {
            difference(label(context, path) + "expected " + describe(expected) + ", got " + describe(actual));
        }
    }

    private void compareStr(String expected, String actual, String context, String path) {
        if (context.equals("reply:server_status") && path.equals(".last-transaction")) {
            if (actual.length() != 16 || !actual.matches("[0-9a-f]{16}")) {
                difference(label(context, path) + "expected 16 lowercase hex digits, got '" + actual + "'");
            } else {
                String problem = tids.check(Long.parseUnsignedLong(expected, 16), Long.parseUnsignedLong(actual, 16));
                if (problem != null) {
                    difference(label(context, path) + problem);
                }
            }
            return;
        }
        if (expected.equals(actual)) {
            return;
        }
        if (context.equals("reply:get_info") && path.equals(".name")) {
            note(label(context, path) + "storage name '" + actual + "' where Python said '" + expected
                    + "' (Python reports the FileStorage path)");
            return;
        }
        if (!valueIsServersOwn(context, path)) {
            difference(label(context, path) + "expected '" + expected + "', got '" + actual + "'");
        }
    }

    /** Values that depend on the server's wording, clock or counting, not on the protocol: type only. */
    private static boolean valueIsServersOwn(String context, String path) {
        if (context.startsWith("error:")) {
            // Messages (TypeError text, UndoError _reason, ...). Class names and map keys are checked elsewhere.
            return true;
        }
        return context.equals("reply:server_status") && !path.equals(".timeout-thread-is-alive");
    }

    /**
     * Sizes measured in the storage file (get_info/info: the file size; undoLog/undoInfo: the transaction's record
     * length), which depend on the file layout, not on the protocol. history's size is the data length: exact.
     */
    private static boolean isFileLayoutSize(String context, String path) {
        boolean fileSize = (context.equals("callback:info") || context.equals("reply:get_info"))
                && path.endsWith(".size");
        boolean recordSize = (context.equals("reply:undoLog") || context.equals("reply:undoInfo"))
                && path.matches("\\[\\d+]\\.size");
        return fileSize || recordSize;
    }

    private void compareArray(List<?> expected, List<?> actual, String context, String path) {
        if (isOidSet(context, path) && allBin8(expected) && allBin8(actual)) {
            compareOidSet(expected, actual, context, path);
            return;
        }
        if (expected.size() != actual.size()) {
            difference(label(context, path) + "expected an array of " + expected.size() + ", got "
                    + actual.size() + ": " + describe(actual));
            return;
        }
        for (int i = 0; i < expected.size(); i++) {
            compare(expected.get(i), actual.get(i), context, path + "[" + i + "]");
        }
    }

    private static boolean isOidSet(String context, String path) {
        return (context.equals("callback:invalidateTransaction") && path.equals("[1]"))
                || (context.equals("reply:getInvalidations") && path.equals("[1]"))
                || (context.equals("reply:vote") && path.isEmpty());
    }

    private void compareOidSet(List<?> expected, List<?> actual, String context, String path) {
        List<String> expectedOids = hexList(expected);
        List<String> actualOids = hexList(actual);
        Set<String> missing = new TreeSet<>(expectedOids);
        missing.removeAll(actualOids);
        Set<String> extra = new TreeSet<>(actualOids);
        extra.removeAll(expectedOids);
        if (!missing.isEmpty()) {
            difference(label(context, path) + "oids " + missing + " missing: expected " + expectedOids + ", got "
                    + actualOids);
        }
        if (!extra.isEmpty()) {
            boolean supersetIsSafe = !context.equals("reply:vote");
            String message = label(context, path) + "extra oids " + extra + ": expected " + expectedOids + ", got "
                    + actualOids;
            if (supersetIsSafe) {
                note(message + " (a superset, which spec §6 allows)");
            } else {
                difference(message);
            }
        }
        if (missing.isEmpty() && extra.isEmpty() && !expectedOids.equals(actualOids)) {
            note(label(context, path) + "same oids in another order: expected " + expectedOids + ", got "
                    + actualOids);
        }
    }

    private void compareMap(Map<?, ?> expected, Map<?, ?> actual, String context, String path) {
        Set<String> expectedKeys = keyNames(expected);
        Set<String> actualKeys = keyNames(actual);
        if (!expectedKeys.equals(actualKeys)) {
            Set<String> missing = new LinkedHashSet<>(expectedKeys);
            missing.removeAll(actualKeys);
            Set<String> extra = new LinkedHashSet<>(actualKeys);
            extra.removeAll(expectedKeys);
            // jzeo advertises its protocol extensions (XaWire) in get_info; Python clients ignore unknown keys.
            if (context.equals("reply:get_info") && path.isEmpty()
                    && extra.remove(org.jzeo.protocol.XaWire.INFO_KEY)) {
                note(label(context, path) + "jzeo's own key " + org.jzeo.protocol.XaWire.INFO_KEY);
            }
            if (!missing.isEmpty() || !extra.isEmpty()) {
                difference(label(context, path) + "map keys differ: missing " + missing + ", extra " + extra);
            }
        }
        for (Map.Entry<?, ?> e : expected.entrySet()) {
            Object key = e.getKey();
            if (!(key instanceof String)) {
                difference(label(context, path) + "recorded a non-str key " + describe(key));
                continue;
            }
            if (!actual.containsKey(key)) {
                continue;
            }
            compare(e.getValue(), actual.get(key), context, path + "." + key);
        }
        for (Object key : actual.keySet()) {
            if (!(key instanceof String)) {
                difference(label(context, path) + "map key of type " + wireType(key) + " (" + describe(key)
                        + "): Python sends str keys");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Set<String> keyNames(Map<?, ?> map) {
        Set<String> names = new TreeSet<>();
        for (Object key : map.keySet()) {
            names.add(key instanceof String s ? s : wireType(key) + ":" + describe(key));
        }
        return names;
    }

    private static boolean allBin8(List<?> values) {
        for (Object v : values) {
            if (!(v instanceof byte[] b) || b.length != 8) {
                return false;
            }
        }
        return true;
    }

    private static List<String> hexList(List<?> oids) {
        List<String> hex = new ArrayList<>();
        for (Object oid : oids) {
            hex.add(hexOf((byte[]) oid));
        }
        return hex;
    }

    private static boolean isUndoId(byte[] value) {
        if (value.length != 12) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(value).length == 8;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String label(String context, String path) {
        return context + (path.isEmpty() ? "" : " " + path) + ": ";
    }

    /** The msgpack type name of a decoded value. */
    static String wireType(Object value) {
        if (value == null) {
            return "nil";
        }
        if (value instanceof byte[]) {
            return "bin";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Double) {
            return "float";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof List) {
            return "array";
        }
        if (value instanceof Map) {
            return "map";
        }
        return value.getClass().getSimpleName();
    }

    /** A short rendering for messages: 8-byte bins in hex, longer ones by length, containers abbreviated. */
    static String describe(Object value) {
        if (value == null) {
            return "nil";
        }
        if (value instanceof byte[] b) {
            if (b.length == 8) {
                return hexOf(b);
            }
            if (b.length <= 24 && isPrintable(b)) {
                return "b'" + new String(b, StandardCharsets.US_ASCII) + "'";
            }
            return "bin(" + b.length + ")";
        }
        if (value instanceof String s) {
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size() && i < 6; i++) {
                sb.append(i == 0 ? "" : ", ").append(describe(list.get(i)));
            }
            return sb.append(list.size() > 6 ? ", ... (" + list.size() + ")]" : "]").toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (i++ == 8) {
                    sb.append(", ...");
                    break;
                }
                sb.append(i == 1 ? "" : ", ").append(describe(e.getKey())).append(": ").append(describe(e.getValue()));
            }
            return sb.append('}').toString();
        }
        return String.valueOf(value);
    }

    private static boolean isPrintable(byte[] b) {
        for (byte x : b) {
            if (x < 0x20 || x > 0x7e) {
                return false;
            }
        }
        return true;
    }

    static String hexOf(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
