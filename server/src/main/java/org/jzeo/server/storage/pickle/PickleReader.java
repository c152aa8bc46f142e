package org.jzeo.server.storage.pickle;

import org.jzeo.objects.python.PickleOpcodes;

import static org.jzeo.objects.python.PickleOpcodes.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Unpickles a transaction extension dict (spec filestorage-format.md §3.2), as written by any
 * Python ZODB (pickle protocols 0–4; protocol-5 buffers are refused because an extension never
 * contains them).
 *
 * <p>This is a constructing interpreter for plain data only. It never imports or instantiates
 * anything: GLOBAL, REDUCE, BUILD, persistent ids and the like are refused with a
 * {@link PickleException}. Python types map to Java as follows:
 *
 * <ul>
 *   <li>{@code str} → {@link String}
 *   <li>{@code bytes} → {@code byte[]}
 *   <li>Python-2 {@code str} (STRING, BINSTRING, SHORT_BINSTRING) → what Python 3 ZODB gets with
 *       {@code encoding='ASCII', errors='bytes'}: a {@link String} if every byte is ASCII,
 *       otherwise the raw {@code byte[]}
 *   <li>{@code int} → {@link Long}, or {@link java.math.BigInteger} when it does not fit in 64 bits
 *       (never {@code Integer})
 *   <li>{@code float} → {@link Double}; {@code bool} → {@link Boolean}; {@code None} → {@code null}
 *   <li>{@code list} → mutable {@link ArrayList}; {@code tuple} → unmodifiable {@link List}
 *   <li>{@code dict} → {@link LinkedHashMap} in pickle order; keys that are bytes become Strings
 *       (Latin-1), other keys are kept as decoded
 *   <li>{@code set} → {@link LinkedHashSet}; {@code frozenset} → unmodifiable {@link Set}
 * </ul>
 *
 * <p>Like {@code pickle.loads}, bytes after the STOP opcode are ignored. The class is stateless
 * from the caller's view and safe to use from any number of threads.
 */
public final class PickleReader {
    private final PickleInput in;
    private final PickleStack stack = new PickleStack();
    private final Map<Long, Object> memo = new HashMap<>();

    private PickleReader(byte[] pickle) {
        this.in = new PickleInput(pickle, 0);
    }

