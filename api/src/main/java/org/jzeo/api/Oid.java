package org.jzeo.api;

import java.nio.ByteBuffer;

/**
 * An object id: 8 bytes, compared as an unsigned big-endian number (which is the same as comparing
 * the bytes lexicographically, as ZODB does). Immutable.
 */
public final class Oid implements Comparable<Oid>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The root object's oid, {@code z64}. */
    public static final Oid ROOT = new Oid(0L);

    private final long value;

    private Oid(long value) {
        this.value = value;
    }

    /** The oid whose 8 big-endian bytes are those of {@code value} (read as unsigned). */
    public static Oid of(long value) {
        return value == 0L ? ROOT : new Oid(value);
    }

    /** Reads 8 bytes; anything else is a caller error. */
    public static Oid fromBytes(byte[] bytes) {
        if (bytes.length != 8) {
            throw new IllegalArgumentException("an oid is 8 bytes, got " + bytes.length);
        }
        return of(ByteBuffer.wrap(bytes).getLong());
    }

    /** Parses 16 hex digits, as {@link #toString()} writes them. */
    public static Oid fromHex(String hex) {
        return of(Long.parseUnsignedLong(hex, 16));
    }

    /** The oid as an unsigned 64-bit value held in a long. */
    public long value() {
        return value;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    /** The next oid; ZODB allocates new oids above the largest one seen. */
    public Oid next() {
        return of(value + 1);
    }

    @Override
    public int compareTo(Oid other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Oid other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** 16 lowercase hex digits, as ZODB's tools print oids. */
    @Override
    public String toString() {
        return String.format("%016x", value);
    }
}
