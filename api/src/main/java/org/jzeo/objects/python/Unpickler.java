package org.jzeo.objects.python;

import static org.jzeo.objects.python.PickleOpcodes.*;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jzeo.api.Oid;

/**
 * The pickle machine behind {@link PickleRecordReader}: one instance reads the pickles of one
 * record, in turn, sharing the memo between them as ZODB's unpickler does. Lists, dicts and sets
 * are handed out as unmodifiable views from the start; the machine keeps the mutable collection
 * behind each view (by identity) so that APPENDS, SETITEMS and ADDITEMS can fill it in, and drops
 * that table when the record has been read.
 */
final class Unpickler {
    private static final Pattern DECIMAL_INT = Pattern.compile("[+-]?[0-9]+");
    private static final Map<Object, Object> NO_KWARGS = Map.of();

    private final Oid oid;
    private final byte[] data;
    private final Function<Oid, Object> resolver;
    private final Map<Long, Object> memo = new HashMap<>();
    /** Unmodifiable view → the mutable collection behind it, for lists, dicts and sets being built. */
    private final IdentityHashMap<Object, Object> builders = new IdentityHashMap<>();
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private int pos;
    private int opStart = -1;
    private int op = -1;

    Unpickler(Oid oid, byte[] data, Function<Oid, Object> resolver) {
        this.oid = oid;
        this.data = data;
        this.resolver = resolver;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= data.length;
    }

    /** Runs one pickle from the current position through its STOP and returns its value. */
    Object load() {
        stack.clear();
        markCount = 0;
        while (true) {
            if (pos >= data.length) {
                opStart = -1;
                op = -1;
                throw new PickleFormatException(oid, "truncated record: the pickle ends before STOP", pos, -1);
            }
            opStart = pos;
            op = data[pos++] & 0xFF;
            if (op == STOP) {
                Object value = pop();
                if (!stack.isEmpty() || markCount > 0) {
                    throw fail(stack.size() + " values and " + markCount + " marks left on the stack at STOP");
                }
                return value;
            }
            try {
                execute();
            } catch (StackOverflowError e) {
                // hashing or comparing a key whose nesting is deeper than the Java stack
                throw fail("values nested too deeply to hash or compare");
            }
        }
    }

