package org.jzeo.protocol;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * Typed access to a decoded call's positional arguments ({@link WireMessage#args()}). Every accessor either
 * returns the value in its Java form or throws a {@link WireTypeException} naming the argument index, the
 * expected wire type and the actual one, which {@link WireErrors} sends as a Python TypeError.
 *
 * <p>Required accessors treat a missing argument as an error ("missing"). {@code optional...} accessors return
 * the default (or null) when the argument is absent <em>or</em> nil, the way ZEO's Python signatures default
 * trailing parameters. Stateless.
 */
public final class Args {
    private Args() {
    }

    /** Checks the argument count: {@code min..max} inclusive ({@code max} < 0 for no upper bound). */
    public static void requireCount(List<Object> args, int min, int max) {
        int given = args.size();
        if (given < min || (max >= 0 && given > max)) {
            String expected = max < 0 ? "at least " + plural(min)
                    : min == max ? plural(min) : min + " to " + plural(max);
            throw WireTypeException.arity(null, expected, given);
        }
    }

    private static String plural(int n) {
        return n + (n == 1 ? " argument" : " arguments");
    }

    /** True when argument {@code index} is present (it may be nil). */
    public static boolean has(List<Object> args, int index) {
        return index < args.size();
    }

    /** The raw decoded argument; it must be present (nil gives null). */
    public static Object value(List<Object> args, int index) {
        if (index >= args.size()) {
            throw new WireTypeException(null, index, "an argument", "missing");
        }
        return args.get(index);
    }

    /** An oid: bin of exactly 8 bytes. */
    public static Oid oid(List<Object> args, int index) {
        return Oid.fromBytes(bin8(args, index, "oid"));
    }

    /** A tid (or serial): bin of exactly 8 bytes. */
    public static Tid tid(List<Object> args, int index) {
        return Tid.fromBytes(bin8(args, index, "tid"));
    }

    /**
     * A serial the client read an object at, as leniently as ZEO's server takes it: bin of 8 bytes; nil (null
     * here) for "no previous revision", which ZEO's storages accept for a new object and answer with a conflict
     * naming nil as the read serial for an existing one (ZODB's {@code store(oid, None, data, '', txn)}); or a str
     * of 8 characters below U+0100, its code points as the bytes (ZEO's own thread tests store with
     * {@code '\0' * 8}, a str under Python 3).
     */
    public static Tid serial(List<Object> args, int index) {
        Object value = value(args, index);
        if (value == null) {
            return null;
        }
        if (value instanceof String text && text.length() == 8 && text.chars().allMatch(c -> c < 0x100)) {
            return Tid.fromBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        }
        return tid(args, index);
    }

    /** An oid, or null when absent or nil (e.g. {@code record_iternext(next)} starting from nil). */
    public static Oid optionalOid(List<Object> args, int index) {
        return isAbsent(args, index) ? null : oid(args, index);
    }

    /** A tid, or null when absent or nil (e.g. {@code tpc_begin}'s tid, iterator bounds, a back pointer). */
    public static Tid optionalTid(List<Object> args, int index) {
        return isAbsent(args, index) ? null : tid(args, index);
    }

    private static byte[] bin8(List<Object> args, int index, String what) {
        Object value = value(args, index);
        if (!(value instanceof byte[]) || ((byte[]) value).length != 8) {
            throw new WireTypeException(null, index, "bin (8 bytes, " + what + ")", MsgpackValues.wireType(value));
        }
        return (byte[]) value;
    }

    /** Bytes: bin only (pickles, blob chunks, undo ids). */
    public static byte[] bytes(List<Object> args, int index) {
        Object value = value(args, index);
        if (!(value instanceof byte[])) {
            throw new WireTypeException(null, index, "bin", MsgpackValues.wireType(value));
        }
        return (byte[]) value;
    }

    /** Bytes or null when absent or nil (e.g. {@code restorea}'s data for an undone creation). */
    public static byte[] optionalBytes(List<Object> args, int index) {
        return isAbsent(args, index) ? null : bytes(args, index);
    }

    /**
     * Text that Python keeps as bytes but some clients send as str: bin as is, or str encoded as UTF-8. For the
     * fields the spec says accept both (tpc_begin's user and description).
     */
    public static byte[] textBytes(List<Object> args, int index) {
        Object value = value(args, index);
        if (value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof String) {
            return ((String) value).getBytes(StandardCharsets.UTF_8);
        }
        throw new WireTypeException(null, index, "bin or str", MsgpackValues.wireType(value));
    }

