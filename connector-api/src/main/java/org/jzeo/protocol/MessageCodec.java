package org.jzeo.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Encodes and decodes the payloads of ZEO 5 msgpack messages {@code [msgid, flag, name, args]} (protocol spec §3)
 * so that what it writes is byte-for-byte what the Python ZEO 5.4 server or client writes for the same values.
 * Stateless and thread-safe; works on byte arrays only (framing is {@link SizedMessageDecoder}'s job).
 *
 * <h2>Java → msgpack (encoding)</h2>
 * <table>
 *   <caption>encoding rules</caption>
 *   <tr><th>Java</th><th>msgpack</th></tr>
 *   <tr><td>{@code byte[]}</td><td>bin (Python bytes: oids, tids, pickles, user, description)</td></tr>
 *   <tr><td>{@link org.jzeo.api.Oid}, {@link org.jzeo.api.Tid}</td><td>bin of 8 bytes, big-endian</td></tr>
 *   <tr><td>{@code String}</td><td>str (UTF-8; method names, map keys, class names)</td></tr>
 *   <tr><td>{@code Long, Integer, Short, Byte}</td><td>int, smallest form (fixint, uint8..uint64 for values
 *       &ge; 0, int8..int64 below), as Python's msgpack chooses</td></tr>
 *   <tr><td>{@code BigInteger}</td><td>int; uint64 for 2^63..2^64-1; outside [-2^63, 2^64) refused</td></tr>
 *   <tr><td>{@code Double, Float}</td><td>float64</td></tr>
 *   <tr><td>{@code Boolean}</td><td>bool</td></tr>
 *   <tr><td>{@code null}</td><td>nil</td></tr>
 *   <tr><td>{@code List, Object[]}</td><td>array</td></tr>
 *   <tr><td>{@code Map}</td><td>map in iteration order; keys must be String or byte[]</td></tr>
 *   <tr><td>{@link MessageId}</td><td>its received bytes, verbatim</td></tr>
 * </table>
 * Anything else raises {@link WireEncodingException}; nothing is written then.
 *
 * <h2>msgpack → Java (decoding)</h2>
 * bin → {@code byte[]}; str → {@code String} (strict UTF-8); int → {@code Long}, or {@code BigInteger} beyond
 * the long range; float32/float64 → {@code Double}; bool → {@code Boolean}; nil → {@code null}; array →
 * unmodifiable {@code List<Object>}; map → unmodifiable {@code Map<Object,Object>} keeping the wire order
 * (keys are String or byte[]; others are refused like Python's strict_map_key does). Extension types and
 * trailing bytes are refused. Oids and tids arrive as {@code byte[]}: {@link Args} converts them.
 *
 * <p>Decoding a value and encoding it again gives the same bytes for everything Python writes: this is what
 * {@code WireVectorReplayTest} proves against captured sessions.
 */
public final class MessageCodec {
    private static final byte[] KEEP_ALIVE = {
        (byte) 0x94, (byte) 0xff, 0x00, (byte) 0xa6, '.', 'r', 'e', 'p', 'l', 'y', (byte) 0xc0};
    private static final Long FLAG_REPLY = 0L;
    private static final Long FLAG_ERROR = 2L;
    private static final MessagePack.PackerConfig SMALL_FIRST_BUFFER =
            new MessagePack.PackerConfig().withBufferSize(512);

    public MessageCodec() {
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes one payload. The payload must be exactly one msgpack array of 4 elements: any msgid; a bool or int
     * flag; a str name; for calls an array of arguments, for {@code ".reply"} any result, and for an error reply
     * (truthy flag) a 2-element array {@code [str class_name, map or array exc_args]}. Keep-alives (msgid -1)
     * are only checked for the envelope, as the server ignores them whatever they say.
     *
     * @throws MalformedMessageException with the reason, for anything else (the connection should be closed)
     */
    public WireMessage decode(byte[] payload) throws MalformedMessageException {
        if (payload.length == 0) {
            throw new MalformedMessageException("empty payload: expected a msgpack array [msgid, flag, name, args]");
        }
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(payload)) {
            MessageFormat format = unpacker.getNextFormat();
            if (format == MessageFormat.NEVER_USED || format.getValueType() != ValueType.ARRAY) {
                throw new MalformedMessageException("expected a msgpack array [msgid, flag, name, args], got "
                        + describeFormat(format));
            }
            int size = unpacker.unpackArrayHeader();
            if (size != 4) {
                throw new MalformedMessageException("expected an array of 4 elements [msgid, flag, name, args], got "
                        + Integer.toUnsignedString(size) + " elements");
            }
            long limit = payload.length;
            int idStart = (int) unpacker.getTotalReadBytes();
            Object idValue = MsgpackValues.read(unpacker, limit);
            byte[] idBytes = Arrays.copyOfRange(payload, idStart, (int) unpacker.getTotalReadBytes());
            MessageId msgid = MessageId.received(idBytes, idValue);

            Object flag = MsgpackValues.read(unpacker, limit);
            if (!(flag instanceof Boolean) && !(flag instanceof Number)) {
                throw new MalformedMessageException("flag must be bool or int, got " + MsgpackValues.wireType(flag));
            }
            Object name = MsgpackValues.read(unpacker, limit);
            if (!(name instanceof String)) {
                throw new MalformedMessageException("method name must be str, got " + MsgpackValues.wireType(name));
            }
            Object body = MsgpackValues.read(unpacker, limit);
            if (unpacker.hasNext()) {
                throw new MalformedMessageException((payload.length - unpacker.getTotalReadBytes())
                        + " trailing bytes after the message array");
            }
            WireMessage message = new WireMessage(msgid, flag, (String) name, body);
            checkBody(message, body);
            return message;
        } catch (MessagePackException e) {
            // Truncation (MessageInsufficientBufferException), oversized headers, invalid format bytes.
            throw new MalformedMessageException("not valid msgpack: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MalformedMessageException("not valid msgpack: " + e.getMessage(), e);
        }
    }

    private static void checkBody(WireMessage message, Object body) throws MalformedMessageException {
        if (message.isCall()) {
            if (!(body instanceof List)) {
                throw new MalformedMessageException("arguments of " + message.name() + " must be an array, got "
                        + MsgpackValues.wireType(body));
            }
        } else if (message.isError()) {
            // The Python client unpacks it as `class_, args = args`.
            if (!(body instanceof List) || ((List<?>) body).size() != 2) {
                throw new MalformedMessageException("an error reply must carry [class_name, exc_args], got "
                        + MsgpackValues.wireType(body) + (body instanceof List ? " of " + ((List<?>) body).size()
                        + " elements" : ""));
            }
            List<?> pair = (List<?>) body;
            if (!(pair.get(0) instanceof String)) {
                throw new MalformedMessageException("error class name must be str, got "
                        + MsgpackValues.wireType(pair.get(0)));
            }
            if (!(pair.get(1) instanceof Map) && !(pair.get(1) instanceof List)) {
                throw new MalformedMessageException("error exc_args must be a map or an array, got "
                        + MsgpackValues.wireType(pair.get(1)));
            }
        }
    }

    private static String describeFormat(MessageFormat format) {
        if (format == MessageFormat.NEVER_USED) {
            return "the invalid byte 0xc1";
        }
        return format.getValueType().name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---------------------------------------------------------------- encoding

    /** A normal reply {@code [msgid, 0, ".reply", result]}; the msgid is echoed byte for byte. */
    public byte[] encodeReply(MessageId msgid, Object result) {
        return encodeMessage(msgid, FLAG_REPLY, WireMessage.REPLY, result);
    }

    /**
     * An error reply {@code [msgid, 2, ".reply", [className, excArgs]]}. {@code excArgs} is the exception's
     * attribute map, or its args array (List or Object[]) when the map would be empty (spec §3.2).
     */
    public byte[] encodeError(MessageId msgid, String className, Object excArgs) {
        if (className == null) {
            throw new IllegalArgumentException("className is required");
        }
        if (!(excArgs instanceof Map) && !(excArgs instanceof List) && !(excArgs instanceof Object[])) {
            throw new IllegalArgumentException("excArgs must be a Map or a List, got "
                    + MsgpackValues.wireType(excArgs));
        }
        return encodeMessage(msgid, FLAG_ERROR, WireMessage.REPLY, Arrays.asList(className, excArgs));
    }

    /** {@link #encodeError(MessageId, String, Object)} for a mapped exception. */
    public byte[] encodeError(MessageId msgid, WireError error) {
        return encodeError(msgid, error.className(), error.excArgs());
    }

    /** A server → client callback {@code [0, true, name, args]} (spec §3.3); it is never answered. */
    public byte[] encodeCallback(String name, List<?> args) {
        return encodeMessage(MessageId.ASYNC, Boolean.TRUE, requireName(name), args);
    }

    /**
     * A client → server call {@code [msgid, async, name, args]} with a boolean flag, as the Python client sends.
     * {@code msgid} is a {@link MessageId} or a Java value (0 for async calls, 1, 2, ... for sync calls, the
     * list {@code [oid, tid]} for loadBefore).
     */
    public byte[] encodeCall(Object msgid, boolean async, String name, List<?> args) {
        return encodeMessage(MessageId.of(msgid), async, requireName(name), args);
    }

    /** The client's keep-alive {@code [-1, 0, ".reply", nil]} (spec §3.4), exactly as Python sends it. */
    public byte[] encodeKeepAlive() {
        return KEEP_ALIVE.clone();
    }

    private static String requireName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("method name is required");
        }
        return name;
    }

    private static byte[] encodeMessage(MessageId msgid, Object flag, String name, Object body) {
        if (msgid == null) {
            throw new IllegalArgumentException("msgid is required");
        }
        // Most messages are small; the default 8 KiB first buffer made most of the garbage of a commit.
        MessageBufferPacker packer = SMALL_FIRST_BUFFER.newBufferPacker();
        try {
            packer.packArrayHeader(4);
            MsgpackValues.write(packer, msgid);
            MsgpackValues.write(packer, flag);
            MsgpackValues.write(packer, name);
            MsgpackValues.write(packer, body);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e); // cannot happen with a buffer packer
        }
    }

    // ---------------------------------------------------------------- single values

    /** Encodes one value by the rules above (for tests, tools and {@link MessageId#of(Object)}). */
    public static byte[] encodeValue(Object value) {
        MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
        try {
            MsgpackValues.write(packer, value);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
    }

    /** Decodes exactly one value by the rules above; trailing bytes are an error. */
    public static Object decodeValue(byte[] encoded) throws MalformedMessageException {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(encoded)) {
            if (!unpacker.hasNext()) {
                throw new MalformedMessageException("no msgpack value in an empty buffer");
            }
            Object value = MsgpackValues.read(unpacker, encoded.length);
            if (unpacker.hasNext()) {
                throw new MalformedMessageException((encoded.length - unpacker.getTotalReadBytes())
                        + " trailing bytes after the value");
            }
            return value;
        } catch (MessagePackException | IOException e) {
            throw new MalformedMessageException("not valid msgpack: " + e.getMessage(), e);
        }
    }
}
