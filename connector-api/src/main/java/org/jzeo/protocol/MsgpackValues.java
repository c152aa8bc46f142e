package org.jzeo.protocol;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The Java ⇄ msgpack value mapping documented on {@link MessageCodec}. Writing always uses the smallest
 * encoding of each value, which is what Python's {@code msgpack.packb(..., use_bin_type=True)} produces, so a
 * value decoded from a Python frame re-encodes to the same bytes.
 */
final class MsgpackValues {
    /** ZEO messages are a few levels deep; the bound turns a hostile nesting into an error, not a stack overflow. */
    static final int MAX_DEPTH = 64;

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);

    private MsgpackValues() {
    }

    // ---------------------------------------------------------------- writing

    static void write(MessagePacker packer, Object value) throws IOException {
        write(packer, value, 0);
    }

    private static void write(MessagePacker packer, Object value, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new WireEncodingException("value nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
        }
        if (value == null) {
            packer.packNil();
        } else if (value instanceof byte[]) {
            byte[] bytes = (byte[]) value;
            packer.packBinaryHeader(bytes.length);
            packer.writePayload(bytes);
        } else if (value instanceof Oid) {
            writeBin8(packer, ((Oid) value).value());
        } else if (value instanceof Tid) {
            writeBin8(packer, ((Tid) value).value());
        } else if (value instanceof String) {
            writeString(packer, (String) value);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            // packLong picks the smallest form (fixint, uint8..uint64 for non-negatives, int8..int64 otherwise),
            // exactly as Python's msgpack does.
            packer.packLong(((Number) value).longValue());
        } else if (value instanceof BigInteger) {
            writeBigInteger(packer, (BigInteger) value);
        } else if (value instanceof Double || value instanceof Float) {
            // Python packs every float as float64 (use_single_float is off).
            packer.packDouble(((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
            packer.packBoolean((Boolean) value);
        } else if (value instanceof MessageId) {
            packer.writePayload(((MessageId) value).encodedBytes());
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            packer.packArrayHeader(list.size());
            for (Object element : list) {
                write(packer, element, depth + 1);
            }
        } else if (value instanceof Object[]) {
            Object[] array = (Object[]) value;
            packer.packArrayHeader(array.length);
            for (Object element : array) {
                write(packer, element, depth + 1);
            }
        } else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            packer.packMapHeader(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object key = entry.getKey();
                // msgpack >= 1.0 on the Python side refuses other key types (strict_map_key).
                if (!(key instanceof String) && !(key instanceof byte[])) {
                    throw new WireEncodingException("map keys must be String or byte[], got " + javaType(key));
                }
                write(packer, key, depth + 1);
                write(packer, entry.getValue(), depth + 1);
            }
        } else {
            throw new WireEncodingException("no msgpack encoding for " + javaType(value));
        }
    }

    private static void writeBin8(MessagePacker packer, long value) throws IOException {
        packer.packBinaryHeader(8);
        packer.writePayload(ByteBuffer.allocate(8).putLong(value).array());
    }

    private static void writeString(MessagePacker packer, String s) throws IOException {
        byte[] utf8 = utf8(s);
        // Our own header choice (fixstr, str8, str16, str32 by byte length) rather than packString's
        // size estimate, so the form is always the minimal one Python writes.
        packer.packRawStringHeader(utf8.length);
        packer.writePayload(utf8);
    }

    static byte[] utf8(String s) {
        if (!hasSurrogate(s)) {
            return s.getBytes(StandardCharsets.UTF_8); // the JDK's fast path; it is exact without surrogates
        }
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            // Python refuses to encode lone surrogates too; silently writing '?' would corrupt data.
            throw new WireEncodingException("string is not valid Unicode (lone surrogate): " + e.getMessage());
        }
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static void writeBigInteger(MessagePacker packer, BigInteger value) throws IOException {
        if (value.compareTo(LONG_MIN) < 0 || value.compareTo(TWO_64) >= 0) {
            throw new WireEncodingException("integer " + value + " is outside msgpack's range [-2^63, 2^64)");
        }
        if (value.bitLength() < 64) {
            packer.packLong(value.longValue());
        } else {
            packer.packBigInteger(value); // 2^63 .. 2^64-1: uint64
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads one value. {@code limit} is the payload length: a declared array, map, str or bin size that cannot
     * fit in what is left is refused before anything of that size is allocated.
     */
    static Object read(MessageUnpacker unpacker, long limit) throws IOException, MalformedMessageException {
        return read(unpacker, limit, 0);
    }

    private static Object read(MessageUnpacker unpacker, long limit, int depth)
            throws IOException, MalformedMessageException {
        if (depth > MAX_DEPTH) {
            throw new MalformedMessageException("msgpack value nested deeper than " + MAX_DEPTH + " levels");
        }
        MessageFormat format = unpacker.getNextFormat();
        if (format == MessageFormat.NEVER_USED) {
            throw new MalformedMessageException("invalid msgpack byte 0xc1 at offset " + unpacker.getTotalReadBytes());
        }
        ValueType type = format.getValueType();
        switch (type) {
            case NIL:
                unpacker.unpackNil();
                return null;
            case BOOLEAN:
                return unpacker.unpackBoolean();
            case INTEGER:
                if (format == MessageFormat.UINT64) {
                    BigInteger big = unpacker.unpackBigInteger();
                    return big.bitLength() < 64 ? (Object) big.longValue() : big;
                }
                return unpacker.unpackLong();
            case FLOAT:
                // float32 never comes from Python, but it is still a float: widen it as Python does.
                return format == MessageFormat.FLOAT32 ? (double) unpacker.unpackFloat() : unpacker.unpackDouble();
            case STRING: {
                int length = unpacker.unpackRawStringHeader();
                return decodeUtf8(readPayload(unpacker, length, limit, "str"));
            }
            case BINARY: {
                int length = unpacker.unpackBinaryHeader();
                return readPayload(unpacker, length, limit, "bin");
            }
            case ARRAY: {
                int size = unpacker.unpackArrayHeader();
                checkCount(unpacker, size, limit, "array");
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(read(unpacker, limit, depth + 1));
                }
                return Collections.unmodifiableList(list);
            }
            case MAP: {
                int size = unpacker.unpackMapHeader();
                checkCount(unpacker, size, limit, "map");
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    Object key = read(unpacker, limit, depth + 1);
                    if (!(key instanceof String) && !(key instanceof byte[])) {
                        // Python's unpackb (strict_map_key) refuses these too.
                        throw new MalformedMessageException("map key must be str or bin, got " + wireType(key));
                    }
                    map.put(key, read(unpacker, limit, depth + 1));
                }
                return Collections.unmodifiableMap(map);
            }
            case EXTENSION:
                throw new MalformedMessageException("msgpack extension types are not used by ZEO (format "
                        + format + ")");
            default:
                throw new MalformedMessageException("unexpected msgpack format " + format);
        }
    }

    private static void checkCount(MessageUnpacker unpacker, int count, long limit, String what)
            throws MalformedMessageException {
        // Every element takes at least one byte; a bigger count is a lie (or truncation) and must not size a list.
        long left = limit - unpacker.getTotalReadBytes();
        if (count < 0 || count > left) {
            throw new MalformedMessageException(what + " of " + Integer.toUnsignedString(count)
                    + " elements announced with only " + left + " bytes left (truncated message)");
        }
    }

    private static byte[] readPayload(MessageUnpacker unpacker, int length, long limit, String what)
            throws IOException, MalformedMessageException {
        long left = limit - unpacker.getTotalReadBytes();
        if (length < 0 || length > left) {
            throw new MalformedMessageException(what + " of " + Integer.toUnsignedString(length)
                    + " bytes announced with only " + left + " bytes left (truncated message)");
        }
        return unpacker.readPayload(length);
    }

    private static String decodeUtf8(byte[] bytes) throws MalformedMessageException {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.US_ASCII); // method names and keys: no decoder needed
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            // Python decodes with raw=False, errors='strict': such a str fails to unpack there as well.
            throw new MalformedMessageException("str is not valid UTF-8", e);
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- naming

    /** The msgpack type name of a decoded value, for error messages ("bin (7 bytes)", "str", "nil", ...). */
    static String wireType(Object value) {
        if (value == null) {
            return "nil";
        } else if (value instanceof byte[]) {
            int length = ((byte[]) value).length;
            return "bin (" + length + (length == 1 ? " byte)" : " bytes)");
        } else if (value instanceof String) {
            return "str";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Long || value instanceof BigInteger || value instanceof Integer
                || value instanceof Short || value instanceof Byte) {
            return "int";
        } else if (value instanceof Double || value instanceof Float) {
            return "float";
        } else if (value instanceof List || value instanceof Object[]) {
            return "array";
        } else if (value instanceof Map) {
            return "map";
        } else if (value instanceof Oid || value instanceof Tid) {
            return "bin (8 bytes)";
        }
        return javaType(value);
    }

    private static String javaType(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
