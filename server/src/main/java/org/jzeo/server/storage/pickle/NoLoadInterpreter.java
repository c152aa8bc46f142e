package org.jzeo.server.storage.pickle;

import org.jzeo.objects.python.PickleOpcodes;

import static org.jzeo.objects.python.PickleOpcodes.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A "no-load" pickle interpreter (spec filestorage-format.md §10.2): it executes every opcode of
 * protocols 0–5 for its effect on the stack, mark stack and memo, but builds nothing except what is
 * needed to recognise a persistent id. Classes are never imported and objects never created; lists,
 * dicts, sets and objects are opaque placeholders. Tuples, byte strings and text strings are kept
 * because a persistent id is made of them.
 *
 * <p>One instance runs the pickles of one record in turn and shares its memo between them, because
 * ZODB writes both pickles of a record with one Pickler and the state pickle may BINGET what the
 * class pickle memoized.
 *
 * <p>Anything it does not understand (unknown opcode, truncation, stack underflow, missing memo
 * key, a persistent id of an unexpected shape) is a {@link PickleException}: for garbage collection a
 * guess could drop a reachable object.
 */
final class NoLoadInterpreter {
    /** Placeholders for values whose content never matters for references. */
    private enum Opaque { LIST, DICT, SET, OBJECT, SCALAR, NONE }

    /** A Python {@code str} kept as its UTF-8 bytes; decoded only if it turns out to be an oid. */
    private record Utf8(byte[] bytes) {}

    private record Tuple(Object[] items) {}

    private final byte[] data;
    private final Consumer<byte[]> strongReferences;
    private final Map<Long, Object> memo = new HashMap<>();
    private PickleInput in;
    private PickleStack stack;

    /**
     * @param strongReferences receives the 8 oid bytes of every strong reference, in pickle order
     */
    NoLoadInterpreter(byte[] data, Consumer<byte[]> strongReferences) {
        this.data = data;
        this.strongReferences = strongReferences;
    }

    /** Runs the pickle that starts at {@code start} through its STOP; returns the offset after STOP. */
    int run(int start) {
        in = new PickleInput(data, start);
        stack = new PickleStack();
        while (true) {
            int op = in.nextOpcode();
            if (op == STOP) {
                stack.pop(in);
                return in.position();
            }
            execute(op);
        }
    }

    private void execute(int op) {
        if (ControlOpcodes.execute(op, in, stack)) {
            return;
        }
        switch (op) {

            case PERSID -> {
                persistentId(in.line());
                stack.push(Opaque.OBJECT);
            }
            case BINPERSID -> {
                persistentId(stack.pop(in));
                stack.push(Opaque.OBJECT);
            }

            case NONE -> stack.push(Opaque.NONE);
            case NEWTRUE, NEWFALSE -> stack.push(Opaque.SCALAR);
            case INT, LONG, FLOAT -> {
                in.line();
                stack.push(Opaque.SCALAR);
            }
            case BININT -> scalar(4);
            case BININT1 -> scalar(1);
            case BININT2 -> scalar(2);
            case BINFLOAT -> scalar(8);
            case LONG1 -> scalar(in.u8());
            case LONG4 -> scalar(nonNegative(in.s32()));

            case SHORT_BINBYTES -> stack.push(in.bytes(in.u8()));
            case BINBYTES -> stack.push(in.bytes(in.u32()));
            case BINBYTES8 -> stack.push(in.bytes(in.u64()));
            case SHORT_BINSTRING -> stack.push(in.bytes(in.u8()));
            case BINSTRING -> stack.push(in.bytes(nonNegative(in.s32())));
            case STRING -> stack.push(PickleDecoding.quotedString(in.line(), in));
            case SHORT_BINUNICODE -> stack.push(new Utf8(in.bytes(in.u8())));
            case BINUNICODE -> stack.push(new Utf8(in.bytes(in.u32())));
            case BINUNICODE8 -> stack.push(new Utf8(in.bytes(in.u64())));
            case UNICODE -> stack.push(PickleDecoding.rawUnicodeEscape(in.line(), in));
            case BYTEARRAY8 -> scalar(in.u64());
            case NEXT_BUFFER -> stack.push(Opaque.OBJECT);
            case READONLY_BUFFER -> stack.peek(in);

            case EMPTY_TUPLE -> stack.push(new Tuple(new Object[0]));
            case TUPLE1 -> pushTuple(1);
            case TUPLE2 -> pushTuple(2);
            case TUPLE3 -> pushTuple(3);
            case TUPLE -> stack.push(new Tuple(stack.popToMark(in).toArray()));
            case EMPTY_LIST -> stack.push(Opaque.LIST);
            case LIST -> {
                stack.popToMark(in);
                stack.push(Opaque.LIST);
            }
            case APPEND -> {
                stack.pop(in);
                stack.peek(in);
            }
            case APPENDS, ADDITEMS -> {
                stack.popToMark(in);
                stack.peek(in);
            }
            case EMPTY_DICT -> stack.push(Opaque.DICT);
            case DICT -> {
                evenItems(stack.popToMark(in));
                stack.push(Opaque.DICT);
            }
            case SETITEM -> {
                stack.pop(in);
                stack.pop(in);
                stack.peek(in);
            }
            case SETITEMS -> {
                evenItems(stack.popToMark(in));
                stack.peek(in);
            }
            case EMPTY_SET -> stack.push(Opaque.SET);
            case FROZENSET -> {
                stack.popToMark(in);
                stack.push(Opaque.SET);
            }

            case GLOBAL -> {
                in.line();
                in.line();
                stack.push(Opaque.OBJECT);
            }
            case STACK_GLOBAL, REDUCE, NEWOBJ -> replace(2);
            case NEWOBJ_EX -> replace(3);
            case BUILD -> {
                stack.pop(in);
                stack.peek(in);
            }
            case OBJ -> {
                if (stack.popToMark(in).isEmpty()) {
                    throw in.error("OBJ without a class on the stack");
                }
                stack.push(Opaque.OBJECT);
            }
            case INST -> {
                in.line();
                in.line();
                stack.popToMark(in);
                stack.push(Opaque.OBJECT);
            }
            case EXT1 -> scalarObject(1);
            case EXT2 -> scalarObject(2);
            case EXT4 -> scalarObject(4);

            case PUT -> memo.put(PickleDecoding.memoKey(in.line(), in), stack.peek(in));
            case BINPUT -> memo.put((long) in.u8(), stack.peek(in));
            case LONG_BINPUT -> memo.put(in.u32(), stack.peek(in));
            case MEMOIZE -> memo.put((long) memo.size(), stack.peek(in));
            case GET -> stack.push(memoGet(PickleDecoding.memoKey(in.line(), in)));
            case BINGET -> stack.push(memoGet(in.u8()));
            case LONG_BINGET -> stack.push(memoGet(in.u32()));

            default -> throw in.error("unknown pickle opcode");
        }
    }