    /**
     * Decodes an extension field. An empty array (elen 0) is the empty dict.
     *
     * @return a new mutable map in pickle order whose keys are all Strings
     * @throws PickleException if the bytes are not a pickled dict of supported values, or a
     *     top-level key is neither {@code str} nor {@code bytes}
     */
    public static Map<String, Object> unpickleDict(byte[] pickle) {
        Objects.requireNonNull(pickle, "pickle");
        if (pickle.length == 0) {
            return new LinkedHashMap<>();
        }
        Object result = new PickleReader(pickle).run();
        if (!(result instanceof LinkedHashMap<?, ?> dict)) {
            throw new PickleException("the pickle holds a " + pythonType(result) + ", not a dict");
        }
        for (Object key : dict.keySet()) {
            if (!(key instanceof String)) {
                throw new PickleException("extension dict key " + key + " is a " + pythonType(key)
                        + ", not a string");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) dict;
        return typed;
    }

    private Object run() {
        while (true) {
            int op = in.nextOpcode();
            if (op == STOP) {
                return stack.pop(in);
            }
            execute(op);
        }
    }

    private void execute(int op) {
        if (ControlOpcodes.execute(op, in, stack)) {
            return;
        }
        switch (op) {

            case NONE -> stack.push(null);
            case NEWTRUE -> stack.push(Boolean.TRUE);
            case NEWFALSE -> stack.push(Boolean.FALSE);
            case INT -> stack.push(intLine(in.line()));
            case LONG -> stack.push(longLine(in.line()));
            case BININT -> stack.push((long) in.s32());
            case BININT1 -> stack.push((long) in.u8());
            case BININT2 -> stack.push((long) in.u16());
            case LONG1 -> stack.push(PickleDecoding.twosComplementLittleEndian(in.bytes(in.u8())));
            case LONG4 -> stack.push(PickleDecoding.twosComplementLittleEndian(in.bytes(nonNegative(in.s32()))));
            case FLOAT -> stack.push(PickleDecoding.floatLine(in.line(), in));
            case BINFLOAT -> stack.push(Double.longBitsToDouble(in.u64BigEndian()));

            case BINUNICODE -> stack.push(PickleDecoding.utf8(in.bytes(in.u32()), in));
            case SHORT_BINUNICODE -> stack.push(PickleDecoding.utf8(in.bytes(in.u8()), in));
            case BINUNICODE8 -> stack.push(PickleDecoding.utf8(in.bytes(in.u64()), in));
            case UNICODE -> stack.push(PickleDecoding.rawUnicodeEscape(in.line(), in));
            case SHORT_BINBYTES -> stack.push(in.bytes(in.u8()));
            case BINBYTES -> stack.push(in.bytes(in.u32()));
            case BINBYTES8 -> stack.push(in.bytes(in.u64()));
            case SHORT_BINSTRING -> stack.push(PickleDecoding.py2String(in.bytes(in.u8())));
            case BINSTRING -> stack.push(PickleDecoding.py2String(in.bytes(nonNegative(in.s32()))));
            case STRING -> stack.push(PickleDecoding.py2String(PickleDecoding.quotedString(in.line(), in)));

            case EMPTY_TUPLE -> stack.push(List.of());
            case TUPLE1 -> pushTuple(1);
            case TUPLE2 -> pushTuple(2);
            case TUPLE3 -> pushTuple(3);
            case TUPLE -> stack.push(tuple(stack.popToMark(in)));
            case EMPTY_LIST -> stack.push(new ArrayList<>());
            case LIST -> stack.push(new ArrayList<>(stack.popToMark(in)));
            case APPEND -> {
                Object value = stack.pop(in);
                list(stack.peek(in)).add(value);
            }
            case APPENDS -> {
                List<Object> values = stack.popToMark(in);
                list(stack.peek(in)).addAll(values);
            }
            case EMPTY_DICT -> stack.push(new LinkedHashMap<>());
            case DICT -> {
                List<Object> items = stack.popToMark(in);
                Map<Object, Object> dict = new LinkedHashMap<>();
                putAll(dict, items);
                stack.push(dict);
            }
            case SETITEM -> {
                Object value = stack.pop(in);
                Object key = stack.pop(in);
                dict(stack.peek(in)).put(normalizeKey(key), value);
            }
            case SETITEMS -> {
                List<Object> items = stack.popToMark(in);
                putAll(dict(stack.peek(in)), items);
            }
            case EMPTY_SET -> stack.push(new LinkedHashSet<>());
            case ADDITEMS -> {
                List<Object> items = stack.popToMark(in);
                set(stack.peek(in)).addAll(items);
            }
            case FROZENSET -> stack.push(Collections.unmodifiableSet(new LinkedHashSet<>(stack.popToMark(in))));

            case PUT -> memo.put(PickleDecoding.memoKey(in.line(), in), stack.peek(in));
            case BINPUT -> memo.put((long) in.u8(), stack.peek(in));
            case LONG_BINPUT -> memo.put(in.u32(), stack.peek(in));
            case MEMOIZE -> memo.put((long) memo.size(), stack.peek(in));
            case GET -> stack.push(memoGet(PickleDecoding.memoKey(in.line(), in)));
            case BINGET -> stack.push(memoGet(in.u8()));
            case LONG_BINGET -> stack.push(memoGet(in.u32()));

            default -> throw in.error(PickleOpcodes.isKnown(op)
                    ? "opcode not supported in a transaction extension (only plain data is)"
                    : "unknown pickle opcode");
        }
    }

    private Object intLine(byte[] line) {
        // Protocol 0 and 1 spell booleans as INT 01 / INT 00.
        if (line.length == 2 && line[0] == '0' && line[1] == '1') {
            return Boolean.TRUE;
        }
        if (line.length == 2 && line[0] == '0' && line[1] == '0') {
            return Boolean.FALSE;
        }
        return PickleDecoding.narrow(PickleDecoding.decimal(line, in));
    }

    private Object longLine(byte[] line) {
        // Python 2 writes a trailing 'L' (repr of a long); Python 3 does too for compatibility.
        int n = line.length;
        byte[] digits = n > 0 && line[n - 1] == 'L' ? java.util.Arrays.copyOf(line, n - 1) : line;
        return PickleDecoding.narrow(PickleDecoding.decimal(digits, in));
    }

    private long nonNegative(int length) {
        if (length < 0) {
            throw in.error("negative length " + length);
        }
        return length;
    }

    private void pushTuple(int size) {
        Object[] items = new Object[size];
        for (int i = size - 1; i >= 0; i--) {
            items[i] = stack.pop(in);
        }
        stack.push(tuple(java.util.Arrays.asList(items)));
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw in.error("memo key " + key + " is missing");
        }
        return memo.get(key);
    }

    private void putAll(Map<Object, Object> dict, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw in.error("odd number of items for a dict (" + items.size() + ")");
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(normalizeKey(items.get(i)), items.get(i + 1));
        }
    }

    /** Byte-string keys become Latin-1 Strings: byte[] has identity equality and is useless as a key. */
    private static Object normalizeKey(Object key) {
        return key instanceof byte[] bytes ? PickleDecoding.latin1(bytes) : key;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target) {
        if (target instanceof ArrayList<?>) {
            return (List<Object>) target;
        }
        throw in.error("cannot append to a " + pythonType(target));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target) {
        if (target instanceof LinkedHashMap<?, ?>) {
            return (Map<Object, Object>) target;
        }
        throw in.error("cannot set an item on a " + pythonType(target));
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object target) {
        if (target instanceof LinkedHashSet<?>) {
            return (Set<Object>) target;
        }
        throw in.error("cannot add items to a " + pythonType(target));
    }

    private static String pythonType(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof byte[]) {
            return "bytes";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Number) {
            return value instanceof Double ? "float" : "int";
        }
        if (value instanceof ArrayList<?>) {
            return "list";
        }
        if (value instanceof List<?>) {
            return "tuple";
        }
        if (value instanceof Map<?, ?>) {
            return "dict";
        }
        if (value instanceof Set<?>) {
            return "set";
        }
        return value.getClass().getSimpleName();
    }
}
