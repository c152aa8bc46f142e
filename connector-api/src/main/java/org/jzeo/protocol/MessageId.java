package org.jzeo.protocol;

import java.util.Arrays;
import java.util.List;

/**
 * A message id exactly as it travelled: the encoded msgpack bytes of the first element of a message, plus the
 * decoded Java view of them. Echoing a {@code MessageId} writes those bytes back untouched, which is how the
 * server keeps the promise of spec §3.1 (same msgpack type and value: an int for most calls, the array
 * {@code [oid, tid]} for {@code loadBefore}).
 *
 * <p>Immutable. Two ids are equal when their encodings are equal; every msgpack writer in this protocol (Python
 * and ours) uses the smallest encoding, so that is equality of type and value.
 */
public final class MessageId {
    /** The id of async calls and callbacks: int 0. */
    public static final MessageId ASYNC = of(0L);
    /** The id of the client's keep-alive message: int -1. Messages with it are ignored by the server. */
    public static final MessageId KEEP_ALIVE = of(-1L);

    private final byte[] encoded;
    private final Object value;

    private MessageId(byte[] encoded, Object value) {
        this.encoded = encoded;
        this.value = value;
    }

    /** Wraps bytes taken from a received payload; {@code value} is their decoded form. */
    static MessageId received(byte[] encoded, Object value) {
        return new MessageId(encoded, value);
    }

    /**
     * The id for a Java value, encoded by the rules of {@link MessageCodec} (for example {@code 7L}, or
     * {@code List.of(oid, tid)} for a loadBefore). A {@code MessageId} is returned as it is.
     */
    public static MessageId of(Object value) {
        if (value instanceof MessageId) {
            return (MessageId) value;
        }
        if (value instanceof Long n && n >= 0 && n <= 0x7f) {
            return new MessageId(new byte[] {(byte) n.longValue()}, n); // positive fixint, the common case
        }
        byte[] encoded = MessageCodec.encodeValue(value);
        try {
            // Decoding our own encoding gives the canonical Java view (Integer → Long, Oid → byte[], ...).
            return new MessageId(encoded, MessageCodec.decodeValue(encoded));
        } catch (MalformedMessageException e) {
            throw new IllegalStateException("cannot decode our own encoding of " + value, e);
        }
    }

    /**
     * The id {@code [a, b]} of two 8-byte bins, built without a msgpack round trip: loadBefore's
     * {@code [oid, tid]}, sent for every cache miss.
     */
    public static MessageId ofPair(byte[] a, byte[] b) {
        if (a.length != 8 || b.length != 8) {
            throw new IllegalArgumentException("ofPair takes two 8-byte values");
        }
        byte[] encoded = new byte[21];
        encoded[0] = (byte) 0x92;
        encoded[1] = (byte) 0xc4;
        encoded[2] = 8;
        System.arraycopy(a, 0, encoded, 3, 8);
        encoded[11] = (byte) 0xc4;
        encoded[12] = 8;
        System.arraycopy(b, 0, encoded, 13, 8);
        return new MessageId(encoded, List.of(a.clone(), b.clone()));
    }

    /**
     * The decoded id: a Long for ordinary ids (BigInteger beyond the long range), an unmodifiable List (of two
     * byte[] for loadBefore), or whatever other msgpack value the peer chose.
     */
    public Object value() {
        return value;
    }

    /** A copy of the encoded msgpack bytes. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The encoded bytes without a copy, for the encoder. */
    byte[] encodedBytes() {
        return encoded;
    }

    /** True for int -1, the keep-alive id (spec §3.4), whatever the rest of the message says. */
    public boolean isKeepAlive() {
        return value instanceof Long && (Long) value == -1L;
    }

    /** True for int 0, the id of async calls and callbacks. */
    public boolean isAsyncId() {
        return value instanceof Long && (Long) value == 0L;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId && Arrays.equals(((MessageId) o).encoded, encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return render(value);
    }

    private static String render(Object v) {
        if (v instanceof byte[]) {
            StringBuilder hex = new StringBuilder();
            for (byte b : (byte[]) v) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        }
        if (v instanceof List) {
            StringBuilder s = new StringBuilder("[");
            for (Object e : (List<?>) v) {
                s.append(s.length() > 1 ? ", " : "").append(render(e));
            }
            return s.append(']').toString();
        }
        return String.valueOf(v);
    }
}