    private void execute() {
        switch (op) {
            case PROTO -> {
                int protocol = u8();
                if (protocol > HIGHEST_PROTOCOL) {
                    throw fail("unsupported pickle protocol " + protocol);
                }
            }
            case FRAME -> {
                long length = u64();
                if (length < 0 || length > data.length - pos) {
                    throw fail("truncated record: frame of " + Long.toUnsignedString(length) + " bytes, "
                            + (data.length - pos) + " left");
                }
            }
            case MARK -> {
                if (markCount == marks.length) {
                    marks = Arrays.copyOf(marks, markCount * 2);
                }
                marks[markCount++] = stack.size();
            }
            case POP -> {
                if (markCount > 0 && marks[markCount - 1] == stack.size()) {
                    markCount--; // CPython pops a mark sitting at the top of the stack
                } else {
                    pop();
                }
            }
            case POP_MARK -> popToMark();
            case DUP -> push(peek());

            case PERSID -> push(reference(ascii(line())));
            case BINPERSID -> push(reference(pop()));

            case NONE -> push(null);
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case INT -> {
                String text = latin1(line()).strip();
                if (text.equals("01")) {
                    push(Boolean.TRUE);
                } else if (text.equals("00")) {
                    push(Boolean.FALSE);
                } else {
                    push(PickleArguments.narrow(argument(PickleArguments::decimal, text.getBytes(StandardCharsets.ISO_8859_1))));
                }
            }
            case LONG -> {
                String text = latin1(line()).strip();
                if (text.endsWith("L")) {
                    text = text.substring(0, text.length() - 1);
                }
                push(PickleArguments.narrow(argument(PickleArguments::decimal, text.getBytes(StandardCharsets.ISO_8859_1))));
            }
            case BININT -> push((long) s32());
            case BININT1 -> push((long) u8());
            case BININT2 -> push((long) u16());
            case LONG1 -> push(PickleArguments.twosComplementLittleEndian(bytes(u8())));
            case LONG4 -> push(PickleArguments.twosComplementLittleEndian(bytes(nonNegative(s32()))));
            case FLOAT -> push(argument(PickleArguments::floatLine, line()));
            case BINFLOAT -> push(Double.longBitsToDouble(u64BigEndian()));

            case STRING -> push(python2String(argument(PickleArguments::quotedString, line())));
            case BINSTRING -> push(python2String(bytes(nonNegative(s32()))));
            case SHORT_BINSTRING -> push(python2String(bytes(u8())));
            case UNICODE -> push(argument(PickleArguments::rawUnicodeEscape, line()));
            case BINUNICODE -> push(utf8(bytes(u32())));
            case SHORT_BINUNICODE -> push(utf8(bytes(u8())));
            case BINUNICODE8 -> push(utf8(bytes(u64())));
            case BINBYTES -> push(PythonBytes.wrap(bytes(u32())));
            case SHORT_BINBYTES -> push(PythonBytes.wrap(bytes(u8())));
            case BINBYTES8 -> push(PythonBytes.wrap(bytes(u64())));
            case BYTEARRAY8 -> push(new PythonObject(null, "builtins", "bytearray",
                    PythonTuple.of(PythonBytes.wrap(bytes(u64()))), NO_KWARGS));
            case NEXT_BUFFER, READONLY_BUFFER ->
                throw fail("out-of-band buffers (pickle protocol 5) are not supported: a stored record cannot carry them");

            case EMPTY_TUPLE -> push(PythonTuple.of());
            case TUPLE1 -> pushTuple(1);
            case TUPLE2 -> pushTuple(2);
            case TUPLE3 -> pushTuple(3);
            case TUPLE -> push(PythonTuple.wrap(popToMark().toArray()));
            case EMPTY_LIST -> push(newList(List.of()));
            case LIST -> push(newList(popToMark()));
            case APPEND -> {
                Object item = pop();
                append(peek(), Collections.singletonList(item));
            }
            case APPENDS -> {
                List<Object> items = popToMark();
                append(peek(), items);
            }
            case EMPTY_DICT -> push(newDict());
            case DICT -> {
                List<Object> items = popToMark();
                Object dict = newDict();
                setItems(dict, items);
                push(dict);
            }
            case SETITEM -> {
                Object value = pop();
                Object key = pop();
                setItems(peek(), Arrays.asList(key, value));
            }
            case SETITEMS -> {
                List<Object> items = popToMark();
                setItems(peek(), items);
            }
            case EMPTY_SET -> push(newSet(List.of()));
            case ADDITEMS -> {
                List<Object> items = popToMark();
                Object target = peek();
                if (!(builders.get(target) instanceof LinkedHashSet<?>)) {
                    throw fail("ADDITEMS to a " + PythonObject.typeName(target) + ", not a set");
                }
                addAll(builders.get(target), hashable(items));
            }
            case FROZENSET -> push(Collections.unmodifiableSet(new LinkedHashSet<>(hashable(popToMark()))));

            case GLOBAL -> {
                String module = utf8(line());
                String name = utf8(line());
                push(new PythonClass(module, name));
            }
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw fail("STACK_GLOBAL needs two str, got " + PythonObject.typeName(module)
                            + " and " + PythonObject.typeName(name));
                }
                push(new PythonClass(m, n));
            }
            case REDUCE -> {
                Object args = pop();
                Object callable = pop();
                push(reduce(callable, args));
            }
            case NEWOBJ -> {
                Object args = pop();
                Object cls = pop();
                push(newObject(cls, args, NO_KWARGS));
            }
            case NEWOBJ_EX -> {
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                if (!(kwargs instanceof Map<?, ?> map)) {
                    throw fail("NEWOBJ_EX keyword arguments are a " + PythonObject.typeName(kwargs) + ", not a dict");
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> typed = (Map<Object, Object>) map;
                push(newObject(cls, args, typed));
            }
            case BUILD -> {
                Object state = pop();
                Object target = peek();
                if (!(target instanceof PythonObject object)) {
                    throw fail("BUILD on a " + PythonObject.typeName(target) + ", not an object");
                }
                if (!object.setState(state)) {
                    throw fail("BUILD on a " + object.className() + " object that already has a state");
                }
            }
            case INST -> {
                String module = ascii(line());
                String name = ascii(line());
                push(new PythonObject(null, module, name, PythonTuple.wrap(popToMark().toArray()), NO_KWARGS));
            }
            case OBJ -> {
                List<Object> items = popToMark();
                if (items.isEmpty()) {
                    throw fail("OBJ without a class");
                }
                PythonClass cls = requireClass(items.get(0), "OBJ");
                Object[] args = items.subList(1, items.size()).toArray();
                push(new PythonObject(null, cls.module(), cls.name(), PythonTuple.wrap(args), NO_KWARGS));
            }
            case EXT1, EXT2, EXT4 ->
                throw fail(PickleOpcodes.name(op)
                        + " (a copyreg extension registry code) is not supported");

            case PUT -> memo.put(memoKey(latin1(line()).strip()), peek());
            case BINPUT -> memo.put((long) u8(), peek());
            case LONG_BINPUT -> memo.put(u32(), peek());
            case MEMOIZE -> memo.put((long) memo.size(), peek());
            case GET -> push(memoGet(memoKey(latin1(line()).strip())));
            case BINGET -> push(memoGet(u8()));
            case LONG_BINGET -> push(memoGet(u32()));

            default -> throw fail("unknown opcode");
        }
    }

    // --- the record's shape (serialize.py) ---

    /** Applies the class description to the state, for every class format ZODB 5 reads. */
    PythonObject recordObject(Object classDescription, Object state) {
        PythonClass cls;
        List<Object> args = PythonTuple.of();
        if (classDescription instanceof PythonTuple pair && pair.size() == 2
                && !(pair.get(0) instanceof String)) {
            cls = recordClass(pair.get(0));
            Object newArgs = pair.get(1);
            if (newArgs instanceof PythonTuple tuple) {
                args = tuple;
            } else if (newArgs != null) {
                throw shapeError("the class description's arguments are a " + PythonObject.typeName(newArgs)
                        + ", not a tuple or None");
            }
        } else {
            cls = recordClass(classDescription);
        }
        PythonObject object = new PythonObject(oid, cls.module(), cls.name(), args, NO_KWARGS);
        object.setState(state);
        return object;
    }

    private PythonClass recordClass(Object value) {
        if (value instanceof PythonClass cls) {
            return cls;
        }
        if (value instanceof PythonTuple names && names.size() == 2
                && names.get(0) instanceof String module && names.get(1) instanceof String name) {
            return new PythonClass(module, name);
        }
        if (value instanceof PythonReference) {
            throw shapeError("the record's class is a persistent reference (a persistent class), which is not supported");
        }
        throw shapeError("the class pickle holds a " + PythonObject.typeName(value)
                + ", not a class, (module, name) or (class, args)");
    }

    private PickleFormatException shapeError(String problem) {
        return new PickleFormatException(oid, problem, 0, -1);
    }

    /** A persistent id, in any of the forms ZODB's ObjectReader._persistent_load accepts. */
    private PythonReference reference(Object pid) {
        if (pid instanceof PythonTuple tuple) {
            if (tuple.size() != 2) {
                throw fail("persistent id is a tuple of " + tuple.size() + " items, not (oid, class)");
            }
            return newReference(tuple.get(0), tuple.get(1), false, null);
        }
        if (pid instanceof PythonBytes || pid instanceof String) {
            return newReference(pid, null, false, null);
        }
        if (pid instanceof List<?> list) {
            if (list.size() == 1) {
                return newReference(list.get(0), null, true, null); // legacy [oid] weak reference
            }
            if (list.size() == 2 && list.get(0) instanceof String kind && list.get(1) instanceof PythonTuple args) {
                switch (kind) {
                    case "w" -> {
                        if (args.size() == 1 || args.size() == 2) {
                            return newReference(args.get(0), null, true,
                                    args.size() == 2 ? databaseName(args.get(1)) : null);
                        }
                    }
                    case "n" -> {
                        if (args.size() == 2) {
                            return newReference(args.get(1), null, false, databaseName(args.get(0)));
                        }
                    }
                    case "m" -> {
                        if (args.size() == 3) {
                            return newReference(args.get(1), args.get(2), false, databaseName(args.get(0)));
                        }
                    }
                    default -> throw fail("persistent id of unknown kind '" + kind + "'");
                }
                throw fail("persistent id ['" + kind + "', ...] has " + args.size() + " arguments");
            }
            throw fail("persistent id is a list of an unknown form");
        }
        throw fail("persistent id is a " + PythonObject.typeName(pid));
    }

    private PythonReference newReference(Object oidValue, Object cls, boolean weak, String database) {
        Oid target = oidOf(oidValue);
        String module = null;
        String name = null;
        if (cls instanceof PythonClass c) {
            module = c.module();
            name = c.name();
        } else if (cls instanceof PythonTuple names && names.size() == 2
                && names.get(0) instanceof String m && names.get(1) instanceof String n) {
            module = m;
            name = n;
        } else if (cls != null) {
            throw fail("persistent id's class is a " + PythonObject.typeName(cls));
        }
        return new PythonReference(target, module, name, weak, database, resolver);
    }

    private Oid oidOf(Object value) {
        byte[] bytes;
        if (value instanceof PythonBytes b) {
            bytes = b.toByteArray();
        } else if (value instanceof String text && text.chars().allMatch(c -> c <= 0xFF)) {
            bytes = text.getBytes(StandardCharsets.ISO_8859_1); // a Python 2 str oid
        } else {
            throw fail("persistent id's oid is a " + PythonObject.typeName(value) + ", not bytes");
        }
        if (bytes.length != 8) {
            throw fail("persistent id's oid is " + bytes.length + " bytes long, not 8");
        }
        return Oid.fromBytes(bytes);
    }

    private String databaseName(Object value) {
        if (value instanceof String name) {
            return name;
        }
        throw fail("persistent id's database name is a " + PythonObject.typeName(value) + ", not a str");
    }

    // --- objects ---

    private Object reduce(Object callable, Object argsValue) {
        PythonClass cls = requireClass(callable, "REDUCE");
        PythonTuple args = requireTuple(argsValue, "REDUCE");
        String module = cls.module();
        String name = cls.name();
        boolean builtins = module.equals("builtins") || module.equals("__builtin__");
        if (builtins && (name.equals("set") || name.equals("frozenset"))
                && (args.isEmpty() || args.size() == 1 && args.get(0) instanceof Collection<?>)) {
            List<Object> items = args.isEmpty() ? List.of() : hashable(new ArrayList<>((Collection<?>) args.get(0)));
            return name.equals("set") ? newSet(items) : Collections.unmodifiableSet(new LinkedHashSet<>(items));
        }
        if (builtins && name.equals("bytes") && args.isEmpty()) {
            return PythonBytes.of();
        }
        if (module.equals("_codecs") && name.equals("encode") && args.size() == 2
                && args.get(0) instanceof String text && "latin1".equals(args.get(1))
                && text.chars().allMatch(c -> c <= 0xFF)) {
            return PythonBytes.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        }
        if ((module.equals("copyreg") || module.equals("copy_reg")) && name.equals("_reconstructor")
                && args.size() == 3 && args.get(0) instanceof PythonClass instanceClass
                && args.get(1) instanceof PythonClass base
                && (base.module().equals("builtins") || base.module().equals("__builtin__"))
                && base.name().equals("object") && args.get(2) == null) {
            return new PythonObject(null, instanceClass.module(), instanceClass.name(), PythonTuple.of(), NO_KWARGS);
        }
        return new PythonObject(null, module, name, args, NO_KWARGS);
    }

    private PythonObject newObject(Object clsValue, Object argsValue, Map<Object, Object> kwargs) {
        String what = PickleOpcodes.name(op);
        PythonClass cls = requireClass(clsValue, what);
        PythonTuple args = requireTuple(argsValue, what);
        return new PythonObject(null, cls.module(), cls.name(), args, kwargs);
    }

    private PythonClass requireClass(Object value, String what) {
        if (value instanceof PythonClass cls) {
            return cls;
        }
        throw fail(what + " calls a " + PythonObject.typeName(value) + "; only classes and functions named by GLOBAL are supported");
    }

    private PythonTuple requireTuple(Object value, String what) {
        if (value instanceof PythonTuple tuple) {
            return tuple;
        }
        throw fail(what + " arguments are a " + PythonObject.typeName(value) + ", not a tuple");
    }

    // --- containers ---

    private List<Object> newList(List<Object> items) {
        ArrayList<Object> backing = new ArrayList<>(items);
        List<Object> view = Collections.unmodifiableList(backing);
        builders.put(view, backing);
        return view;
    }

    private Map<Object, Object> newDict() {
        LinkedHashMap<Object, Object> backing = new LinkedHashMap<>();
        Map<Object, Object> view = Collections.unmodifiableMap(backing);
        builders.put(view, backing);
        return view;
    }

    private java.util.Set<Object> newSet(List<Object> items) {
        LinkedHashSet<Object> backing = new LinkedHashSet<>(items);
        java.util.Set<Object> view = Collections.unmodifiableSet(backing);
        builders.put(view, backing);
        return view;
    }

    @SuppressWarnings("unchecked")
    private void append(Object target, List<Object> items) {
        Object backing = builders.get(target);
        if (backing instanceof ArrayList<?> list) {
            ((ArrayList<Object>) list).addAll(items);
        } else if (target instanceof PythonObject object) {
            items.forEach(object::appendItem);
        } else {
            throw fail("append to a " + PythonObject.typeName(target) + ", not a list");
        }
    }

    @SuppressWarnings("unchecked")
    private void addAll(Object backing, List<Object> items) {
        ((LinkedHashSet<Object>) backing).addAll(items);
    }

    @SuppressWarnings("unchecked")
    private void setItems(Object target, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw fail("odd number of items (" + items.size() + ") for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            requireHashable(items.get(i));
        }
        Object backing = builders.get(target);
        if (backing instanceof LinkedHashMap<?, ?> map) {
            LinkedHashMap<Object, Object> dict = (LinkedHashMap<Object, Object>) map;
            for (int i = 0; i < items.size(); i += 2) {
                dict.put(items.get(i), items.get(i + 1));
            }
        } else if (target instanceof PythonObject object) {
            for (int i = 0; i < items.size(); i += 2) {
                object.putItem(items.get(i), items.get(i + 1));
            }
        } else {
            throw fail("set items on a " + PythonObject.typeName(target) + ", not a dict");
        }
    }

    /**
     * Refuses, as Python does, a list, dict or set (or a tuple holding one) as a dict key or set
     * element. Besides matching Python, this keeps hashing finite: such a value may contain itself.
     */
    private void requireHashable(Object value) {
        if (builders.containsKey(value)) {
            throw fail("unhashable type: " + PythonObject.typeName(value) + " used as a dict key or set element");
        }
        if (value instanceof PythonTuple tuple) {
            for (Object item : tuple) {
                requireHashable(item);
            }
        }
    }

    private List<Object> hashable(List<Object> items) {
        items.forEach(this::requireHashable);
        return items;
    }

    private void pushTuple(int size) {
        Object[] items = new Object[size];
        for (int i = size - 1; i >= 0; i--) {
            items[i] = pop();
        }
        push(PythonTuple.wrap(items));
    }

    // --- stack and memo ---

    private void push(Object value) {
        stack.add(value);
    }

    private int fence() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private Object pop() {
        if (stack.size() <= fence()) {
            throw fail(markCount == 0 ? "stack underflow" : "stack underflow (nothing above the MARK)");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= fence()) {
            throw fail(markCount == 0 ? "stack underflow" : "stack underflow (nothing above the MARK)");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() {
        if (markCount == 0) {
            throw fail("no MARK on the stack");
        }
        int start = marks[--markCount];
        List<Object> top = stack.subList(start, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long key) {
        Object value = memo.get(key);
        if (value == null && !memo.containsKey(key)) {
            throw fail("memo key " + key + " was never stored");
        }
        return value;
    }

    private long memoKey(String text) {
        if (!DECIMAL_INT.matcher(text).matches()) {
            throw fail("bad memo key '" + text + "'");
        }
        BigInteger key = new BigInteger(text);
        if (key.signum() < 0 || key.bitLength() > 62) {
            throw fail("bad memo key " + key);
        }
        return key.longValue();
    }

    // --- reading the input ---

    private PickleFormatException fail(String problem) {
        return new PickleFormatException(oid, problem, opStart, op);
    }

    private void require(long n) {
        if (n < 0 || n > data.length - pos) {
            throw fail("truncated record: needs " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes, "
                    + (data.length - pos) + " left");
        }
    }

    private int u8() {
        require(1);
        return data[pos++] & 0xFF;
    }

    private int u16() {
        require(2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    private int s32() {
        require(4);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16
                | (data[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return Integer.toUnsignedLong(s32());
    }

    /** An 8-byte little-endian length; one beyond 2^63 comes back negative and fails the next bounds check. */
    private long u64() {
        require(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (data[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    private long u64BigEndian() {
        require(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (data[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    private int nonNegative(int length) {
        if (length < 0) {
            throw fail("negative length " + length);
        }
        return length;
    }

    private byte[] bytes(long length) {
        require(length);
        byte[] out = Arrays.copyOfRange(data, pos, pos + (int) length);
        pos += (int) length;
        return out;
    }

    /** The bytes up to the next newline (consumed, not returned). */
    private byte[] line() {
        for (int i = pos; i < data.length; i++) {
            if (data[i] == '\n') {
                byte[] out = Arrays.copyOfRange(data, pos, i);
                pos = i + 1;
                return out;
            }
        }
        throw fail("truncated record: the opcode's text argument has no terminating newline");
    }

    // --- decoding arguments ---

    /** An opcode argument in one of pickle's text formats; a malformed one fails with this reader's error. */
    private <T> T argument(java.util.function.Function<byte[], T> format, byte[] line) {
        try {
            return format.apply(line);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private String ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                throw fail("the argument is not ASCII");
            }
        }
        return latin1(bytes);
    }

    /** A Python 2 str, read as Python 3 ZODB would with errors='bytes': text if ASCII, else bytes. */
    private static Object python2String(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return PythonBytes.wrap(bytes);
            }
        }
        return latin1(bytes);
    }

    /**
     * UTF-8 as Python's pickle reads it ({@code 'surrogatepass'}): strict, except that encoded lone
     * surrogates (which Python writes for such strings) are accepted.
     */
    private String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return utf8WithSurrogates(bytes);
        }
    }

    private String utf8WithSurrogates(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int extra;
            int cp;
            int min;
            if (c < 0x80) {
                out.append((char) c);
                i++;
                continue;
            } else if (c >= 0xC2 && c <= 0xDF) {
                extra = 1;
                cp = c & 0x1F;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                extra = 2;
                cp = c & 0x0F;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                extra = 3;
                cp = c & 0x07;
                min = 0x10000;
            } else {
                throw fail("text is not valid UTF-8");
            }
            if (i + extra >= b.length) {
                throw fail("text is not valid UTF-8");
            }
            for (int k = 1; k <= extra; k++) {
                int cont = b[i + k] & 0xFF;
                if ((cont & 0xC0) != 0x80) {
                    throw fail("text is not valid UTF-8");
                }
                cp = cp << 6 | (cont & 0x3F);
            }
            if (cp < min || cp > Character.MAX_CODE_POINT) {
                throw fail("text is not valid UTF-8");
            }
            out.appendCodePoint(cp);
            i += extra + 1;
        }
        return out.toString();
    }
}