    /** Text sent as str, or as bin holding UTF-8 (a storage name from a client that sends bytes). */
    public static String text(List<Object> args, int index) {
        Object value = value(args, index);
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return string(args, index);
    }

    /** A string: str only (storage names, labels, status letters, method-level names). */
    public static String string(List<Object> args, int index) {
        Object value = value(args, index);
        if (!(value instanceof String)) {
            throw new WireTypeException(null, index, "str", MsgpackValues.wireType(value));
        }
        return (String) value;
    }

    /** A string, or {@code defaultValue} when absent or nil. */
    public static String optionalString(List<Object> args, int index, String defaultValue) {
        return isAbsent(args, index) ? defaultValue : string(args, index);
    }

    /** An int that fits in a Java long (counts, sizes, iterator ids). */
    public static long longValue(List<Object> args, int index) {
        Object value = value(args, index);
        if (value instanceof Long) {
            return (Long) value;
        }
        throw new WireTypeException(null, index, value instanceof BigInteger ? "int within the signed 64-bit range"
                : "int", MsgpackValues.wireType(value) + (value instanceof BigInteger ? " " + value : ""));
    }

    /** An int, or {@code defaultValue} when absent or nil (e.g. {@code history}'s size, {@code new_oids}' n). */
    public static long optionalLong(List<Object> args, int index, long defaultValue) {
        return isAbsent(args, index) ? defaultValue : longValue(args, index);
    }

    /**
     * Any msgpack int as decoded: a Long, or a BigInteger beyond the long range. Decoding is canonical, so
     * {@code equals} compares by value; use it for the client's transaction id ({@code id(txn)}), which the
     * server only stores and compares.
     */
    public static Number integer(List<Object> args, int index) {
        Object value = value(args, index);
        if (value instanceof Long || value instanceof BigInteger) {
            return (Number) value;
        }
        throw new WireTypeException(null, index, "int", MsgpackValues.wireType(value));
    }

    /** A float; an int is accepted too, as Python would (e.g. {@code pack(t, ...)} with a whole-second time). */
    public static double doubleValue(List<Object> args, int index) {
        Object value = value(args, index);
        if (value instanceof Double) {
            return (Double) value;
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return ((Number) value).doubleValue();
        }
        throw new WireTypeException(null, index, "float or int", MsgpackValues.wireType(value));
    }

    /**
     * A flag sent as bool or int (the stock client sends {@code register}'s read_only as int 0 or bool false):
     * true for {@code true} or a non-zero int.
     */
    public static boolean truthy(List<Object> args, int index) {
        Object value = value(args, index);
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof Long) {
            return (Long) value != 0L;
        }
        if (value instanceof BigInteger) {
            return true; // decoded BigIntegers are always beyond the long range, so never zero
        }
        throw new WireTypeException(null, index, "bool or int", MsgpackValues.wireType(value));
    }

    /** A flag, or {@code defaultValue} when absent or nil. */
    public static boolean optionalTruthy(List<Object> args, int index, boolean defaultValue) {
        return isAbsent(args, index) ? defaultValue : truthy(args, index);
    }

    /** An array, unmodifiable. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(List<Object> args, int index) {
        Object value = value(args, index);
        if (!(value instanceof List)) {
            throw new WireTypeException(null, index, "array", MsgpackValues.wireType(value));
        }
        return (List<Object>) value;
    }

    /** A map (keys String or byte[]), unmodifiable, in wire order. */
    @SuppressWarnings("unchecked")
    public static Map<Object, Object> map(List<Object> args, int index) {
        Object value = value(args, index);
        if (!(value instanceof Map)) {
            throw new WireTypeException(null, index, "map", MsgpackValues.wireType(value));
        }
        return (Map<Object, Object>) value;
    }

    /** A map, or null when absent or nil (e.g. {@code undoInfo}'s specification). */
    public static Map<Object, Object> optionalMap(List<Object> args, int index) {
        return isAbsent(args, index) ? null : map(args, index);
    }

    private static boolean isAbsent(List<Object> args, int index) {
        return index >= args.size() || args.get(index) == null;
    }
}