    /**
     * Applies the rule of ZODB's {@code referencesf} (spec §10.1): a tuple's element 0 and a bare
     * bytes/str are strong references; a list is a weak or cross-database reference and is ignored;
     * anything else is an error, as it is in Python.
     */
    private void persistentId(Object pid) {
        if (pid == Opaque.LIST) {
            return;
        }
        Object oid = pid;
        if (pid instanceof Tuple tuple) {
            if (tuple.items().length == 0) {
                throw in.error("persistent id is an empty tuple");
            }
            oid = tuple.items()[0];
        }
        strongReferences.accept(oidBytes(oid));
    }

    private byte[] oidBytes(Object value) {
        byte[] bytes;
        if (value instanceof byte[] b) {
            bytes = b;
        } else if (value instanceof Utf8 text) {
            bytes = latin1(PickleDecoding.utf8(text.bytes(), in));
        } else if (value instanceof String text) {
            bytes = latin1(text);
        } else {
            throw in.error("persistent id holds " + describe(value) + " where an oid (bytes or str) belongs");
        }
        if (bytes.length != 8) {
            throw in.error("persistent id oid is " + bytes.length + " bytes long, an oid is 8");
        }
        return bytes;
    }

    /** Python 2 oids that Python 3 reads as {@code str} hold one byte per character. */
    private byte[] latin1(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0xFF) {
                throw in.error("persistent id oid is a str with a character above U+00FF");
            }
            out[i] = (byte) c;
        }
        return out;
    }

    private static String describe(Object value) {
        if (value instanceof Opaque o) {
            return switch (o) {
                case LIST -> "a list";
                case DICT -> "a dict";
                case SET -> "a set";
                case OBJECT -> "an object";
                case SCALAR -> "a number or bool";
                case NONE -> "None";
            };
        }
        return value instanceof Tuple ? "a tuple" : "a " + value.getClass().getSimpleName();
    }

    private void scalar(long argumentLength) {
        in.skip(argumentLength);
        stack.push(Opaque.SCALAR);
    }

    private void scalarObject(int codeLength) {
        in.skip(codeLength);
        stack.push(Opaque.OBJECT);
    }

    /** Pops {@code n} values and pushes one opaque object in their place (REDUCE and friends). */
    private void replace(int n) {
        for (int i = 0; i < n; i++) {
            stack.pop(in);
        }
        stack.push(Opaque.OBJECT);
    }

    private void pushTuple(int size) {
        Object[] items = new Object[size];
        for (int i = size - 1; i >= 0; i--) {
            items[i] = stack.pop(in);
        }
        stack.push(new Tuple(items));
    }

    private void evenItems(List<Object> items) {
        if (items.size() % 2 != 0) {
            throw in.error("odd number of items for a dict (" + items.size() + ")");
        }
    }

    private long nonNegative(int length) {
        if (length < 0) {
            throw in.error("negative length " + length);
        }
        return length;
    }

    private Object memoGet(long key) {
        Object value = memo.get(key);
        if (value == null) {
            throw in.error("memo key " + key + " is missing");
        }
        return value;
    }
}
