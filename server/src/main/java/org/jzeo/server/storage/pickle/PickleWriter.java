package org.jzeo.server.storage.pickle;

import org.jzeo.objects.python.PickleOpcodes;

import static org.jzeo.objects.python.PickleOpcodes.*;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pickles a transaction extension dict for the extension field of a Data.fs transaction header
 * (spec filestorage-format.md §3.2), in pickle protocol 3 as ZODB 5/6 on Python 3 writes it.
 *
 * <p>Guarantees: the output loads with Python's {@code pickle.loads} (and ZODB's
 * {@code zodbpickle} loads with {@code encoding='ASCII', errors='bytes'}) into an equal dict; it
 * never uses a memo, so it is byte-for-byte what Python's pickler writes in "fast" mode for dicts
 * and lists of two or more items (Python writes a lone item with SETITEM/APPEND instead of
 * MARK … SETITEMS/APPENDS; both load the same). The 65535-byte limit of the extension field is the
 * caller's to check.
 *
 * <p>Supported values (anything else is an {@link IllegalArgumentException}):
 *
 * <ul>
 *   <li>{@link String} → {@code str} (BINUNICODE; unpaired surrogates are refused)
 *   <li>{@code byte[]} → {@code bytes} (SHORT_BINBYTES / BINBYTES)
 *   <li>{@link Integer}, {@link Long}, {@link BigInteger} → {@code int} (BININT1 / BININT2 /
 *       BININT when it fits in 32 bits, else LONG1 / LONG4)
 *   <li>{@link Double}, {@link Float} → {@code float} (BINFLOAT)
 *   <li>{@link Boolean} → {@code bool}; {@code null} → {@code None}
 *   <li>{@link List} → {@code list}; {@code Object[]} → {@code tuple}
 *   <li>{@link Map} → {@code dict}. Top-level keys must be Strings. Nested keys may be any
 *       supported value that Python can hash (not a List or Map).
 * </ul>
 *
 * Cyclic containers are refused. Stateless and thread-safe.
 */
public final class PickleWriter {
    private static final int PROTOCOL = 3;
    private static final BigInteger INT32_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Set<Object> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

    private PickleWriter() {}

    /**
     * Pickles {@code dict}: PROTO 3, EMPTY_DICT, then, if it is not empty, MARK, the key/value pairs
     * in iteration order, SETITEMS; then STOP.
     *
     * @return the pickle, or an empty array for an empty map (the extension field is then empty)
     * @throws IllegalArgumentException for a non-String key or an unsupported value
     */
    public static byte[] pickleDict(Map<String, Object> dict) {
        Objects.requireNonNull(dict, "dict");
        if (dict.isEmpty()) {
            return new byte[0];
        }
        for (Object key : dict.keySet()) {
            if (!(key instanceof String)) {
                throw new IllegalArgumentException("extension keys must be Strings, got "
                        + describe(key));
            }
        }
        PickleWriter writer = new PickleWriter();
        writer.out.write(PROTO);
        writer.out.write(PROTOCOL);
        writer.write(dict);
        writer.out.write(STOP);
        return writer.out.toByteArray();
    }

    private void write(Object value) {
        if (value == null) {
            out.write(NONE);
        } else if (value instanceof String s) {
            writeSized(BINUNICODE, utf8(s));
        } else if (value instanceof byte[] b) {
            writeBytes(b);
        } else if (value instanceof Boolean b) {
            out.write(b ? NEWTRUE : NEWFALSE);
        } else if (value instanceof Integer || value instanceof Long) {
            writeInt(BigInteger.valueOf(((Number) value).longValue()));
        } else if (value instanceof BigInteger b) {
            writeInt(b);
        } else if (value instanceof Double || value instanceof Float) {
            out.write(BINFLOAT);
            out.writeBytes(ByteBuffer.allocate(8).putDouble(((Number) value).doubleValue()).array());
        } else if (value instanceof List<?> list) {
            enter(list);
            writeList(list);
            inProgress.remove(list);
        } else if (value instanceof Object[] tuple) {
            enter(tuple);
            writeTuple(tuple);
            inProgress.remove(tuple);
        } else if (value instanceof Map<?, ?> map) {
            enter(map);
            writeDict(map);
            inProgress.remove(map);
        } else {
            throw new IllegalArgumentException("cannot pickle a " + describe(value)
                    + " in a transaction extension");
        }
    }

    private void enter(Object container) {
        if (!inProgress.add(container)) {
            throw new IllegalArgumentException("cyclic container in a transaction extension");
        }
    }

    private void writeBytes(byte[] b) {
        if (b.length < 256) {
            out.write(SHORT_BINBYTES);
            out.write(b.length);
            out.writeBytes(b);
        } else {
            writeSized(BINBYTES, b);
        }
    }

    private void writeSized(int opcode, byte[] payload) {
        out.write(opcode);
        writeLe32(payload.length);
        out.writeBytes(payload);
    }

    private void writeInt(BigInteger v) {
        if (v.signum() >= 0 && v.bitLength() <= 8) {
            out.write(BININT1);
            out.write(v.intValue());
        } else if (v.signum() >= 0 && v.bitLength() <= 16) {
            out.write(BININT2);
            out.write(v.intValue() & 0xFF);
            out.write(v.intValue() >>> 8);
        } else if (v.compareTo(INT32_MIN) >= 0 && v.compareTo(INT32_MAX) <= 0) {
            out.write(BININT);
            writeLe32(v.intValue());
        } else {
            // Minimal two's complement, little-endian: what Python's encode_long produces.
            byte[] be = v.toByteArray();
            if (be.length < 256) {
                out.write(LONG1);
                out.write(be.length);
            } else {
                out.write(LONG4);
                writeLe32(be.length);
            }
            for (int i = be.length - 1; i >= 0; i--) {
                out.write(be[i]);
            }
        }
    }

    private void writeList(List<?> list) {
        out.write(EMPTY_LIST);
        if (!list.isEmpty()) {
            out.write(MARK);
            for (Object item : list) {
                write(item);
            }
            out.write(APPENDS);
        }
    }

    private void writeTuple(Object[] tuple) {
        switch (tuple.length) {
            case 0 -> out.write(EMPTY_TUPLE);
            case 1, 2, 3 -> {
                for (Object item : tuple) {
                    write(item);
                }
                out.write(TUPLE1 + tuple.length - 1);
            }
            default -> {
                out.write(MARK);
                for (Object item : tuple) {
                    write(item);
                }
                out.write(TUPLE);
            }
        }
    }

    private void writeDict(Map<?, ?> dict) {
        out.write(EMPTY_DICT);
        if (dict.isEmpty()) {
            return;
        }
        out.write(MARK);
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            checkHashable(e.getKey());
            write(e.getKey());
            write(e.getValue());
        }
        out.write(SETITEMS);
    }

    /** Python refuses unhashable dict keys when loading; refuse them here instead. */
    private static void checkHashable(Object key) {
        if (key instanceof List<?> || key instanceof Map<?, ?>) {
            throw new IllegalArgumentException("a " + describe(key) + " cannot be a dict key");
        }
        if (key instanceof Object[] tuple) {
            for (Object item : tuple) {
                checkHashable(item);
            }
        }
    }

    private void writeLe32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    private static byte[] utf8(String s) {
        try {
            ByteBuffer buf = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string with an unpaired surrogate cannot be pickled: "
                    + e.getMessage(), e);
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
